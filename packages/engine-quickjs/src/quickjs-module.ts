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
import * as ReleaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten';

// The package's types describe its CommonJS build (default = the whole
// module); ESM hosts load its `.mjs`, whose default export is the variant.
const loaded = ReleaseSync.default as unknown as QuickJSSyncVariant | { default: QuickJSSyncVariant };
const RELEASE_SYNC: QuickJSSyncVariant = 'type' in loaded ? loaded : loaded.default;

/** The one WebAssembly constructor we call (packages/ do not pull in the DOM lib). */
type MemoryCtor = new (d: { initial: number; maximum: number }) => object;
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: MemoryCtor } }).WebAssembly.Memory;

const PAGE = 64 * 1024;
/** What the release build starts with (16 MiB). */
const INITIAL_PAGES = 256;

export function loadQuickJs(wasmMemoryBytes: number): Promise<QuickJSWASMModule> {
  const maximum = Math.max(INITIAL_PAGES, Math.ceil(wasmMemoryBytes / PAGE));
  const wasmMemory = new WasmMemory({ initial: INITIAL_PAGES, maximum }) as NonNullable<Parameters<typeof newVariant>[1]['wasmMemory']>;
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory }));
}
