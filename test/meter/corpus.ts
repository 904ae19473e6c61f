/**
 * The semantic-preservation corpus for @airlock/meter (issue 4): random
 * modules from binaryen's translate-to-fuzz (`wasm-opt -ttf`, the npm
 * `binaryen` package's JS build) and the repo's own modules, each run
 * original vs metered with ample fuel. Shared by corpus.test.ts; no tests of
 * its own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface WasmNs {
  validate(bytes: Uint8Array): boolean;
  instantiate(bytes: Uint8Array, imports?: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
  readonly Memory: abstract new (...a: never[]) => { readonly buffer: ArrayBuffer };
  readonly Global: abstract new (...a: never[]) => { value: unknown };
  readonly Table: abstract new (...a: never[]) => { readonly length: number };
}
/** The engine's WebAssembly namespace (the test tsconfig has no DOM lib). */
export const WebAssembly = (globalThis as unknown as { WebAssembly: WasmNs }).WebAssembly;
const require = createRequire(import.meta.url);
export const WASM_OPT = join(require.resolve('binaryen'), '..', 'bin', 'wasm-opt');
export const ROOT = new URL('../../../', import.meta.url);

/**
 * The features our meter supports and Node 20 / Deno run (0006): MVP, sign
 * extension, saturating conversions, bulk memory, multi-value, reference
 * types, fixed-width SIMD, tail calls. Everything else binaryen knows is off
 * (`--mvp-features` first), so no module uses EH, GC, threads, memory64,
 * relaxed SIMD, multi-memory, extended-const or strings.
 */
export const TTF_FEATURES = [
  '--mvp-features',
  '--enable-mutable-globals',
  '--enable-sign-ext',
  '--enable-nontrapping-float-to-int',
  '--enable-bulk-memory',
  '--enable-bulk-memory-opt',
  '--enable-multivalue',
  '--enable-reference-types',
  '--enable-simd',
  '--enable-tail-call',
];

/** xorshift32: the same seed bytes, so the same modules, on every run. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** `count` modules from `wasm-opt -ttf` over seed bytes of 1–25 KiB, `parallel` processes at a time. */
export async function generate(count: number, seed: number, parallel: number): Promise<Uint8Array[]> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-ttf-'));
  const rand = prng(seed);
  const seeds = Array.from({ length: count }, () => {
    const n = 1024 + (rand() % (24 * 1024));
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = rand() & 0xff;
    return b;
  });
  const out: Uint8Array[] = new Array(count);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        for (let i = next++; i < count; i = next++) {
          const input = join(dir, `seed-${i}.bin`);
          const output = join(dir, `m-${i}.wasm`);
          writeFileSync(input, seeds[i]!);
          await run(process.execPath, [WASM_OPT, input, '-ttf', ...TTF_FEATURES, '-o', output], { maxBuffer: 1 << 20 });
          out[i] = new Uint8Array(readFileSync(output));
        }
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** The example tools' preview1 modules (examples/tools/<name>/<name>.wasm). */
export function exampleTools(): { name: string; bytes: Uint8Array }[] {
  const dir = new URL('examples/tools/', ROOT);
  return readdirSync(dir)
    .flatMap((d) =>
      readdirSync(new URL(`${d}/`, dir))
        .filter((f) => f.endsWith('.wasm'))
        .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(new URL(`${d}/${f}`, dir))) })),
    )
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

// ---- Running a ttf module and recording everything it does. ----

type Fn = (...args: unknown[]) => unknown;
interface Exports {
  readonly [name: string]: unknown;
}

/** A value made comparable: NaNs are one NaN (V8 may pick any payload), BigInts and -0 kept exact. */
export function norm(v: unknown): unknown {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v;
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'function') return 'function';
  if (v === null || v === undefined) return v;
  return typeof v;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `threw ${String(e)}`;
}

/** Deterministic arguments: the JS-visible parameter count is all we know (no type reflection in Node 20). */
function argsFor(fn: Fn, round: number): unknown[] {
  const pool = [0, 1, -1, 7, 0x7fffffff, 42.5, -3];
  return Array.from({ length: fn.length }, (_, i) => pool[(i + round) % pool.length]);
}

export interface Trace {
  readonly events: unknown[];
  /** Exported globals' values, each exported memory's bytes and each exported table's length, after all calls. */
  readonly globals: Record<string, unknown>;
  readonly memories: Record<string, Uint8Array>;
  readonly tables: Record<string, number>;
  /** Calls made (export calls, not counting re-entrant ones). */
  readonly calls: number;
}

/**
 * Instantiate `bytes` with binaryen's fuzzing imports (logs recorded in order,
 * `call-export`/`call-ref` call back in) and call every function export, in
 * order, twice with different arguments. `setFuel` runs after instantiation
 * (the metered side gives its fuel there).
 */
export async function runTtf(bytes: Uint8Array, setFuel?: (exports: Exports) => void, fuelExport?: string): Promise<Trace> {
  const events: unknown[] = [];
  let exports: Exports = {};
  let funcs: Fn[] = [];
  let depth = 0;
  const invoke = (fn: Fn, round: number): unknown => {
    if (depth > 20) throw new Error('re-entrancy cut');
    depth++;
    try {
      return fn(...argsFor(fn, round));
    } finally {
      depth--;
    }
  };
  const log = (...a: unknown[]) => {
    events.push(['log', ...a.map(norm)]);
  };
  const imports = {
    'fuzzing-support': {
      'log-i32': log,
      'log-i64': log,
      'log-f32': log,
      'log-f64': log,
      'log-v128': log,
      'call-export': (index: number, flags: number) => {
        const fn = funcs[index >>> 0];
        events.push(['call-export', index, flags]);
        if (fn === undefined) throw new Error('no such export');
        try {
          invoke(fn, 0);
        } catch (e) {
          events.push(['caught', describeError(e)]);
          if (!(flags & 1)) throw e;
        }
      },
      'call-ref': (ref: unknown, flags: number) => {
        events.push(['call-ref', flags]);
        if (typeof ref !== 'function') throw new Error('null ref');
        try {
          invoke(ref as Fn, 0);
        } catch (e) {
          events.push(['caught', describeError(e)]);
          if (!(flags & 1)) throw e;
        }
      },
      sleep: (_ms: number, id: number) => id,
    },
    __fuzz_import: { extern$: null },
  };
  let instance: { exports: Exports };
  try {
    instance = (await WebAssembly.instantiate(bytes, imports as never)).instance as never;
  } catch (e) {
    events.push(['instantiate', describeError(e)]);
    return { events, globals: {}, memories: {}, tables: {}, calls: 0 };
  }
  exports = instance.exports;
  setFuel?.(exports);
  const names = Object.keys(exports).filter((n) => n !== fuelExport);
  funcs = names.map((n) => exports[n]).filter((v): v is Fn => typeof v === 'function');
  let calls = 0;
  for (let round = 0; round < 2; round++) {
    for (const name of names) {
      const fn = exports[name];
      if (typeof fn !== 'function') continue;
      calls++;
      try {
        events.push(['return', name, norm(invoke(fn as Fn, round))]);
      } catch (e) {
        events.push(['trap', name, describeError(e)]);
      }
    }
  }
  const globals: Record<string, unknown> = {};
  const memories: Record<string, Uint8Array> = {};
  const tables: Record<string, number> = {};
  for (const name of names) {
    const v = exports[name];
    if (v instanceof WebAssembly.Global) {
      try {
        globals[name] = norm(v.value);
      } catch (e) {
        globals[name] = describeError(e); // v128 globals cannot be read from JS
      }
    } else if (v instanceof WebAssembly.Memory) memories[name] = new Uint8Array(v.buffer.slice(0));
    else if (v instanceof WebAssembly.Table) tables[name] = v.length;
  }
  return { events, globals, memories, tables, calls };
}

/** A deterministic mutation of `bytes`: flip, overwrite, insert or delete a few bytes. */
export function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  let b = Array.from(bytes);
  const edits = 1 + (rand() % 3);
  for (let k = 0; k < edits; k++) {
    const at = 8 + (rand() % Math.max(1, b.length - 8));
    switch (rand() % 4) {
      case 0:
        b[at] = b[at]! ^ (1 << (rand() % 8));
        break;
      case 1:
        b[at] = rand() & 0xff;
        break;
      case 2:
        b.splice(at, 0, rand() & 0xff);
        break;
      default:
        b = b.filter((_, i) => i !== at);
    }
  }
  return new Uint8Array(b);
}
