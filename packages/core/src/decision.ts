/**
 * Decisions: what the policy says about one call. A Decision is a value,
 * never an exception; it always names the rule that produced it (or `null`
 * for the built-in default deny), so `explain` and the audit log can show why.
 */

import type { SourcePosition } from './errors.js';
import type { Grants } from './grants.js';
import type { Limits } from './limits.js';

/** Points at the rule that decided: its id, its index, where it is written. */
export interface RuleRef {
  readonly id: string;
  readonly index: number;
  readonly position?: SourcePosition;
}

/** The session a call belongs to, as the policy may see it. */
export interface SessionContext {
  readonly id: string;
  /** Calls this session made before this one (decided, whatever the outcome). */
  readonly calls: number;
  /** Per-tool count of earlier calls in this session. */
  readonly toolCalls: Readonly<Record<string, number>>;
}

/** Everything a policy may look at to decide. */
export interface DecisionRequest {
  readonly agent: string;
  readonly tool: string;
  readonly input: unknown;
  readonly session: SessionContext;
}

interface Decided {
  readonly rule: RuleRef | null;
  /** One human sentence: why. */
  readonly reason: string;
}

/** Run the tool with these grants and limits (still ∩ the manifest). */
export interface AllowDecision extends Decided {
  readonly effect: 'allow';
  readonly grants: Grants;
  readonly limits: Partial<Limits>;
  /** Input paths (`input.a.b`) whose values the audit log must not store. */
  readonly redact: readonly string[];
}

export interface DenyDecision extends Decided {
  readonly effect: 'deny';
}

/** Run, but with a rewritten input (e.g. a clamped limit). */
export interface ModifyDecision extends Decided {
  readonly effect: 'modify';
  readonly input: unknown;
  readonly grants: Grants;
  readonly limits: Partial<Limits>;
  readonly redact: readonly string[];
}

/** A human must approve (approvals arrive in a later issue; today: denied). */
export interface AskDecision extends Decided {
  readonly effect: 'ask';
}

export type Decision = AllowDecision | DenyDecision | ModifyDecision | AskDecision;
export type Effect = Decision['effect'];

/** A compiled policy: a decision is a function call, not a parse. */
export interface PolicyDecider {
  decide(request: DecisionRequest): Decision;
}
