/**
 * The component engine's costs, against baselines in the same run:
 *
 * - cold start: component bytes → first result. Our glue (canon/: parse,
 *   link, generate trampolines, meter, compile, no jco) against jco's with
 *   the transpile cache cold (jco transpiles in-process) and warm (only the
 *   glue import, core compiles and the first instance remain);
 * - fresh instance + call with the module cache warm, for a typed tool
 *   (call-counter) and a command (word-count reading a mount), with our
 *   glue and with jco 1.35's (with glue.ts's transform, and as generated:
 *   "jco default", the baseline the issue names);
 * - baselines: a bare `new WebAssembly.Instance` of the same core modules
 *   (the floor any glue sits on), and the wasip1 engine's fresh run of the
 *   echo fixture (what a preview1 tool costs today).
 *
 * - call overhead: one instance, many calls of a scalar export (`add`) and
 *   a string export (`echo`) through our glue and jco's, against the raw
 *   core export doing the same work (for strings: encode into guest memory
 *   via cabi_realloc, call, read the result, decode, post-return). The
 *   component is built here from WAT + WIT with jco's componentEmbed and
 *   componentNew, so it needs no toolchain.
 *
 * The engine meters fuel and pools capped memories (metering.ts); the
 * fresh-instance rows are measured with both and with both off.
 * See docs/decisions/0008-component-engine.md and 0012-own-component-glue.md.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { DEFAULT_LIMITS, type Tool } from '@airlock/core';
import {
  compilePlan,
  coreModuleName,
  createComponentEngine,
  dataUrlLoader,
  decodeTranspiled,
  linkComponent,
  prepareGlue,
  type TranspileCache,
} from '@airlock/engine-component';
import { createWasip1Engine } from '@airlock/engine-wasip1';
import { MemoryVfs } from '@airlock/wasi';
import wabtInit from 'wabt';
import { input as echoInput, tool as echoTool } from './echo-fixture.js';
import { report, type Stats, sample, sampleSync } from './lib.js';

const EXAMPLES = new URL('../../examples/components/', import.meta.url);
function toolOf(name: string): Tool {
  const artifact = readFileSync(new URL(`${name}/${name}.wasm`, EXAMPLES));
  return {
    manifest: { ...JSON.parse(readFileSync(new URL(`${name}/manifest.json`, EXAMPLES), 'utf8')), limits: {}, args: [] },
    artifact,
    digest: createHash('sha256').update(artifact).digest('hex'),
  };
}
const counter = toolOf('call-counter');
const wordCount = toolOf('word-count');

class MapCache implements TranspileCache {
  readonly map = new Map<string, Uint8Array>();
  get(key: string): Uint8Array | undefined {
    return this.map.get(key);
  }
  set(key: string, value: Uint8Array): void {
    this.map.set(key, value);
  }
}

const req = (input: string, mounts: { path: string; vfs: MemoryVfs; access: 'read' }[] = []) => ({
  callId: 'bench',
  input: new TextEncoder().encode(input),
  args: [],
  env: {},
  mounts,
  limits: DEFAULT_LIMITS,
});
const counterReq = req('"hello"');
const ws = new MemoryVfs().writeFile('notes.txt', 'one two three\nfour\n');
const wcReq = req('{"path":"/workspace/notes.txt"}', [{ path: '/workspace', vfs: ws, access: 'read' }]);

const expectOk = (out: { status: string; message?: string }): void => {
  if (out.status !== 'ok') throw new Error(`bad run: ${out.status} ${out.message}`);
};

// ---- cold start -------------------------------------------------------------
const cache = new MapCache();
const coldRows = [
  await sample(
    'cold, our glue: parse + link + trampolines + meter + compile + first call',
    async () => {
      const p = await createComponentEngine().prepare(counter);
      expectOk(await p.run(counterReq));
    },
    { samples: 100, warmup: 5 },
  ),
  await sample(
    'cold, jco glue: transpile cache cold (jco in-process) + first call',
    async () => {
      const p = await createComponentEngine({ glue: 'jco', cache: new MapCache() }).prepare(counter);
      expectOk(await p.run(counterReq));
    },
    { samples: 8, warmup: 1 },
  ),
];
{
  const p = await createComponentEngine({ glue: 'jco', cache }).prepare(counter);
  expectOk(await p.run(counterReq));
}
coldRows.push(
  await sample(
    'cold, jco glue: transpile cache warm + first call',
    async () => {
      const p = await createComponentEngine({ glue: 'jco', cache }).prepare(counter);
      expectOk(await p.run(counterReq));
    },
    { samples: 100, warmup: 5 },
  ),
);
report(`component cold start (call-counter, ${counter.artifact.length} bytes)`, coldRows, {
  'our glue vs jco (cache warm) p50 ratio': (coldRows[0]?.p50us ?? 0) / (coldRows[2]?.p50us ?? 1),
});

// ---- fresh instance per call ------------------------------------------------------
const transpiled = decodeTranspiled([...cache.map.values()][0] as Uint8Array);
if (!transpiled) throw new Error('no transpiled entry');
const engine = createComponentEngine();
const typed = await engine.prepare(counter);
const plain = await createComponentEngine({ rewrite: { metering: false, pooling: false } }).prepare(counter);
const jcoEngine = createComponentEngine({ glue: 'jco' });
const jcoTyped = await jcoEngine.prepare(counter);
// jco's output as generated (the transpile cache holds it untransformed): the loader ignores the transformed source.
const jcoDefault = await createComponentEngine({ glue: 'jco', loadModule: (_source, key) => dataUrlLoader(transpiled.js, key) }).prepare(
  counter,
);
const command = await engine.prepare(wordCount);
const jcoCommand = await jcoEngine.prepare(wordCount);
const wasip1 = await createWasip1Engine().prepare(echoTool);
const wasip1Req = { ...req(''), input: echoInput };

// The floor: instantiate the same core modules with no glue at all.
const WA = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }).WebAssembly;
const cores = [...transpiled.cores.values()].map((b) => new WA.Module(b));
const stubs = (m: object): Record<string, Record<string, unknown>> => {
  const out: Record<string, Record<string, unknown>> = {};
  const W = (globalThis as unknown as { WebAssembly: { Module: { imports(m: object): { module: string; name: string; kind: string }[] } } })
    .WebAssembly;
  for (const i of W.Module.imports(m)) {
    out[i.module] ??= {};
    if (i.kind === 'function') (out[i.module] as Record<string, unknown>)[i.name] = () => 0;
  }
  return out;
};
const WI = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => object } }).WebAssembly;
// Only the modules with function imports only (the main module and the shim) can stand alone.
const standalone = cores.filter((m) => {
  try {
    new WI.Instance(m, stubs(m));
    return true;
  } catch {
    return false;
  }
});

const rows = [];
for (let round = 0; round < 2; round++) {
  rows.push(
    await sample(
      `bare new WebAssembly.Instance of ${standalone.length} core modules (floor)`,
      () => {
        for (const m of standalone) new WI.Instance(m, stubs(m));
      },
      { samples: 1000, warmup: 100 },
    ),
  );
  rows.push(
    await sample('wasip1 engine: fresh run of echo (baseline)', async () => expectOk(await wasip1.run(wasip1Req)), {
      samples: 1000,
      warmup: 100,
    }),
  );
  rows.push(
    await sample('our glue: fresh instance + call (typed call-counter)', async () => expectOk(await typed.run(counterReq)), {
      samples: 1000,
      warmup: 100,
    }),
  );
  rows.push(
    await sample(
      'our glue, unmetered and unpooled: fresh instance + call (typed call-counter)',
      async () => expectOk(await plain.run(counterReq)),
      { samples: 1000, warmup: 100 },
    ),
  );
  rows.push(
    await sample(
      'jco 1.35 glue + glue.ts: fresh instance + call (typed call-counter)',
      async () => expectOk(await jcoTyped.run(counterReq)),
      {
        samples: 300,
        warmup: 50,
      },
    ),
  );
  rows.push(
    await sample(
      'jco 1.35 glue as generated (jco default): fresh instance + call (typed call-counter)',
      async () => expectOk(await jcoDefault.run(counterReq)),
      { samples: 100, warmup: 20 },
    ),
  );
  rows.push(
    await sample('our glue: fresh instance + run (command word-count, reads a mount)', async () => expectOk(await command.run(wcReq)), {
      samples: 1000,
      warmup: 100,
    }),
  );
  rows.push(
    await sample(
      'jco 1.35 glue + glue.ts: fresh instance + run (command word-count, reads a mount)',
      async () => expectOk(await jcoCommand.run(wcReq)),
      { samples: 300, warmup: 50 },
    ),
  );
}
const last = rows.slice(rows.length / 2);
report('component: fresh instance per call, module cache warm (our glue vs jco 1.35)', last, {
  'our typed vs wasip1 p50 ratio': (last[2]?.p50us ?? 0) / (last[1]?.p50us ?? 1),
  'our typed vs bare core instances p50 ratio': (last[2]?.p50us ?? 0) / (last[0]?.p50us ?? 1),
  'our metered+pooled vs plain p50 ratio': (last[2]?.p50us ?? 0) / (last[3]?.p50us ?? 1),
  'jco+glue.ts vs our glue p50 ratio (typed)': (last[4]?.p50us ?? 0) / (last[2]?.p50us ?? 1),
  'jco default vs our glue p50 ratio (typed)': (last[5]?.p50us ?? 0) / (last[2]?.p50us ?? 1),
  'jco+glue.ts vs our glue p50 ratio (command)': (last[7]?.p50us ?? 0) / (last[6]?.p50us ?? 1),
});

// ---- call overhead: glue vs raw core export ------------------------------------
const CALLS_WAT = `(module
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 1024))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32) (local $need i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1))) (i32.sub (i32.const 0) (local.get 2))))
    (global.set $bump (i32.add (local.get $p) (local.get 3)))
    (local.set $need (i32.sub (global.get $bump) (i32.mul (memory.size) (i32.const 65536))))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then (if (i32.eq (memory.grow (i32.add (i32.shr_u (local.get $need) (i32.const 16)) (i32.const 1))) (i32.const -1)) (then unreachable))))
    (local.get $p))
  (func (export "echo") (param i32 i32) (result i32)
    (i32.store (i32.const 8) (local.get 0))
    (i32.store (i32.const 12) (local.get 1))
    (i32.const 8))
  (func (export "cabi_post_echo") (param i32) (global.set $bump (i32.const 1024))))`;
const CALLS_WIT = `package bench:calls;
world calls {
  export add: func(a: u32, b: u32) -> u32;
  export echo: func(s: string) -> string;
}`;

const req0 = createRequire(new URL('../../packages/engine-component/package.json', import.meta.url));
const jcoApiPath = req0.resolve('@bytecodealliance/jco');
{
  const shim = createRequire(jcoApiPath).resolve('@bytecodealliance/preview2-shim/filesystem');
  const { _setPreopens } = (await import(pathToFileURL(shim).href)) as { _setPreopens(p: Record<string, string>): void };
  _setPreopens({ '/': '/' });
}
type Jco = {
  componentEmbed(o: { binary: Uint8Array; witSource: string; world: string }): Promise<Uint8Array>;
  componentNew(b: Uint8Array): Promise<Uint8Array>;
};
const jcoApi = (await import(pathToFileURL(jcoApiPath).href)) as Jco;
const jcoGen = (await import(pathToFileURL(req0.resolve('@bytecodealliance/jco/component')).href)) as {
  generate(b: Uint8Array, o: Record<string, unknown>): Promise<{ files: [string, Uint8Array][] }>;
};
const wabt = await wabtInit();
const watModule = wabt.parseWat('calls.wat', CALLS_WAT);
const coreBytes = watModule.toBinary({}).buffer;
watModule.destroy();
const callsComponent = await jcoApi.componentNew(await jcoApi.componentEmbed({ binary: coreBytes, witSource: CALLS_WIT, world: 'calls' }));
const gen = await jcoGen.generate(callsComponent, {
  name: 'calls',
  instantiation: { tag: 'async' },
  noTypescript: true,
  noNodejsCompat: true,
  map: [],
});
const genFiles = new Map(gen.files);
const callsJs = new TextDecoder().decode(genFiles.get('calls.js'));
// What the engine imports (glue.ts), and jco's output as generated (before).
const glue = await dataUrlLoader(prepareGlue(callsJs).js, 'calls');
const glueAsGenerated = await dataUrlLoader(callsJs, 'calls-as-generated');
const WM = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }).WebAssembly;
const compiled = new Map([...genFiles].filter(([n]) => n.endsWith('.wasm')).map(([n, b]) => [n, new WM.Module(b)]));
const viaGlue = (await glue.instantiate((n) => compiled.get(n) as never, {})) as {
  add(a: number, b: number): number;
  echo(s: string): string;
};
const viaGlueAsGenerated = (await glueAsGenerated.instantiate((n) => compiled.get(n) as never, {})) as typeof viaGlue;
// Our glue (canon/): the same component, linked and instantiated without jco.
const plan = linkComponent(callsComponent, 'calls');
if (plan === undefined) throw new Error('the calls component does not link with our glue');
const ownModules = new Map(plan.modules.map((b, i) => [coreModuleName(i), new WM.Module(b)]));
const viaOwn = (await compilePlan(plan).instantiate((n) => ownModules.get(n) as never, {})) as typeof viaGlue;
const raw = new WI.Instance(new WM.Module(coreBytes), {}) as unknown as {
  exports: {
    memory: { buffer: ArrayBuffer };
    add(a: number, b: number): number;
    cabi_realloc(a: number, b: number, c: number, d: number): number;
    echo(p: number, l: number): number;
    cabi_post_echo(r: number): void;
  };
};
const rx = raw.exports;
const enc = new TextEncoder();
const dec = new TextDecoder();
const rawEcho = (s: string): string => {
  const max = s.length * 3;
  const p = rx.cabi_realloc(0, 0, 1, max);
  const { written } = enc.encodeInto(s, new Uint8Array(rx.memory.buffer, p, max));
  const r = rx.echo(p, written);
  const dv = new DataView(rx.memory.buffer);
  const out = dec.decode(new Uint8Array(rx.memory.buffer, dv.getUint32(r, true), dv.getUint32(r + 4, true)));
  rx.cabi_post_echo(r);
  return out;
};
let sink = 0;
const callRows: Stats[] = [];
const KIB = [1, 16, 64];
// Mostly ASCII with two non-ASCII characters at the end (V8 then holds a
// two-byte string, and Node 20's TextEncoder/TextDecoder take their slow
// paths); `ascii` rows are the same sizes all ASCII.
const strings = KIB.map((k) => 'a'.repeat(1024 * k - 3) + 'é€');
const asciiStrings = KIB.map((k) => 'a'.repeat(1024 * k));
for (const s of [...strings, ...asciiStrings])
  if (viaGlue.echo(s) !== s || viaGlueAsGenerated.echo(s) !== s || viaOwn.echo(s) !== s || rawEcho(s) !== s)
    throw new Error('echo is wrong');
if (viaGlue.add(2, 3) !== 5 || viaOwn.add(2, 3) !== 5) throw new Error('add is wrong');
for (let round = 0; round < 2; round++) {
  callRows.length = 0;
  callRows.push(sampleSync('raw core export add(u32, u32)', () => (sink += rx.add(sink & 1, 2)), { batch: 1000, samples: 500 }));
  callRows.push(sampleSync('our glue add(u32, u32)', () => (sink += viaOwn.add(sink & 1, 2)), { batch: 1000, samples: 500 }));
  callRows.push(sampleSync('jco glue add(u32, u32)', () => (sink += viaGlue.add(sink & 1, 2)), { batch: 1000, samples: 500 }));
  callRows.push(
    sampleSync('jco glue as generated (no glue.ts) add(u32, u32)', () => (sink += viaGlueAsGenerated.add(sink & 1, 2)), {
      batch: 1000,
      samples: 500,
    }),
  );
  for (const [i, s] of strings.entries()) {
    const samples = KIB[i]! >= 64 ? 300 : 1000;
    callRows.push(sampleSync(`raw core export echo(string), ${KIB[i]} KiB`, () => (sink += rawEcho(s).length), { batch: 10, samples }));
    callRows.push(sampleSync(`our glue echo(string), ${KIB[i]} KiB`, () => (sink += viaOwn.echo(s).length), { batch: 10, samples }));
    callRows.push(sampleSync(`jco glue echo(string), ${KIB[i]} KiB`, () => (sink += viaGlue.echo(s).length), { batch: 10, samples }));
    callRows.push(
      sampleSync(`jco glue as generated echo(string), ${KIB[i]} KiB`, () => (sink += viaGlueAsGenerated.echo(s).length), {
        batch: 10,
        samples,
      }),
    );
  }
  for (const [i, s] of asciiStrings.entries()) {
    const samples = KIB[i]! >= 64 ? 300 : 1000;
    callRows.push(sampleSync(`raw core export echo(ascii), ${KIB[i]} KiB`, () => (sink += rawEcho(s).length), { batch: 10, samples }));
    callRows.push(sampleSync(`our glue echo(ascii), ${KIB[i]} KiB`, () => (sink += viaOwn.echo(s).length), { batch: 10, samples }));
    callRows.push(sampleSync(`jco glue echo(ascii), ${KIB[i]} KiB`, () => (sink += viaGlue.echo(s).length), { batch: 10, samples }));
  }
}
const p50 = (name: string): number => callRows.find((r) => r.name === name)?.p50us ?? Number.NaN;
const perKiB = (who: string, what = 'string'): number => (p50(`${who} echo(${what}), 64 KiB`) - p50(`${who} echo(${what}), 1 KiB`)) / 63;
report('component call overhead: our glue and jco 1.35 glue (+ glue.ts) vs the raw core export, one instance', callRows, {
  'scalar our glue/raw p50 ratio (target ≤ 2)': p50('our glue add(u32, u32)') / p50('raw core export add(u32, u32)'),
  'string our glue µs per KiB (slope 1→64 KiB)': perKiB('our glue'),
  'ascii string our glue µs per KiB (slope 1→64 KiB, target ≤ 1)': perKiB('our glue', 'ascii'),
  'ascii string raw µs per KiB (slope 1→64 KiB)': perKiB('raw core export', 'ascii'),
  'ascii string jco glue µs per KiB (slope 1→64 KiB)': perKiB('jco glue', 'ascii'),
  'string our glue − raw µs per KiB at 64 KiB (target ≤ 1)':
    (p50('our glue echo(string), 64 KiB') - p50('raw core export echo(string), 64 KiB')) / 64,
  'scalar jco glue/raw p50 ratio': p50('jco glue add(u32, u32)') / p50('raw core export add(u32, u32)'),
  'string jco glue µs per KiB (slope 1→64 KiB)': perKiB('jco glue'),
  'string raw µs per KiB (slope 1→64 KiB)': perKiB('raw core export'),
  'scalar as-generated glue/raw p50 ratio (before glue.ts)':
    p50('jco glue as generated (no glue.ts) add(u32, u32)') / p50('raw core export add(u32, u32)'),
  'string as-generated glue µs per KiB (before glue.ts)': perKiB('jco glue as generated'),
  'string glue − raw µs per KiB at 64 KiB': (p50('jco glue echo(string), 64 KiB') - p50('raw core export echo(string), 64 KiB')) / 64,
  sink: sink % 7,
});
