/**
 * @airlock/sdk: the library entry. `openGate` wires policy, tools, engines
 * and audit on a Host; the parts are re-exported for embedders who wire
 * their own.
 */

export type { OpenedGate, OpenGateOptions } from './open-gate.js';
export { DEFAULT_AUDIT_PATH, DEFAULT_POLICY_FILE, openGate, readPolicy } from './open-gate.js';
