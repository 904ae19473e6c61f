/**
 * @airlock/runtime-node: the Host contract on Node (file roots that never
 * follow a symlink, durable append logs, worker threads, clock, crypto,
 * outbound HTTP that connects only to approved addresses, secrets from the
 * environment), and the host-neutral conformance cases every runtime's Host
 * passes. Also the host-neutral single-writer lock of a durable log, so the
 * Deno runtime takes the very same lock file (log-lock.ts).
 */

export type { HostContractCase, HostContractHelpers } from './host-contract-cases.js';
export { hostContractCases } from './host-contract-cases.js';
export type { LockHolder, LockHost, LogLock } from './log-lock.js';
export { acquireLogLock, lockPathFor } from './log-lock.js';
export type { NodeHostOptions } from './node-host.js';
export { createNodeHost } from './node-host.js';
export { createNodeNet } from './node-net.js';
