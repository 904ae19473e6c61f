/**
 * `compilePolicy`: a validated `PolicyDocument` to a `CompiledPolicy`, the
 * fast decision function the Gate calls on every tool call.
 *
 * Semantics (docs/policy-format.md, docs/decisions/0002): a rule matches
 * when its `agent`, `tool` and every `when` entry match. Among matching
 * rules, the first `deny` decides; else the first `ask`; else the first
 * `allow`, in document order; else the built-in default denies with
 * `rule: null`.
 *
 * Speed comes from doing the work once. Conditions are closures, globs and
 * regexes are compiled at load, every rule's Decision is built and frozen
 * in advance, and for each (agent, tool) pair the rules whose names match
 * are found once and cached, split by effect, so a call only runs the
 * `when` closures of its own candidates. The cache is per policy instance
 * and bounded; an attacker cycling names only costs rebuilds.
 */
import type { Decision, DecisionRequest, DenyDecision, Limits, PolicyDecider } from '@airlock/core';
import { type CompiledRule, compileRule } from './compiled-rule.js';
import { type Explanation, traceRule } from './explanation.js';
import type { PolicyDocument, RuleSpec } from './model.js';

export interface CompileOptions {
  /** Resolve a volume path against a base directory. Default: the path as written. */
  readonly resolvePath?: (base: string, path: string) => string;
  /** The base for volume paths. Default: the directory of `doc.file` (or "."). */
  readonly baseDir?: string;
  /** How the default deny explains itself (used by `denyAllPolicy`). */
  readonly defaultReason?: (agent: string, tool: string) => string;
}

export interface CompiledPolicy extends PolicyDecider {
  /** Decide one call. Never throws: a failure inside evaluation denies. */
  decide(request: DecisionRequest): Decision;
  /** The decision plus, per rule, whether it matched and why not. */
  explain(request: DecisionRequest): Explanation;
  /** Declared volumes with paths resolved (see `CompileOptions.resolvePath`). */
  readonly volumes: Readonly<Record<string, { readonly path: string }>>;
  /** Top-level limits, under every rule's own. */
  readonly limits: Partial<Limits>;
  /** The rules as written, in document order. */
  readonly rules: readonly RuleSpec[];
  readonly file?: string;
}

/** Rules whose agent and tool patterns match one (agent, tool) pair, by effect. */
interface Candidates {
  readonly deny: readonly CompiledRule[];
  readonly ask: readonly CompiledRule[];
  readonly allow: readonly CompiledRule[];
  readonly fallback: DenyDecision;
}

/** Most (agent, tool) pairs cached per policy before the cache starts over. */
export const MAX_CACHED_PAIRS = 4096;

function directoryOf(file: string | undefined): string {
  if (file === undefined) return '.';
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut < 0 ? '.' : cut === 0 ? file.slice(0, 1) : file.slice(0, cut);
}

export function defaultDenyReason(agent: string, tool: string): string {
  return `no rule allows agent ${JSON.stringify(agent)} to call tool ${JSON.stringify(tool)}`;
}

/**
 * The default deny for a call that some allow rule names (same agent, same
 * tool) but whose conditions fail: say which condition of the first such
 * rule failed, so the agent and the audit log learn why, not just that. Only
 * denials pay for this; an allowed call never gets here.
 */
function nearMiss(c: Candidates, req: DecisionRequest): Decision {
  const first = c.allow[0]!;
  const failure = traceRule(first, req).failure;
  if (!failure) return c.fallback;
  return {
    effect: 'deny',
    rule: null,
    reason: `${c.fallback.reason}: rule ${JSON.stringify(first.spec.id)} does not match: ${failure.message}`,
  };
}

export function compilePolicy(doc: PolicyDocument, opts: CompileOptions = {}): CompiledPolicy {
  const resolvePath = opts.resolvePath ?? ((_base: string, p: string) => p);
  const base = opts.baseDir ?? directoryOf(doc.file);
  const volumes: Record<string, { path: string }> = {};
  for (const [name, v] of Object.entries(doc.volumes)) {
    Object.defineProperty(volumes, name, { value: Object.freeze({ path: resolvePath(base, v.path) }), enumerable: true });
  }
  const limits = Object.freeze({ ...doc.limits });
  const rules = doc.rules.map((r) => compileRule(r, limits));
  const reasonFor = opts.defaultReason ?? defaultDenyReason;

  let cache = new Map<string, Map<string, Candidates>>();
  let cached = 0;
  const candidates = (agent: string, tool: string): Candidates => {
    let byTool = cache.get(agent);
    const hit = byTool?.get(tool);
    if (hit) return hit;
    if (cached >= MAX_CACHED_PAIRS) {
      cache = new Map();
      cached = 0;
      byTool = undefined;
    }
    const matching = rules.filter((r) => r.matchAgent(agent) && r.matchTool(tool));
    const fresh: Candidates = {
      deny: matching.filter((r) => r.spec.effect === 'deny'),
      ask: matching.filter((r) => r.spec.effect === 'ask'),
      allow: matching.filter((r) => r.spec.effect === 'allow'),
      fallback: Object.freeze({ effect: 'deny', rule: null, reason: reasonFor(agent, tool) }),
    };
    if (!byTool) {
      byTool = new Map();
      cache.set(agent, byTool);
    }
    byTool.set(tool, fresh);
    cached++;
    return fresh;
  };

  const decide = (req: DecisionRequest): Decision => {
    const { agent, tool } = req;
    if (typeof agent !== 'string' || typeof tool !== 'string')
      return { effect: 'deny', rule: null, reason: 'the request names no agent or tool (both must be strings)' };
    const c = candidates(agent, tool);
    try {
      for (const r of c.deny) if (r.when(req)) return r.decision;
      for (const r of c.ask) if (r.when(req)) return r.decision;
      for (const r of c.allow) if (r.when(req)) return r.decision;
    } catch (err) {
      // Conditions do not throw on JSON input; an exotic input (a throwing
      // getter, a Proxy) can. Fail closed, as a value.
      const why = err instanceof Error ? err.message : String(err);
      return { effect: 'deny', rule: null, reason: `the policy could not evaluate this request (${why})` };
    }
    return c.allow.length > 0 ? nearMiss(c, req) : c.fallback;
  };

  const explain = (req: DecisionRequest): Explanation => ({ decision: decide(req), rules: rules.map((r) => traceRule(r, req)) });

  return Object.freeze({
    decide,
    explain,
    volumes: Object.freeze(volumes),
    limits,
    rules: doc.rules,
    ...(doc.file === undefined ? {} : { file: doc.file }),
  });
}
