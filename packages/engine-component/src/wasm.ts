/**
 * The part of the WebAssembly JS API the component engine needs beyond
 * @airlock/wasi's `Wasm`: synchronous instantiation (so a fresh instance
 * costs no promise round trip where the host allows it) and the Memory
 * class. A Web standard; typed here because packages/ has no DOM lib.
 */
import type { WasmMemory, WasmModule } from '@airlock/wasi';

export interface CoreInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

interface SyncWasmApi {
  Instance: new (module: WasmModule, imports?: Record<string, unknown>) => CoreInstance;
  Memory: abstract new (...args: never[]) => WasmMemory;
  instantiate(module: WasmModule, imports?: Record<string, unknown>): Promise<CoreInstance>;
}

export const WasmSync: SyncWasmApi = (globalThis as unknown as { WebAssembly: SyncWasmApi }).WebAssembly;
