/**
 * Fuel metering (packages/meter), two questions:
 *
 * 1. Rewrite speed, in MB/s of module bytes: on each example tool (clang
 *    output, ~50-60 KB) and on a ~12 MB module made by repeating one tool's
 *    function bodies (the size of StarlingMonkey, which issue 4 names).
 * 2. Run-time cost: the same five compute kernels (test/fixtures/meter/*.wat)
 *    unmetered (the baseline) and metered with plenty of fuel, in the same
 *    process and interleaved; the slowdown ratio per kernel and the geomean.
 *
 * 3. A peer baseline: the same kernels instrumented with `wasm-metering`
 *    0.2.1 (the ewasm rewriter: an imported `usegas(i64)` host function
 *    called at the start of every block; MVP only, so it rejects the two
 *    kernels that use bulk memory), its rewrite time next to ours, and its
 *    rewrite throughput on the example tools. binaryen has no ready
 *    fuel-metering pass (wasm-opt's instrument passes log or intercept
 *    memory, locals and branches; none counts instructions), so there is no
 *    binaryen row.
 *
 * Targets (DESIGN.md §6): ≥ 50 MB/s, ≤ 1.3× geomean.
 *
 * @airlock/meter is loaded from its build output by path: this bench project
 * does not list it as a dependency yet (bench/package.json is shared).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import wabtInit from 'wabt';
import { report, type Stats, sample, sampleSync } from './lib.js';

interface MeterApi {
  meter(
    bytes: Uint8Array,
    options?: { maxMemoryPages?: number },
  ): { bytes: Uint8Array; fuelGlobalExport: string; stats: { instructions: number } };
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  instantiate(bytes: Uint8Array, imports?: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const { meter } = (await import(new URL('../../packages/meter/dist/index.js', import.meta.url).href)) as MeterApi;
const root = new URL('../../', import.meta.url);
/** wasm-metering 0.2.1 (CommonJS): returns the metered module's bytes (a Buffer). */
const wasmMetering = createRequire(import.meta.url)('wasm-metering') as {
  meterWASM(wasm: Uint8Array, opts: { meterType: 'i32' | 'i64' }): Uint8Array;
};

// ---- 1. Rewrite throughput. ----

/** Minimal LEB128 and section helpers to build the big module. */
function leb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n ? b | 0x80 : b);
    if (!n) return out;
  }
}
function readLeb(b: Uint8Array, p: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[p++]!;
    v += (x & 0x7f) * 2 ** shift;
    if (x < 0x80) return [v, p];
    shift += 7;
  }
}

/**
 * `bytes` with its function bodies repeated `k` times (the copies are never
 * called; they call and index only what the original defines, so the module
 * stays valid). Function and code sections are re-encoded, the rest copied.
 */
function repeatBodies(bytes: Uint8Array, k: number): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p]!;
    const [size, payload] = readLeb(bytes, p + 1);
    const end = payload + size;
    if (id === 3 || id === 10) {
      const [count, items] = readLeb(bytes, payload);
      const body = bytes.subarray(items, end);
      const content = new Uint8Array([...leb(count * k), ...new Uint8Array(0)]);
      const total = content.length + body.length * k;
      const sec = new Uint8Array(1 + leb(total).length + total);
      sec.set([id, ...leb(total)]);
      let o = 1 + leb(total).length;
      sec.set(content, o);
      o += content.length;
      for (let i = 0; i < k; i++, o += body.length) sec.set(body, o);
      parts.push(sec);
    } else {
      parts.push(bytes.subarray(p, end));
    }
    p = end;
  }
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

const toolsDir = new URL('examples/tools/', root);
const tools = readdirSync(toolsDir)
  .flatMap((d) =>
    readdirSync(new URL(`${d}/`, toolsDir))
      .filter((f) => f.endsWith('.wasm'))
      .map((f) => new URL(`${d}/${f}`, toolsDir)),
  )
  .map((u) => ({ name: u.pathname.split('/').pop()!, bytes: new Uint8Array(readFileSync(u)) }));
const big = repeatBodies(tools[0]!.bytes, 250);
if (!Wasm.validate(big)) throw new Error('the repeated-bodies module does not validate');
if (!Wasm.validate(meter(big).bytes)) throw new Error('the metered big module does not validate');

const rewriteRows: Stats[] = [];
const mbps: Record<string, number> = {};
for (const t of tools) {
  const s = sampleSync(`rewrite ${t.name} (${(t.bytes.length / 1024).toFixed(0)} KiB)`, () => meter(t.bytes), {
    samples: 200,
    batch: 5,
    warmup: 50,
  });
  rewriteRows.push(s);
  mbps[t.name] = t.bytes.length / s.p50us; // bytes per µs = MB/s
}
const bigName = `rewrite ${tools[0]!.name} bodies ×250 (${(big.length / 1e6).toFixed(1)} MB)`;
const sBig = sampleSync(bigName, () => meter(big), { samples: 15, batch: 1, warmup: 3 });
rewriteRows.push(sBig);
const toolBytes = tools.reduce((n, t) => n + t.bytes.length, 0);
const toolUs = rewriteRows.slice(0, tools.length).reduce((n, s) => n + s.p50us, 0);
const peerRows: Stats[] = [];
let peerBytes = 0;
let peerUs = 0;
for (const t of tools) {
  const s = sampleSync(`wasm-metering rewrite ${t.name}`, () => wasmMetering.meterWASM(t.bytes, { meterType: 'i64' }), {
    samples: 10,
    batch: 1,
    warmup: 2,
  });
  peerRows.push(s);
  peerBytes += t.bytes.length;
  peerUs += s.p50us;
}
rewriteRows.push(...peerRows);
report('meter: rewrite throughput', rewriteRows, {
  'wasm-metering 0.2.1 example tools MB/s (peer)': peerBytes / peerUs,
  'example tools MB/s (sum of bytes / sum of p50)': toolBytes / toolUs,
  [`${(big.length / 1e6).toFixed(1)} MB module MB/s (p50)`]: big.length / sBig.p50us,
  [`${(big.length / 1e6).toFixed(1)} MB module ms (p50)`]: sBig.p50us / 1000,
  'target MB/s': 50,
});

// ---- 2. Metered vs unmetered kernels. ----

const wabt = await wabtInit();
const kernels: [file: string, arg: number][] = [
  ['fib', 25],
  ['loop-sum', 2_000_000],
  ['matmul', 60],
  ['sieve', 500_000],
  ['copy-hash', 60_000],
];
const kernelRows: Stats[] = [];
const ratios: Record<string, number> = {};
const peer: Record<string, number | string> = {};
for (const [file, arg] of kernels) {
  const text = readFileSync(new URL(`test/fixtures/meter/${file}.wat`, root), 'utf8');
  const m = wabt.parseWat(`${file}.wat`, text, {});
  const bytes = m.toBinary({}).buffer;
  m.destroy();
  const plain = (await Wasm.instantiate(bytes)).instance.exports;
  const r = meter(bytes);
  const metered = (await Wasm.instantiate(r.bytes)).instance.exports;
  const fuel = metered[r.fuelGlobalExport] as { value: bigint };
  const runPlain = plain['run'] as (n: number) => unknown;
  const runMetered = metered['run'] as (n: number) => unknown;
  const want = runPlain(arg);
  fuel.value = 1n << 62n;
  if (runMetered(arg) !== want) throw new Error(`${file}: metered result differs`);
  // The peer: gas charged through an imported function, checked against a limit there.
  let runPeer: ((n: number) => unknown) | undefined;
  let gas = 0n;
  const GAS_LIMIT = 1n << 62n;
  try {
    const peerBytes = wasmMetering.meterWASM(bytes, { meterType: 'i64' });
    const usegas = (g: bigint) => {
      gas += g;
      if (gas > GAS_LIMIT) throw new Error('out of gas');
    };
    const peerExports = (await Wasm.instantiate(peerBytes, { metering: { usegas } })).instance.exports;
    runPeer = peerExports['run'] as (n: number) => unknown;
    if (runPeer(arg) !== want) throw new Error(`${file}: wasm-metering result differs`);
    const ours = sampleSync(`rewrite ${file} (ours)`, () => meter(bytes), { samples: 50, batch: 5, warmup: 10 });
    const theirs = sampleSync(`rewrite ${file} (wasm-metering)`, () => wasmMetering.meterWASM(bytes, { meterType: 'i64' }), {
      samples: 50,
      batch: 1,
      warmup: 5,
    });
    peer[`${file} rewrite µs ours / wasm-metering`] = `${ours.p50us.toFixed(1)} / ${theirs.p50us.toFixed(1)}`;
  } catch (e) {
    peer[`${file} wasm-metering`] = `rejected: ${e instanceof Error ? e.message : String(e)}`;
  }
  const opts = { samples: 40, batch: 1, warmup: 5 };
  const rows: Stats[] = [];
  // Interleave rounds so all see the same machine state; keep the last round.
  for (let round = 0; round < 2; round++) {
    rows[0] = await sample(`${file}(${arg}) unmetered (baseline)`, () => runPlain(arg), opts);
    rows[1] = await sample(
      `${file}(${arg}) metered`,
      () => {
        fuel.value = 1n << 62n;
        return runMetered(arg);
      },
      opts,
    );
    if (runPeer !== undefined) {
      const f = runPeer;
      rows[2] = await sample(
        `${file}(${arg}) wasm-metering (peer)`,
        () => {
          gas = 0n;
          return f(arg);
        },
        { samples: 10, batch: 1, warmup: 2 },
      );
    }
  }
  kernelRows.push(...rows);
  ratios[file] = rows[1]!.p50us / rows[0]!.p50us;
  if (rows[2] !== undefined) peer[`${file} wasm-metering slowdown ×`] = rows[2].p50us / rows[0]!.p50us;
  fuel.value = 1n << 62n;
  runMetered(arg);
  ratios[`${file} fuel used (M units)`] = Number((1n << 62n) - fuel.value) / 1e6;
  ratios[`${file} ns per fuel unit, metered`] = (rows[1]!.p50us * 1000) / Number((1n << 62n) - fuel.value);
}
const slowdowns = kernels.map(([f]) => ratios[f]!);
const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const peerKernels = kernels.map(([f]) => f).filter((f) => typeof peer[`${f} wasm-metering slowdown ×`] === 'number');
report('meter: metered vs unmetered compute kernels (p50), with wasm-metering as a peer', kernelRows, {
  ...Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k.includes('fuel') ? k : `${k} slowdown ×`, v])),
  'geomean slowdown ×': geomean(slowdowns),
  'target ×': 1.3,
  ...peer,
  [`geomean over the kernels wasm-metering accepts (${peerKernels.join(', ')}): ours ×`]: geomean(peerKernels.map((f) => ratios[f]!)),
  [`same kernels: wasm-metering ×`]: geomean(peerKernels.map((f) => peer[`${f} wasm-metering slowdown ×`] as number)),
  at: performance.timeOrigin,
});
