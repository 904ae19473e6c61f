/**
 * Policy decision speed: a compiled 100-rule policy against a naive
 * interpreter that walks the parsed document on every call (the baseline,
 * written below, with the same semantics). Budget (DESIGN.md §6): ≤ 5 µs p50
 * per decision with 100 rules.
 *
 * Cases: a call allowed by rule ~90 (every earlier rule is looked at), a call
 * no rule names (default deny, after the "*" rules' conditions), and the
 * compiled policy with a cache miss on every call (a new agent each time).
 */
import type { Decision, DecisionRequest } from '@airlock/core';
import { type ConditionSpec, canonicalGuestPath, loadPolicy, type PolicyDocument, parsePolicy, type RuleSpec } from '@airlock/policy';
import { report, sampleSync } from './lib.js';

/** 100 rules: deny rules over everyone, named agents, glob teams, and all condition kinds. */
function generatePolicy(n = 100): string {
  const lines = ['version: 1', 'volumes:', '  workspace: { path: ./workspace }', 'limits: { wallMs: 5000 }', 'rules:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  - id: rule-${i}`);
    if (i % 10 === 0) {
      lines.push('    effect: deny', '    agent: "*"', '    tool: "*"', '    when:', `      input.path: { glob: "**/.secret-${i}*" }`);
      continue;
    }
    lines.push('    effect: allow');
    lines.push(i % 3 === 0 ? `    agent: ["team-${i % 7}-*", agent-${i}]` : `    agent: agent-${i}`);
    lines.push(i % 4 === 0 ? `    tool: ["tool-${i}", "grp-${i % 5}-*"]` : `    tool: tool-${i}`);
    lines.push('    when:');
    lines.push('      input.path: { inside: /workspace }');
    lines.push(`      input.pattern: { regex: "^[a-z]{1,${20 + i}}$" }`);
    lines.push('      input.maxMatches: { range: [1, 1000] }');
    lines.push('      input.mode: { in: [fast, full] }');
    lines.push('      session.calls: { max: 100 }');
    lines.push('    grants:', '      fs: [{ mount: /workspace, volume: workspace, access: read }]');
    lines.push(`    limits: { wallMs: ${1000 + i} }`);
  }
  return lines.join('\n') + '\n';
}

// ---- The baseline: interpret the parsed document on every call. ----

// A fairer second baseline memoises regex construction, so the compiled
// policy's remaining edge is the (agent, tool) index and the closures alone.
let memo: Map<string, RegExp> | null = null;

function cachedRegExp(source: string, flags: string): RegExp {
  if (!memo) return new RegExp(source, flags);
  const key = flags + ':' + source;
  let re = memo.get(key);
  if (!re) {
    re = new RegExp(source, flags);
    memo.set(key, re);
  }
  return re;
}

function globToRegExp(glob: string): RegExp {
  const hit = memo?.get('glob:' + glob);
  if (hit) return hit;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const compiled = new RegExp(`^${re}$`, 's');
  memo?.set('glob:' + glob, compiled);
  return compiled;
}

function namesMatch(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => p === '*' || p === name || globToRegExp(p).test(name));
}

const MISSING = Symbol('missing');

function subjectValue(req: DecisionRequest, subject: string): unknown {
  const parts = subject.split('.');
  let v: unknown = parts[0] === 'input' ? req.input : parts[0] === 'session' ? req.session : parts[0] === 'agent' ? req.agent : req.tool;
  for (const key of parts.slice(1)) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return MISSING;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function holds(c: ConditionSpec, v: unknown): boolean {
  switch (c.kind) {
    case 'equals':
      return JSON.stringify(v) === JSON.stringify(c.value);
    case 'in':
      return v !== MISSING && c.values.some((x) => JSON.stringify(x) === JSON.stringify(v));
    case 'notIn':
      return v !== MISSING && !c.values.some((x) => JSON.stringify(x) === JSON.stringify(v));
    case 'range':
      return typeof v === 'number' && v >= (c.min ?? -Infinity) && v <= (c.max ?? Infinity);
    case 'glob':
      return typeof v === 'string' && globToRegExp(c.pattern).test(v);
    case 'regex':
      return typeof v === 'string' && cachedRegExp(c.source, 'u').test(v);
    case 'inside': {
      const p = canonicalGuestPath(v);
      return p !== null && c.mounts.some((m) => p === m || p.startsWith(m === '/' ? m : m + '/'));
    }
    case 'exists':
      return (v !== MISSING) === c.value;
    case 'not':
      return !holds(c.condition, v);
    case 'anyOf':
      return c.conditions.some((x) => holds(x, v));
    case 'allOf':
      return c.conditions.every((x) => holds(x, v));
  }
}

function interpret(doc: PolicyDocument, req: DecisionRequest): Decision {
  const matches: RuleSpec[] = doc.rules.filter(
    (r) =>
      namesMatch(r.agent, req.agent) &&
      namesMatch(r.tool, req.tool) &&
      r.when.every((w) => holds(w.condition, subjectValue(req, w.subject))),
  );
  const pick =
    matches.find((r) => r.effect === 'deny') ?? matches.find((r) => r.effect === 'ask') ?? matches.find((r) => r.effect === 'allow');
  if (!pick) return { effect: 'deny', rule: null, reason: `no rule allows agent "${req.agent}" to call tool "${req.tool}"` };
  const rule = { id: pick.id, index: pick.index, position: pick.position };
  if (pick.effect !== 'allow') return { effect: pick.effect, rule, reason: pick.reason ?? `denied by rule "${pick.id}"` };
  return {
    effect: 'allow',
    rule,
    reason: `allowed by rule "${pick.id}"`,
    grants: pick.grants,
    limits: { ...doc.limits, ...pick.limits },
    redact: pick.redact,
  };
}

// ---- Run. ----

const text = generatePolicy(100);
const doc = parsePolicy(text);
const policy = loadPolicy(text);
const session = { id: 's', calls: 3, toolCalls: {} };
const hit: DecisionRequest = {
  agent: 'agent-91',
  tool: 'tool-91',
  input: { path: '/workspace/src/a.ts', pattern: 'needle', maxMatches: 10, mode: 'fast' },
  session,
};
// Rule 90 is a deny over everyone (every 10th is), so the allow ~90 deep is rule 91.
const hitReq = hit;
const missReq: DecisionRequest = { ...hit, agent: 'nobody', tool: 'nothing' };

for (const [name, req, want] of [
  ['hit', hitReq, 'rule-91'],
  ['miss', missReq, null],
] as const) {
  const a = policy.decide(req);
  const b = interpret(doc, req);
  if ((a.rule?.id ?? null) !== want || (b.rule?.id ?? null) !== want)
    throw new Error(`bench setup: ${name} decided ${a.rule?.id} / ${b.rule?.id}`);
}

let i = 0;
const agents = Array.from({ length: 10_000 }, (_, k) => `stranger-${k}`);
const rows = [
  sampleSync('compiled decide, allowed by rule 91 of 100', () => policy.decide(hitReq)),
  sampleSync('compiled decide, default deny', () => policy.decide(missReq)),
  sampleSync('compiled decide, new agent every call (cache miss)', () =>
    policy.decide({ ...missReq, agent: agents[i++ % agents.length]! }),
  ),
  sampleSync('baseline interpreter, allowed by rule 91', () => interpret(doc, hitReq), { samples: 500, batch: 10, warmup: 100 }),
  sampleSync('baseline interpreter, default deny', () => interpret(doc, missReq), { samples: 500, batch: 10, warmup: 100 }),
  ...(() => {
    memo = new Map();
    const out = [
      sampleSync('baseline interpreter + memoised regexes, allowed by rule 91', () => interpret(doc, hitReq)),
      sampleSync('baseline interpreter + memoised regexes, default deny', () => interpret(doc, missReq)),
    ];
    memo = null;
    return out;
  })(),
  sampleSync('parse + compile the 100-rule policy', () => loadPolicy(text), { samples: 50, batch: 1, warmup: 5 }),
];
const [hitC, missC, , hitB, missB, hitM, missM] = rows;
report('policy decision, 100 rules', rows, {
  'speedup p50, allowed by rule 91 (naive baseline / compiled)': hitB!.p50us / hitC!.p50us,
  'speedup p50, default deny (naive baseline / compiled)': missB!.p50us / missC!.p50us,
  'speedup p50, allowed by rule 91 (memoised baseline / compiled)': hitM!.p50us / hitC!.p50us,
  'speedup p50, default deny (memoised baseline / compiled)': missM!.p50us / missC!.p50us,
  'budget p50 (µs)': 5,
  'within budget': hitC!.p50us <= 5 && missC!.p50us <= 5,
});
