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

export async function loadQuickJs(wasmMemoryBytes: number): Promise<QuickJSWASMModule> {
  const maximum = Math.max(INITIAL_PAGES, Math.ceil(wasmMemoryBytes / PAGE));
  const memory = new WasmMemory({ initial: INITIAL_PAGES, maximum }) as { buffer: ArrayBuffer };
  const wasmMemory = memory as NonNullable<Parameters<typeof newVariant>[1]['wasmMemory']>;
  const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory }));
  fastStrings((module as unknown as { module?: EmscriptenStrings }).module, memory);
  return module;
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
