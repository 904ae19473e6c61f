/**
 * @airlock/audit: the tamper-evident audit log.
 *
 * Records are deterministic CBOR, framed and SHA-256 chained in an
 * append-only file (format.ts says exactly what is hashed). Sinks implement
 * core's AuditSink: `MemoryAuditSink` in memory, and the durable sink from
 * `openAuditLog` over a Host AppendLog, with group commit and torn-tail
 * recovery. `verifyAuditLog` names the first bad record; `readAuditLog` and
 * `toJsonLines` are for showing and exporting.
 */

export { type AuditRecovery, FileAuditSink } from './file-sink.js';
export { FORMAT_VERSION, GENESIS_PREV, MAX_RECORD_BYTES } from './format.js';
export { toJsonLines } from './json-lines.js';
export { MemoryAppendLog } from './memory-append-log.js';
export { MemoryAuditSink } from './memory-sink.js';
export { type AuditHost, type OpenAuditLogOptions, openAuditLog } from './open.js';
export { type PartialRead, readAuditLog, readAuditLogPartial } from './read.js';
export { type VerifyFailure, type VerifyReason, type VerifyReport, verifyAuditLog } from './verify.js';
