/**
 * Audit records: what the gate writes, and the sink contract it writes to.
 * The serialised form (CBOR, SHA-256 chain, framing) is packages/audit's
 * business; this is the content every record carries.
 *
 * Each call writes two records: a `decision` record before anything runs
 * (write-ahead) and an `outcome` record after. A sink may add its own
 * records (`recovery` after cutting a torn tail, `open` when a writer starts).
 */
import type { Effect } from './decision.js';
import type { EgressRecord } from './engine.js';
import type { Grants } from './grants.js';
import type { Limits } from './limits.js';
import type { Usage } from './usage.js';

export type AuditKind = 'decision' | 'outcome' | 'recovery' | 'open';

export type CallStatus = 'ok' | 'denied' | 'limit' | 'error';

/** The content of a record, before the sink numbers and chains it. */
export interface AuditEntry {
  readonly kind: AuditKind;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly callId?: string;
  /** The call that made this one (a snippet calling a tool), if any. */
  readonly parentId?: string;
  readonly agent?: string;
  readonly session?: string;
  readonly tool?: string;
  /** Hex SHA-256 of the UTF-8 JSON input as received. */
  readonly inputDigest?: string;
  /** The input with redacted fields replaced by "[redacted]". */
  readonly input?: unknown;
  readonly decision?: {
    readonly effect: Effect;
    /** Rule id, or null for the default deny / a pre-policy check. */
    readonly rule: string | null;
    readonly reason: string;
  };
  readonly grants?: Grants;
  readonly limits?: Limits;
  readonly usage?: Usage;
  readonly outcome?: {
    readonly status: CallStatus;
    readonly code?: string;
    readonly message?: string;
    readonly exitCode?: number | null;
    readonly limit?: string;
    readonly denials?: readonly { readonly op: string; readonly path: string; readonly errno: string }[];
    /** Outbound requests and redirect hops, allowed or denied (no secret values). */
    readonly egress?: readonly EgressRecord[];
  };
  /** Hex SHA-256 of the output bytes. */
  readonly resultDigest?: string;
  /** Free-form details for `recovery` and `open` records. */
  readonly note?: Record<string, unknown>;
}

/** A record as stored: numbered and chained. */
export interface AuditRecord extends AuditEntry {
  /** 0-based position in the log. */
  readonly seq: number;
  /** Hex SHA-256 of the previous record's bytes (64 zeros for the first). */
  readonly prev: string;
}

export interface AuditSink {
  /**
   * Number, chain and store `entry`. Resolves once the record is durable
   * (for a durable sink, after the group commit's fsync).
   */
  append(entry: AuditEntry): Promise<AuditRecord>;
  close(): Promise<void>;
}
