/**
 * @airlock/sdk: the library entry. `openGate` wires policy, tools, engines
 * and audit on a Host; the parts are re-exported for embedders who wire
 * their own.
 */

export type { OpenedGate, OpenGateOptions } from './open-gate.js';
export { DEFAULT_AUDIT_PATH, DEFAULT_POLICY_FILE, defaultEngines, openGate, readPolicy } from './open-gate.js';
export { directoryTranspileCache } from './transpile-cache.js';

/** Where the CLI keeps transpiled components (content-hash keyed). */
export const DEFAULT_CACHE_DIR = '.airlock/cache';
export type { PreparedComponent, ToolDescriptor } from '@airlock/engine-component';
export { createComponentEngine, importsHttp } from '@airlock/engine-component';
