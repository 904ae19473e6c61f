/** What a call returns to the agent. */
import type { CallStatus } from './audit-record.js';
import type { Effect } from './decision.js';
import type { EgressRecord, LimitKind } from './engine.js';
import type { ErrorCode } from './errors.js';
import type { Usage } from './usage.js';

export interface CallRequest {
  readonly agent: string;
  readonly session: string;
  readonly tool: string;
  /** A JSON value, or JSON text as a string when `inputIsText` is set. */
  readonly input: unknown;
  /** Treat `input` as raw JSON text (the CLI's `--input`), checked for size first. */
  readonly inputIsText?: boolean;
  readonly parentId?: string;
}

export interface CallResult {
  readonly id: string;
  readonly status: CallStatus;
  /** The tool's parsed JSON output (status `ok`). */
  readonly output?: unknown;
  /** Captured stderr text, capped. */
  readonly stderr?: string;
  readonly decision: { readonly effect: Effect; readonly rule: string | null; readonly reason: string };
  readonly usage: Usage;
  /** For `error` (and `limit`): what went wrong. */
  readonly error?: { readonly code: ErrorCode; readonly message: string };
  readonly limit?: LimitKind;
  readonly exitCode?: number | null;
  /** File-system operations the sandbox refused (also in the audit outcome). */
  readonly denials?: readonly { readonly op: string; readonly path: string; readonly errno: string }[];
  /** Outbound requests, allowed or denied (also in the audit outcome). */
  readonly egress?: readonly EgressRecord[];
}
