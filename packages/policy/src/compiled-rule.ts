/**
 * One rule, compiled: name matchers for `agent` and `tool`, a `when`
 * closure over getters and condition tests, and the Decision it produces,
 * built and frozen once so that deciding allocates nothing.
 *
 * The `when` closure is the conjunction of its entries in document order and
 * stops at the first that fails. Unrolled small cases (no conditions, one,
 * two) keep the common rules to a call or two.
 */
import type { AllowDecision, AskDecision, DecisionRequest, DenyDecision, Limits, RuleRef } from '@airlock/core';
import { type CompiledCondition, compileCondition } from './condition.js';
import { compileGlob, isGlob } from './glob.js';
import type { RuleSpec } from './model.js';
import { compileSubject, type Getter } from './subject.js';

export interface CompiledCheck {
  readonly subject: string;
  readonly get: Getter;
  readonly condition: CompiledCondition;
  readonly spec: RuleSpec['when'][number];
}

export interface CompiledRule {
  readonly spec: RuleSpec;
  readonly ref: RuleRef;
  readonly matchAgent: (name: string) => boolean;
  readonly matchTool: (name: string) => boolean;
  readonly checks: readonly CompiledCheck[];
  /** True when every `when` entry holds. */
  readonly when: (req: DecisionRequest) => boolean;
  readonly decision: AllowDecision | DenyDecision | AskDecision;
}

/** A matcher over names: `*` matches all, plain names by set lookup, globs by regex. */
export function compileNames(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !isGlob(p)));
  const globs = patterns.filter(isGlob).map(compileGlob);
  if (globs.length === 0) return (name) => exact.has(name);
  return (name) => exact.has(name) || globs.some((g) => g(name));
}

function compileWhen(checks: readonly CompiledCheck[]): (req: DecisionRequest) => boolean {
  const gets = checks.map((c) => c.get);
  const tests = checks.map((c) => c.condition.test);
  if (checks.length === 0) return () => true;
  if (checks.length === 1) {
    const [g0, t0] = [gets[0]!, tests[0]!];
    return (req) => t0(g0(req));
  }
  if (checks.length === 2) {
    const [g0, t0, g1, t1] = [gets[0]!, tests[0]!, gets[1]!, tests[1]!];
    return (req) => t0(g0(req)) && t1(g1(req));
  }
  const n = checks.length;
  return (req) => {
    for (let i = 0; i < n; i++) if (!tests[i]!(gets[i]!(req))) return false;
    return true;
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Compile one rule; `defaults` are the policy's top-level limits (the rule wins per field). */
export function compileRule(spec: RuleSpec, defaults: Partial<Limits>): CompiledRule {
  const ref: RuleRef = { id: spec.id, index: spec.index, position: spec.position };
  const checks: CompiledCheck[] = spec.when.map((w) => ({
    subject: w.subject,
    get: compileSubject(w.subject),
    condition: compileCondition(w.condition),
    spec: w,
  }));
  let decision: AllowDecision | DenyDecision | AskDecision;
  if (spec.effect === 'allow') {
    decision = {
      effect: 'allow',
      rule: ref,
      reason: `allowed by rule ${JSON.stringify(spec.id)}`,
      grants: {
        fs: spec.grants.fs.map((g) => ({ ...g })),
        env: { ...spec.grants.env },
        net: spec.grants.net.map((g) => ({ ...g })),
        ...(Object.keys(spec.grants.secrets).length > 0 ? { secrets: { ...spec.grants.secrets } } : {}),
      },
      limits: { ...defaults, ...spec.limits },
      redact: [...spec.redact],
    };
  } else if (spec.effect === 'deny') {
    decision = { effect: 'deny', rule: ref, reason: spec.reason ?? `denied by rule ${JSON.stringify(spec.id)}` };
  } else {
    decision = {
      effect: 'ask',
      rule: ref,
      reason: spec.reason ?? `rule ${JSON.stringify(spec.id)} asks for approval, and approvals are not available yet`,
    };
  }
  return {
    spec,
    ref: deepFreeze(ref),
    matchAgent: compileNames(spec.agent),
    matchTool: compileNames(spec.tool),
    checks,
    when: compileWhen(checks),
    decision: deepFreeze(decision),
  };
}
