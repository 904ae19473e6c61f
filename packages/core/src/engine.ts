/**
 * The Engine contract: one per sandbox kind. An engine prepares an artifact
 * once (validate, compile, cache by digest) and runs each call in a fresh
 * sandbox built only from that call's mounts, env and limits.
 */

import type { FsAccess, NetGrant } from './grants.js';
import type { HostNet } from './host.js';
import type { EgressLimits, Limits } from './limits.js';
import type { EngineKind } from './manifest.js';
import type { CallResult } from './result.js';
import type { Tool } from './tool.js';
import type { Usage } from './usage.js';
import type { Vfs } from './vfs.js';

/** A granted mount, resolved to the Vfs that backs it. */
export interface Mount {
  /** Absolute guest path, e.g. `/workspace`. */
  readonly path: string;
  readonly vfs: Vfs;
  readonly access: FsAccess;
}

export interface RunRequest {
  readonly callId: string;
  /** The call's input, UTF-8 JSON: the guest's stdin for command tools. */
  readonly input: Uint8Array;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly mounts: readonly Mount[];
  readonly limits: Limits;
  /**
   * What an engine with network access (wasi:http, fetch) hands to
   * `createEgress` from @airlock/egress. Absent when nothing is granted: the
   * guest then has no network at all.
   */
  readonly egress?: EgressContext;
  /**
   * Call another tool through the gate, as its own audited call with this
   * call as its parent, under the same agent and session. Set by the Gate
   * (absent past its nesting depth, MAX_CALL_DEPTH); engines that let a guest
   * call tools (the js engine's `tools.call`) use it, others ignore it.
   */
  readonly callTool?: (tool: string, input: unknown) => Promise<CallResult>;
}

/** A call's network: its grants, its secrets, the host's HTTP, and the caps. */
export interface EgressContext {
  readonly grants: readonly NetGrant[];
  /** The value of a secret the grants name, read from the host; undefined if unset. */
  readonly secrets: (name: string) => string | undefined;
  /** Absent when the host offers no network: every request is then denied. */
  readonly net?: HostNet;
  readonly limits: EgressLimits;
}

/**
 * One outbound request the guest made, or one redirect hop of it, allowed or
 * denied. Secret values never appear: headers are not recorded, and the URL
 * is the guest's (secrets are only ever injected into headers).
 */
export interface EgressRecord {
  /** The URL as the guest sent it (or as the redirect named it), without its fragment, cut at 2048 characters. */
  readonly url: string;
  readonly method: string;
  readonly decision: 'allowed' | 'denied';
  /** Why, in a sentence ("matched https://api.example.com/v1/*", "no grant covers ..."). */
  readonly reason: string;
  /** The pattern of the grant that matched, or null. */
  readonly grant: string | null;
  /** 0 for the guest's own request, n for the n-th redirect followed for it. */
  readonly hop: number;
  /** The response status, when a response came back. */
  readonly status?: number;
  /** Response body bytes read. */
  readonly bytes?: number;
  /** Which cap stopped it, when one did. */
  readonly limit?: 'response-bytes' | 'timeout' | 'redirects';
  /** Milliseconds from the check to the end of the exchange. */
  readonly ms: number;
}

/**
 * How a run ended. `ok`: exit 0 (stdout is the output). `failed`: the tool
 * itself reported failure (non-zero exit). `limit`: a limit trapped it.
 * `crashed`: the guest trapped for another reason (unreachable, bad access).
 */
export type RunStatus = 'ok' | 'failed' | 'limit' | 'crashed';

export type LimitKind = 'wall-time' | 'fuel' | 'memory' | 'output' | 'stderr' | 'fs-write';

export interface RunOutcome {
  readonly status: RunStatus;
  readonly exitCode: number | null;
  readonly stdout: Uint8Array;
  /** Captured stderr, already capped. */
  readonly stderr: Uint8Array;
  readonly usage: Usage;
  /** Which limit stopped it, when status is `limit`. */
  readonly limit?: LimitKind;
  /** A human sentence for `failed`, `limit` and `crashed`. */
  readonly message?: string;
  /** File-system denials the guest met (path and errno), for the audit log. */
  readonly denials?: readonly { readonly op: string; readonly path: string; readonly errno: string }[];
  /** Every outbound request and redirect hop, allowed or denied, for the audit log. */
  readonly egress?: readonly EgressRecord[];
}

export interface PreparedTool {
  run(request: RunRequest): Promise<RunOutcome>;
}

export interface Engine {
  readonly kind: EngineKind;
  /** Validate and compile (cached by `tool.digest`); throws WASM_INVALID. */
  prepare(tool: Tool): Promise<PreparedTool>;
}
