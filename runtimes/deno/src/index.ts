/**
 * @airlock/runtime-deno: the Host contract on Deno (file roots that never
 * follow a symlink, durable append logs, module Web Workers, clock, crypto).
 */
export type { DenoHostOptions } from './deno-host.js';
export { createDenoHost } from './deno-host.js';
