/**
 * @airlock/wasi: capability-scoped WASI for Airlock's engines.
 *
 * - Virtual file systems: `MemoryVfs`, and the `ReadOnlyVfs` and
 *   `WriteQuotaVfs` wrappers a mount's access and quota turn into.
 * - `resolveInMount`: the one path resolver that keeps paths in their mount.
 * - `Preview1`: a WASI preview1 world for one guest instance, on
 *   browser_wasi_shim, with our own fds over a Vfs.
 */
export type { Denial } from './denial.js';
export { DenialLog, MAX_DENIALS, PathDenied } from './denial.js';
export type { ErrnoName } from './errno.js';
export { DENIAL_ERRNOS, ERRNO } from './errno.js';
export type { MonotonicClock } from './limit-trap.js';
export { defaultClock, LimitTrap, RunGuard } from './limit-trap.js';
export { MemoryPool, PAGE_BYTES, POOL_MAX_KEYS, POOL_PER_KEY } from './memory-pool.js';
export type { MemoryVfsOptions } from './memory-vfs.js';
export { MemoryVfs } from './memory-vfs.js';
export { mountVfs } from './mount.js';
export type { Preopen, Preview1Options } from './preview1.js';
export { PREVIEW1_FUNCTIONS, PREVIEW1_MODULE, Preview1 } from './preview1.js';
export { CLOCK_RESOLUTION_NS, MAX_OPEN_FDS } from './preview1-host-calls.js';
export { ReadOnlyVfs } from './read-only-vfs.js';
export type { ResolveOptions } from './resolve.js';
export { MAX_PATH_LENGTH, MAX_SYMLINK_HOPS, resolveInMount, wantsDirectory } from './resolve.js';
export type {
  WasmApi,
  WasmExportDescriptor,
  WasmGlobal,
  WasmImportDescriptor,
  WasmImports,
  WasmInstance,
  WasmMemory,
  WasmMemoryDescriptor,
  WasmModule,
} from './wasm-api.js';
export { Wasm } from './wasm-api.js';
export { WriteQuota, WriteQuotaVfs } from './write-quota-vfs.js';
