/**
 * `explain`: the decision for a request plus, for every rule in document
 * order, whether it matched and, if not, the first thing that did not hold,
 * in words ("input.path is \"/etc/passwd\"; expected it to be a path inside
 * /workspace"). It walks the same compiled closures as `decide`, so the
 * explanation cannot drift from the decision; it is the slow path and
 * allocates freely.
 */
import type { Decision, DecisionRequest, RuleRef, SourcePosition } from '@airlock/core';
import type { CompiledRule } from './compiled-rule.js';
import { render } from './condition.js';
import type { RuleEffect } from './model.js';

/** The first part of a rule that did not hold for a request. */
export interface RuleFailure {
  /** `agent`, `tool`, or the `when` subject (`input.path`). */
  readonly subject: string;
  /** One sentence: what the value was and what the rule expected. */
  readonly message: string;
  /** Where the failing part is written. */
  readonly position: SourcePosition;
}

export interface RuleTrace {
  readonly rule: RuleRef;
  readonly effect: RuleEffect;
  readonly matched: boolean;
  /** Null when the rule matched. */
  readonly failure: RuleFailure | null;
}

export interface Explanation {
  readonly decision: Decision;
  readonly rules: readonly RuleTrace[];
}

function nameFailure(kind: 'agent' | 'tool', name: unknown, patterns: readonly string[], at: SourcePosition): RuleFailure {
  const list = patterns.map((p) => JSON.stringify(p)).join(', ');
  return { subject: kind, message: `${kind} ${render(name)} is not matched by ${list}`, position: at };
}

/** Trace one rule against a request. */
export function traceRule(rule: CompiledRule, req: DecisionRequest): RuleTrace {
  const base = { rule: rule.ref, effect: rule.spec.effect };
  const at = rule.spec.position;
  if (typeof req.agent !== 'string' || !rule.matchAgent(req.agent))
    return { ...base, matched: false, failure: nameFailure('agent', req.agent, rule.spec.agent, at) };
  if (typeof req.tool !== 'string' || !rule.matchTool(req.tool))
    return { ...base, matched: false, failure: nameFailure('tool', req.tool, rule.spec.tool, at) };
  for (const check of rule.checks) {
    const value = check.get(req);
    if (!check.condition.test(value)) {
      const message = `${check.subject} ${check.condition.why(value)}`;
      return { ...base, matched: false, failure: { subject: check.subject, message, position: check.spec.position } };
    }
  }
  return { ...base, matched: true, failure: null };
}

/** Plain-text rendering, one line per rule, for CLIs and logs. */
export function formatExplanation(e: Explanation): string {
  const d = e.decision;
  const head = `${d.effect}${d.rule ? ` by rule ${JSON.stringify(d.rule.id)}` : ' (no rule)'}: ${d.reason}`;
  const lines = e.rules.map((t) => {
    const where = t.rule.position ? ` (line ${t.rule.position.line})` : '';
    return `  ${t.matched ? 'matched ' : 'no match'} ${t.effect} ${JSON.stringify(t.rule.id)}${where}${t.failure ? `: ${t.failure.message}` : ''}`;
  });
  return [head, ...lines].join('\n');
}
