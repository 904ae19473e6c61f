/**
 * The policy document model: what `parsePolicy` returns once a YAML or JSON
 * text has been fully validated. It is plain, JSON-serialisable data (every
 * element remembers where it was written, for errors and `explain`), and it
 * is not yet executable: `compilePolicy` turns it into closures.
 *
 * The shapes mirror docs/policy-format.md one to one. A document that exists
 * as a value is a valid one: the parser never hands out a partial policy.
 */
import type { FsGrant, Limits, NetGrant, SecretRef, SourcePosition } from '@airlock/core';

/** The policy format version this package reads. */
export const POLICY_VERSION = 1;

/** A JSON value, as conditions compare them. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * What a rule does when it matches. `ask` is reserved for approvals and
 * today denies; it ranks between `deny` and `allow` (see docs/decisions/0002).
 */
export type RuleEffect = 'allow' | 'deny' | 'ask';

/** A condition on one subject, as written (after shorthand expansion). */
export type ConditionSpec =
  | { readonly kind: 'equals'; readonly value: JsonValue; readonly position: SourcePosition }
  | { readonly kind: 'in' | 'notIn'; readonly values: readonly JsonValue[]; readonly position: SourcePosition }
  | { readonly kind: 'range'; readonly min?: number; readonly max?: number; readonly position: SourcePosition }
  | { readonly kind: 'glob'; readonly pattern: string; readonly position: SourcePosition }
  | { readonly kind: 'regex'; readonly source: string; readonly position: SourcePosition }
  /** `mounts` are canonical absolute guest paths. */
  | { readonly kind: 'inside'; readonly mounts: readonly string[]; readonly position: SourcePosition }
  | { readonly kind: 'exists'; readonly value: boolean; readonly position: SourcePosition }
  | { readonly kind: 'not'; readonly condition: ConditionSpec; readonly position: SourcePosition }
  | { readonly kind: 'anyOf'; readonly conditions: readonly ConditionSpec[]; readonly position: SourcePosition }
  /** Several operators in one map (`{ min: 1, max: 9 }`): all must hold. */
  | { readonly kind: 'allOf'; readonly conditions: readonly ConditionSpec[]; readonly position: SourcePosition };

/** One `when` entry: a subject (`input.path`, `session.calls`, ...) and its condition. */
export interface WhenSpec {
  readonly subject: string;
  readonly condition: ConditionSpec;
  readonly position: SourcePosition;
}

/** A policy's grants. `net` patterns are canonical and their methods uppercase (see docs/policy-format.md). */
export interface GrantsSpec {
  readonly fs: readonly FsGrant[];
  readonly env: Readonly<Record<string, string>>;
  readonly net: readonly NetGrant[];
  /** The declared secrets this rule's net headers refer to (a subset of the document's). */
  readonly secrets: Readonly<Record<string, SecretRef>>;
}

export interface RuleSpec {
  readonly id: string;
  /** 0-based position in `rules`. */
  readonly index: number;
  readonly effect: RuleEffect;
  /** Names or globs; `*` is everyone. Never empty. */
  readonly agent: readonly string[];
  readonly tool: readonly string[];
  readonly when: readonly WhenSpec[];
  /** Allow rules only (empty otherwise). */
  readonly grants: GrantsSpec;
  readonly limits: Partial<Limits>;
  readonly redact: readonly string[];
  /** Deny and ask rules only: the sentence a denial carries. */
  readonly reason?: string;
  readonly position: SourcePosition;
}

/** Where the host reads a secret (`secrets: { NAME: { env: VAR } }`); never its value. */
export interface SecretSpec extends SecretRef {
  readonly position: SourcePosition;
}

/** A named host directory that mounts expose; `path` is as written. */
export interface VolumeSpec {
  readonly path: string;
  readonly position: SourcePosition;
}

export interface PolicyDocument {
  readonly version: typeof POLICY_VERSION;
  /** The file the policy came from, when known (for positions and volume paths). */
  readonly file?: string;
  readonly volumes: Readonly<Record<string, VolumeSpec>>;
  /** Declared secrets, by the name net headers use in `{{secret:NAME}}`. */
  readonly secrets: Readonly<Record<string, SecretSpec>>;
  /** Top-level limits: every allowed call's limits unless its rule overrides a field. */
  readonly limits: Partial<Limits>;
  readonly rules: readonly RuleSpec[];
}

/** One validation problem, as listed in `POLICY_INVALID` details. */
export interface PolicyProblem {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}
