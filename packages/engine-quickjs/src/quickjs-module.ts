/**
 * Loading the QuickJS Wasm module: the release-sync variant (fastest to load,
 * ~14–18 ms in Node), with a Wasm memory we create ourselves so that it has a
 * `maximum`. That maximum is the hard memory cap: QuickJS's own
 * `setMemoryLimit` counts its allocations but did not stop a large-array bomb
 * from growing the Wasm memory to 2 GiB in ~6 s; with a capped memory the same
 * bomb ends in ~0.1 s with a clean "out of memory" (docs/decisions/0009).
 *
 * One module serves every call of a worker (or of a process without
 * workers); it holds no JS state between calls, only the allocator's free
 * lists.
 */

import { meter } from '@airlock/meter';
import * as ReleaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten';

// The package's types describe its CommonJS build (default = the whole
// module); ESM hosts load its `.mjs`, whose default export is the variant.
const loaded = ReleaseSync.default as unknown as QuickJSSyncVariant | { default: QuickJSSyncVariant };
const RELEASE_SYNC: QuickJSSyncVariant = 'type' in loaded ? loaded : loaded.default;

/** The WebAssembly API we call (packages/ do not pull in the DOM lib). */
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number }) => object;
  compile(bytes: Uint8Array): Promise<object>;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 64 * 1024;
/** What the release build starts with (16 MiB). */
const INITIAL_PAGES = 256;

/** The export name of the fuel global in the metered QuickJS module (host-chosen; QuickJS's glue never looks at it). */
export const FUEL_EXPORT = '__airlock_fuel';
/**
 * Fuel the metered module starts with: enough for emscripten's start-up
 * (constructors, QuickJS's module init), which runs inside instantiation,
 * before any call's limit exists. Set to 0 as soon as the module is loaded;
 * each call then sets its own `limits.fuel` (docs/decisions/0006).
 */
const STARTUP_FUEL = 1n << 62n;

/** The fuel counter of a loaded, metered module: remaining fuel, set by the host. */
export interface FuelCounter {
  value: bigint;
}

export interface LoadedQuickJs {
  readonly module: QuickJSWASMModule;
  /** Present when the module was metered. */
  readonly fuel?: FuelCounter;
}

/** Where the release-sync `.wasm` is, beside the variant's glue. */
const WASM_URL = new URL(import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'));

/**
 * The release-sync `.wasm`, read once per thread: `fetch` where it can read
 * the URL (Deno reads `file:` URLs, browsers and workers `http(s):`), else
 * Node's fs (Node's `fetch` refuses `file:`; emscripten's own glue reads
 * the file the same way).
 */
async function readQuickJsWasm(): Promise<Uint8Array> {
  const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (WASM_URL.protocol === 'file:' && typeof node?.getBuiltinModule === 'function') {
    const fs = node.getBuiltinModule('node:fs') as { readFileSync(u: URL): Uint8Array };
    return new Uint8Array(fs.readFileSync(WASM_URL));
  }
  const res = await fetch(WASM_URL);
  if (!res.ok) throw new Error(`cannot read ${WASM_URL.href}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

let metered: Promise<Uint8Array> | undefined;

/**
 * The QuickJS module rewritten by packages/meter, once per thread (the host
 * rewrites it once and hands the bytes to each worker): ~500 KB in,
 * ~700 KB out, ~10–50 ms.
 */
export function meteredQuickJsWasm(): Promise<Uint8Array> {
  metered ??= readQuickJsWasm().then((bytes) => meter(bytes, { fuelExport: FUEL_EXPORT, initialFuel: STARTUP_FUEL }).bytes);
  metered.catch(() => {
    metered = undefined;
  });
  return metered;
}

/**
 * Load QuickJS into a Wasm memory capped at `wasmMemoryBytes`. With `wasm`
 * (the metered bytes), that module is instantiated instead of the package's
 * own file and its fuel counter is returned, at 0: nothing runs until the
 * host sets a call's fuel.
 */
export async function loadQuickJs(wasmMemoryBytes: number, wasm?: Uint8Array): Promise<LoadedQuickJs> {
  const maximum = Math.max(INITIAL_PAGES, Math.ceil(wasmMemoryBytes / PAGE));
  const memory = new Wasm.Memory({ initial: INITIAL_PAGES, maximum }) as { buffer: ArrayBuffer };
  const wasmMemory = memory as NonNullable<Parameters<typeof newVariant>[1]['wasmMemory']>;
  let fuel: FuelCounter | undefined;
  let emscriptenModule: Parameters<typeof newVariant>[1]['emscriptenModule'];
  if (wasm) {
    const compiled = await Wasm.compile(wasm);
    emscriptenModule = {
      instantiateWasm: (imports: object, done: (instance: unknown, module: unknown) => void) => {
        emptyEnvironment(imports, memory);
        // Synchronous, so a failure rejects the load rather than leaving it pending.
        const instance = new Wasm.Instance(compiled, imports);
        const g = instance.exports[FUEL_EXPORT] as FuelCounter | undefined;
        if (!g) throw new Error(`the metered QuickJS module has no ${FUEL_EXPORT} export`);
        fuel = g;
        done(instance, compiled);
        return instance.exports;
      },
    } as unknown as Parameters<typeof newVariant>[1]['emscriptenModule'];
  }
  const module = await newQuickJSWASMModuleFromVariant(
    newVariant(RELEASE_SYNC, { wasmMemory, ...(emscriptenModule ? { emscriptenModule } : {}) }),
  );
  fastStrings((module as unknown as { module?: EmscriptenStrings }).module, memory);
  if (wasm && !fuel) throw new Error('the metered QuickJS module was not instantiated by us');
  if (fuel) {
    // One throwaway runtime + context: the first one on a fresh heap costs
    // ~3,000 more fuel (the allocator's first requests), so without this a
    // worker's first call would differ from every later one.
    const rt = module.newRuntime();
    rt.newContext().dispose();
    rt.dispose();
    fuel.value = 0n;
  }
  return { module, ...(fuel ? { fuel } : {}) };
}

/**
 * Give the module an empty process environment. Emscripten's glue builds one
 * from the host (`_=` the host script's path, `LANG` from
 * `navigator.language`) and copies it into the Wasm heap; its length shifts
 * the heap layout, which changed the fuel of the same snippet by thousands of
 * units between two scripts, and between Node and Deno. QuickJS needs no
 * environment (the guest's `env` is the call's grant, not this), so
 * `environ_sizes_get` says 0 variables and `environ_get` writes nothing: fuel
 * is then the same on every host. The two imports are named `f` and `e` in
 * the pinned build (0.32.0); they are only replaced when they have the
 * arities of environ_sizes_get/environ_get, and the engine test that compares
 * fuel across scripts catches a build where they moved.
 */
function emptyEnvironment(imports: object, memory: { buffer: ArrayBuffer }): void {
  const env = (imports as { a?: Record<string, unknown> }).a;
  const sizes = env?.f;
  const get = env?.e;
  if (!env || typeof sizes !== 'function' || typeof get !== 'function' || sizes.length !== 2 || get.length !== 2) return;
  env.f = (countPtr: number, sizePtr: number): number => {
    const view = new DataView(memory.buffer);
    view.setUint32(countPtr, 0, true);
    view.setUint32(sizePtr, 0, true);
    return 0;
  };
  env.e = (): number => 0;
}

/** The two emscripten helpers every string into QuickJS goes through (code, input, replies). */
interface EmscriptenStrings {
  lengthBytesUTF8?: (s: string) => number;
  stringToUTF8?: (s: string, ptr: number, maxBytes: number) => number;
}

const encoder = new TextEncoder();
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * UTF-8 length, as emscripten counts it: a surrogate pair is 4 bytes, a
 * lone surrogate 3 (TextEncoder writes U+FFFD for it, also 3 bytes).
 */
export function utf8ByteLength(s: string): number {
  if (!NON_ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Replace emscripten's per-character JS loops for strings going into the
 * Wasm memory (~4–6 ns per character: 3 KB cost ~30 µs, more than QuickJS's
 * parse of it) with the native TextEncoder (~0.4 ns per character). Same
 * bytes for every well-formed string; a lone surrogate becomes U+FFFD (the
 * same length) instead of an unpaired CESU-8 sequence. Measured in
 * bench/quickjs.bench.ts; skipped if this build does not have the helpers.
 */
function fastStrings(em: EmscriptenStrings | undefined, memory: { buffer: ArrayBuffer }): void {
  if (!em || typeof em.lengthBytesUTF8 !== 'function' || typeof em.stringToUTF8 !== 'function') return;
  em.lengthBytesUTF8 = utf8ByteLength;
  em.stringToUTF8 = (s, ptr, maxBytes) => {
    if (maxBytes <= 0) return 0;
    const heap = new Uint8Array(memory.buffer, ptr, maxBytes);
    const { written } = encoder.encodeInto(s, heap.subarray(0, maxBytes - 1));
    heap[written] = 0;
    return written;
  };
}
