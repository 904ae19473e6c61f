/**
 * Reading one rule from the document into a `RuleSpec`, reporting every
 * problem with its position. What each field means is in
 * docs/policy-format.md; what this adds is the cross-field checks: grants,
 * limits and redact belong to allow rules, a reason to deny/ask rules, and
 * every mount names a declared volume.
 */
import type { FsAccess, FsGrant, Limits, NetGrant, SecretRef, SourcePosition } from '@airlock/core';
import { canonicalGuestPath } from './canonical-path.js';
import type { ConditionSpec, GrantsSpec, RuleEffect, RuleSpec, WhenSpec } from './model.js';
import { readCondition } from './read-condition.js';
import { readLimits } from './read-limits.js';
import { readNetGrants } from './read-net.js';
import { isInputPath, subjectError } from './subject.js';
import { type Entry, quote, type Val, type YamlReader } from './yaml-reader.js';

export const RULE_KEYS = ['id', 'effect', 'agent', 'tool', 'when', 'grants', 'limits', 'redact', 'reason'] as const;
export const RULE_ID = /^[A-Za-z0-9_.-]+$/;
const EFFECTS: readonly RuleEffect[] = ['allow', 'deny', 'ask'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NO_GRANTS: GrantsSpec = { fs: [], env: {}, net: [], secrets: {} };

/** What rules share while being read: declared volumes and secrets, and the ids seen so far. */
export interface RuleContext {
  readonly volumes: ReadonlySet<string>;
  readonly secrets: Readonly<Record<string, SecretRef>>;
  readonly ids: Map<string, SourcePosition>;
}

export function readRule(r: YamlReader, v: Val, index: number, ctx: RuleContext): RuleSpec | undefined {
  const where = `rules[${index}]`;
  const entries = r.map(v, where);
  if (!entries) return undefined;
  const f = r.known(entries, RULE_KEYS, `a rule (${where})`);
  const before = r.problems.length;
  const need = (key: string): Entry | undefined => {
    const e = f.get(key);
    if (!e) r.problem(v.at, `${where} has no "${key}"; expected ${REQUIRED[key]}`);
    return e;
  };

  const idEntry = need('id');
  const id = idEntry ? r.string(idEntry.value, `${where}.id`, 'a rule id matching [A-Za-z0-9_.-]+') : undefined;
  if (id !== undefined && idEntry) {
    if (!RULE_ID.test(id))
      r.problem(idEntry.value.at, `rule id ${quote(id)} has characters outside [A-Za-z0-9_.-]; expected e.g. "analyst-reads"`);
    const first = ctx.ids.get(id);
    if (first) r.problem(idEntry.value.at, `duplicate rule id ${quote(id)} (first at ${first.line}:${first.column}); expected unique ids`);
    else ctx.ids.set(id, idEntry.value.at);
  }
  const label = id === undefined ? where : `rule ${quote(id)}`;

  const effectEntry = need('effect');
  const effectText = effectEntry ? r.string(effectEntry.value, `${label}.effect`, 'allow, deny or ask') : undefined;
  const effect = EFFECTS.find((e) => e === effectText);
  if (effectEntry && effectText !== undefined && !effect)
    r.problem(effectEntry.value.at, `${label}.effect is ${quote(effectText)}; expected allow, deny or ask`);

  const agentEntry = need('agent');
  const agent = agentEntry ? readNames(r, agentEntry.value, `${label}.agent`) : undefined;
  const toolEntry = need('tool');
  const tool = toolEntry ? readNames(r, toolEntry.value, `${label}.tool`) : undefined;

  const whenEntry = f.get('when');
  const when = whenEntry ? readWhen(r, whenEntry.value, `${label}.when`) : [];

  // Fields that only make sense on one effect.
  if (effect && effect !== 'allow') {
    for (const key of ['grants', 'limits', 'redact'] as const) {
      const e = f.get(key);
      if (e) r.problem(e.keyAt, `${label} is a ${effect} rule and cannot have "${key}"; expected ${key} only on allow rules`);
    }
  }
  const reasonEntry = f.get('reason');
  if (effect === 'allow' && reasonEntry)
    r.problem(reasonEntry.keyAt, `${label} is an allow rule and cannot have "reason"; expected reason only on deny or ask rules`);
  const reason = reasonEntry ? r.string(reasonEntry.value, `${label}.reason`, 'a sentence') : undefined;

  const grantsEntry = f.get('grants');
  const grants = grantsEntry && effect === 'allow' ? readGrants(r, grantsEntry.value, `${label}.grants`, ctx) : NO_GRANTS;
  const limitsEntry = f.get('limits');
  const limits: Partial<Limits> | undefined = limitsEntry && effect === 'allow' ? readLimits(r, limitsEntry.value, `${label}.limits`) : {};
  const redactEntry = f.get('redact');
  const redact = redactEntry && effect === 'allow' ? readRedact(r, redactEntry.value, `${label}.redact`) : [];

  if (r.problems.length > before || !id || !effect || !agent || !tool || !when || !grants || !limits || !redact) return undefined;
  return {
    id,
    index,
    effect,
    agent,
    tool,
    when,
    grants,
    limits,
    redact,
    ...(reason === undefined ? {} : { reason }),
    position: v.at,
  };
}

const REQUIRED: Record<string, string> = {
  id: 'a unique id such as "analyst-reads"',
  effect: 'effect: allow, deny or ask',
  agent: 'agent: a name, a glob, "*" or a list of these',
  tool: 'tool: a name, a glob, "*" or a list of these',
};

/** `agent` / `tool`: one name or glob, or a non-empty list of them. */
function readNames(r: YamlReader, v: Val, what: string): string[] | undefined {
  const items = r.isList(v) ? r.list(v, what) : [v];
  if (!items) return undefined;
  if (items.length === 0) {
    r.problem(v.at, `${what} is an empty list, which matches nothing; expected a name, a glob or "*"`);
    return undefined;
  }
  const out: string[] = [];
  for (const item of items) {
    const name = r.string(item, what, 'a name, a glob or "*"');
    if (name === undefined) return undefined;
    if (name === '') {
      r.problem(item.at, `${what} has an empty name; expected a name, a glob or "*"`);
      return undefined;
    }
    out.push(name);
  }
  return out;
}

function readWhen(r: YamlReader, v: Val, what: string): WhenSpec[] | undefined {
  const entries = r.map(v, what);
  if (!entries) return undefined;
  const out: WhenSpec[] = [];
  let ok = true;
  for (const e of entries) {
    const bad = subjectError(e.key);
    if (bad) {
      r.problem(e.keyAt, `${what}: ${bad}`);
      ok = false;
      continue;
    }
    const condition: ConditionSpec | undefined = readCondition(r, e.value, `${what}.${e.key}`);
    if (condition) out.push({ subject: e.key, condition, position: e.keyAt });
    else ok = false;
  }
  return ok ? out : undefined;
}

function readGrants(r: YamlReader, v: Val, what: string, ctx: RuleContext): GrantsSpec | undefined {
  const entries = r.map(v, what);
  if (!entries) return undefined;
  const f = r.known(entries, ['fs', 'env', 'net'], what);
  let ok = true;

  const fs: FsGrant[] = [];
  const fsEntry = f.get('fs');
  const mounts = new Map<string, SourcePosition>();
  for (const [i, item] of (fsEntry ? (r.list(fsEntry.value, `${what}.fs`) ?? []) : []).entries()) {
    const at = `${what}.fs[${i}]`;
    const m = r.map(item, at);
    if (!m) {
      ok = false;
      continue;
    }
    const g = r.known(m, ['mount', 'volume', 'access'], at);
    const mountE = g.get('mount');
    const volumeE = g.get('volume');
    if (!mountE) r.problem(item.at, `${at} has no "mount"; expected an absolute guest path such as /workspace`);
    if (!volumeE) r.problem(item.at, `${at} has no "volume"; expected the name of a volume declared under "volumes"`);
    const mount = mountE ? r.string(mountE.value, `${at}.mount`, 'an absolute guest path') : undefined;
    if (mount !== undefined && mountE) {
      if (!mount.startsWith('/') || canonicalGuestPath(mount) !== mount) {
        const canonical = canonicalGuestPath(mount);
        const hint = mount.startsWith('/') && canonical ? ` (write ${canonical})` : '';
        r.problem(mountE.value.at, `${at}.mount ${quote(mount)} is not an absolute canonical guest path; expected e.g. /workspace${hint}`);
        ok = false;
      } else if (mounts.has(mount)) {
        const first = mounts.get(mount)!;
        r.problem(
          mountE.value.at,
          `${at}.mount ${quote(mount)} is granted twice (first at ${first.line}:${first.column}); expected each mount once`,
        );
        ok = false;
      } else mounts.set(mount, mountE.value.at);
    }
    const volume = volumeE ? r.string(volumeE.value, `${at}.volume`, 'a volume name') : undefined;
    if (volume !== undefined && volumeE && !ctx.volumes.has(volume)) {
      const known = [...ctx.volumes].join(', ') || 'none declared';
      r.problem(volumeE.value.at, `${at}.volume ${quote(volume)} is not a declared volume; expected one of the "volumes" (${known})`);
      ok = false;
    }
    const accessE = g.get('access');
    const accessText = accessE ? r.string(accessE.value, `${at}.access`, '"read" or "read-write"') : 'read';
    let access: FsAccess | undefined;
    if (accessText === 'read' || accessText === 'read-write') access = accessText;
    else if (accessText !== undefined && accessE)
      r.problem(accessE.value.at, `${at}.access is ${quote(accessText)}; expected "read" or "read-write"`);
    if (mount === undefined || volume === undefined || access === undefined) ok = false;
    else fs.push({ mount, volume, access });
  }

  const env: Record<string, string> = {};
  const envEntry = f.get('env');
  for (const e of envEntry ? (r.map(envEntry.value, `${what}.env`) ?? []) : []) {
    if (!ENV_NAME.test(e.key)) {
      r.problem(e.keyAt, `${what}.env name ${quote(e.key)} is not a valid variable name; expected [A-Za-z_][A-Za-z0-9_]*`);
      ok = false;
      continue;
    }
    const value = r.string(e.value, `${what}.env.${e.key}`);
    if (value === undefined) ok = false;
    else Object.defineProperty(env, e.key, { value, enumerable: true, writable: true, configurable: true });
  }

  const netEntry = f.get('net');
  const secrets: Record<string, SecretRef> = {};
  let net: NetGrant[] | undefined = [];
  if (netEntry) net = readNetGrants(r, netEntry.value, `${what}.net`, ctx.secrets, secrets);
  if (!net) ok = false;
  return ok && net ? { fs, env, net, secrets } : undefined;
}

function readRedact(r: YamlReader, v: Val, what: string): string[] | undefined {
  const items = r.list(v, what);
  if (!items) return undefined;
  const out: string[] = [];
  for (const item of items) {
    const path = r.string(item, what, 'an input path such as input.token');
    if (path === undefined) return undefined;
    if (!isInputPath(path)) {
      r.problem(item.at, `${what} entry ${quote(path)} is not an input path; expected input or input.<field>.<field>`);
      return undefined;
    }
    out.push(path);
  }
  return out;
}
