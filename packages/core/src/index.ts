/**
 * @airlock/core: the contracts every part of Airlock shares, and the Gate
 * that takes one call through policy → sandbox → audit.
 */

export type { AuditEntry, AuditKind, AuditRecord, AuditSink, CallStatus } from './audit-record.js';
export type {
  AllowDecision,
  AskDecision,
  Decision,
  DecisionRequest,
  DenyDecision,
  Effect,
  ModifyDecision,
  PolicyDecider,
  RuleRef,
  SessionContext,
} from './decision.js';
export type {
  EgressContext,
  EgressRecord,
  Engine,
  LimitKind,
  Mount,
  PreparedTool,
  RunOutcome,
  RunRequest,
  RunStatus,
} from './engine.js';
export type { AirlockErrorOptions, ErrorCode, SourcePosition } from './errors.js';
export { AirlockError, ERROR_CODES, exitCodeFor, isAirlockError } from './errors.js';
export type { EvalRequest, GateOptions } from './gate.js';
export { Gate, MAX_CALL_DEPTH } from './gate.js';
export type { CapabilityRequest, FsAccess, FsGrant, Grants, NetGrant, SecretRef } from './grants.js';
export { intersectGrants, NO_GRANTS } from './grants.js';
export type {
  AppendLog,
  Host,
  HostClock,
  HostCrypto,
  HostFs,
  HostNet,
  HostNetFailure,
  HostNetRequest,
  HostNetResponse,
  HostSecrets,
  HostStorage,
  HostWorker,
  HostWorkers,
} from './host.js';
export { fromUtf8, lineColumn, parseJsonText, toHex, utf8 } from './json.js';
export type { EgressLimits, Limits } from './limits.js';
export { DEFAULT_EGRESS_LIMITS, DEFAULT_LIMITS, egressLimits, LIMIT_KEYS, MiB, resolveLimits } from './limits.js';
export type { EngineKind, JsonSchema, ToolManifest } from './manifest.js';
export { ENGINE_KINDS, parseManifest, validateLimits, validateManifest } from './manifest.js';
export type { NetPattern, NetScheme, NetTarget } from './net-pattern.js';
export {
  DEFAULT_PORTS,
  isIpLiteralHost,
  matchNetPattern,
  netPatternCovers,
  parseNetPattern,
  readNetTarget,
  SECRET_REFERENCE,
  secretNames,
} from './net-pattern.js';
export { REDACTED, redactInput } from './redact.js';
export type { CallRequest, CallResult } from './result.js';
export type { SchemaCheck } from './schema.js';
export { checkSchema } from './schema.js';
export { SessionTable } from './sessions.js';
export type { Tool, ToolRegistry } from './tool.js';
export { StaticRegistry } from './tool.js';
export { ToolDirectory } from './tool-directory.js';
export type { Usage } from './usage.js';
export { ZERO_USAGE } from './usage.js';
export type { Vfs, VfsDirent, VfsErrorCode, VfsFile, VfsNodeType, VfsOpenFlags, VfsStat } from './vfs.js';
export { assertComponents, VfsError, vfsErrorFromErrno } from './vfs.js';
