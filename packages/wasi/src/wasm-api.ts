/**
 * The slice of the WebAssembly JS API that Airlock uses, typed here.
 *
 * TypeScript only declares `WebAssembly` in its DOM and WebWorker libs, and
 * packages/ must not pull in the DOM (DESIGN.md §2). The API itself is a
 * Web standard every host we target has, so we describe the part we call
 * and take it from `globalThis`.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** A compiled module: opaque, passed back to `instantiate`. */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

export interface WasmImportDescriptor {
  readonly module: string;
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

export interface WasmExportDescriptor {
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

export type WasmImports = Record<string, Record<string, unknown>>;

/** A global seen from JS; an i64 global's value is a bigint. */
export interface WasmGlobal {
  value: unknown;
}

export interface WasmMemoryDescriptor {
  /** Pages (64 KiB) the memory starts with. */
  readonly initial: number;
  /** Pages it may grow to; `memory.grow` past it returns -1. */
  readonly maximum?: number;
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
  readonly Module: {
    imports(module: WasmModule): WasmImportDescriptor[];
    exports(module: WasmModule): WasmExportDescriptor[];
  };
  readonly Memory: new (descriptor: WasmMemoryDescriptor) => WasmMemory;
  readonly Global: abstract new (...args: never[]) => WasmGlobal;
  readonly RuntimeError: abstract new (...args: never[]) => Error;
  readonly CompileError: abstract new (...args: never[]) => Error;
  readonly LinkError: abstract new (...args: never[]) => Error;
}

export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
