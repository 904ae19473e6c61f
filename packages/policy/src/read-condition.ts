/**
 * Reading one `when` condition from the document into a `ConditionSpec`.
 *
 * A condition is either a bare scalar (shorthand for `{ equals: v }`) or a
 * map of operators. Several operators in one map must all hold, so
 * `{ min: 1, max: 9 }` reads as naturally as `{ range: [1, 9] }`. A bare
 * list is refused rather than guessed at: it could mean "equals this list"
 * or "one of these", and a policy must not be ambiguous.
 *
 * Regexes and globs are checked here (a regex is compiled, and thrown away)
 * so a bad pattern is a load-time error with a position, never a call-time
 * surprise.
 */
import type { SourcePosition } from '@airlock/core';
import { canonicalGuestPath } from './canonical-path.js';
import type { ConditionSpec, JsonValue } from './model.js';
import { quote, type Val, type YamlReader } from './yaml-reader.js';

export const OPERATORS = ['equals', 'in', 'notIn', 'range', 'min', 'max', 'glob', 'regex', 'inside', 'exists', 'not', 'anyOf'] as const;

/** Deepest nesting of `not` / `anyOf`. */
export const MAX_CONDITION_DEPTH = 32;

/** Regex flags every policy regex is compiled with: Unicode-aware, no state. */
export const REGEX_FLAGS = 'u';

export function readCondition(r: YamlReader, v: Val, what: string, depth = 0): ConditionSpec | undefined {
  if (depth > MAX_CONDITION_DEPTH) {
    r.problem(v.at, `${what} nests "not"/"anyOf" deeper than ${MAX_CONDITION_DEPTH} levels; expected a flatter condition`);
    return undefined;
  }
  if (r.isList(v)) {
    r.problem(v.at, `${what} is a list; expected a value or a condition map (for "one of these values" write { in: [...] })`);
    return undefined;
  }
  if (!r.isMap(v)) {
    const value = r.scalar(v);
    if (value === undefined) {
      r.problem(v.at, `${what} must be a value or a condition map, got ${r.describe(v)}`);
      return undefined;
    }
    return { kind: 'equals', value, position: v.at };
  }
  const entries = r.map(v, what) ?? [];
  if (entries.length === 0) {
    r.problem(v.at, `${what} is an empty map; expected a condition such as { equals: v }, { in: [..] } or { inside: /mount }`);
    return undefined;
  }
  const parts: ConditionSpec[] = [];
  let ok = true;
  let range: { min?: number; max?: number; position: SourcePosition; slot: number } | undefined;
  const setBound = (at: SourcePosition, bound: 'min' | 'max', n: number | undefined) => {
    if (n === undefined) return;
    if (!range) {
      range = { position: at, slot: parts.length };
      parts.push({ kind: 'range', position: at });
    }
    if (range[bound] !== undefined) r.problem(at, `${what} sets its ${bound} twice; expected either range: [min, max] or min/max`);
    range[bound] = n;
  };
  for (const e of entries) {
    const opWhat = `${what}.${e.key}`;
    const at = e.keyAt;
    switch (e.key) {
      case 'equals': {
        const value = r.json(e.value, opWhat);
        if (value === undefined) ok = false;
        else parts.push({ kind: 'equals', value, position: at });
        break;
      }
      case 'in':
      case 'notIn': {
        const values = readValues(r, e.value, opWhat);
        if (values) parts.push({ kind: e.key, values, position: at });
        else ok = false;
        break;
      }
      case 'range': {
        const items = r.list(e.value, opWhat);
        if (items && items.length !== 2) r.problem(e.value.at, `${opWhat} has ${items.length} items; expected two numbers [min, max]`);
        if (items?.length !== 2) {
          ok = false;
          break;
        }
        const lo = r.number(items[0]!, `${opWhat}[0]`);
        const hi = r.number(items[1]!, `${opWhat}[1]`);
        if (lo !== undefined && hi !== undefined && lo > hi) {
          r.problem(e.value.at, `${opWhat} is [${lo}, ${hi}]; expected min <= max`);
          ok = false;
          break;
        }
        if (lo === undefined || hi === undefined) ok = false;
        setBound(at, 'min', lo);
        setBound(at, 'max', hi);
        break;
      }
      case 'min':
      case 'max': {
        const n = r.number(e.value, opWhat);
        if (n === undefined) ok = false;
        setBound(at, e.key, n);
        break;
      }
      case 'glob': {
        const pattern = r.string(e.value, opWhat, 'a glob string');
        if (pattern === '') r.problem(e.value.at, `${opWhat} is empty; expected a glob such as "**/*.csv"`);
        if (pattern) parts.push({ kind: 'glob', pattern, position: at });
        else ok = false;
        break;
      }
      case 'regex': {
        const source = r.string(e.value, opWhat, 'a regular expression string');
        if (source === undefined) {
          ok = false;
          break;
        }
        try {
          new RegExp(source, REGEX_FLAGS);
          parts.push({ kind: 'regex', source, position: at });
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          r.problem(e.value.at, `${opWhat} ${quote(source)} does not compile (${why}); expected a JavaScript regular expression (flag u)`);
          ok = false;
        }
        break;
      }
      case 'inside': {
        const mounts = readMounts(r, e.value, opWhat);
        if (mounts) parts.push({ kind: 'inside', mounts, position: at });
        else ok = false;
        break;
      }
      case 'exists': {
        const x = r.scalar(e.value);
        if (typeof x === 'boolean') parts.push({ kind: 'exists', value: x, position: at });
        else {
          r.problem(e.value.at, `${opWhat} must be true or false, got ${r.describe(e.value)}`);
          ok = false;
        }
        break;
      }
      case 'not': {
        const inner = readCondition(r, e.value, opWhat, depth + 1);
        if (inner) parts.push({ kind: 'not', condition: inner, position: at });
        else ok = false;
        break;
      }
      case 'anyOf': {
        const items = r.list(e.value, opWhat);
        if (items && items.length === 0) r.problem(e.value.at, `${opWhat} is empty; expected at least one condition`);
        if (!items || items.length === 0) {
          ok = false;
          break;
        }
        const conditions: ConditionSpec[] = [];
        items.forEach((item, i) => {
          const c = readCondition(r, item, `${opWhat}[${i}]`, depth + 1);
          if (c) conditions.push(c);
          else ok = false;
        });
        parts.push({ kind: 'anyOf', conditions, position: at });
        break;
      }
      default:
        r.problem(at, `unknown condition ${quote(e.key)} in ${what}; expected one of: ${OPERATORS.join(', ')}`);
        ok = false;
    }
  }
  if (range) {
    const { min, max, position, slot } = range;
    if (min !== undefined && max !== undefined && min > max) {
      r.problem(position, `${what} has min ${min} above max ${max}; expected min <= max`);
      ok = false;
    }
    parts[slot] = { kind: 'range', ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }), position };
  }
  if (!ok || parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { kind: 'allOf', conditions: parts, position: v.at };
}

function readValues(r: YamlReader, v: Val, what: string): JsonValue[] | undefined {
  const items = r.list(v, what);
  if (!items) return undefined;
  if (items.length === 0) {
    r.problem(v.at, `${what} is empty; expected at least one value`);
    return undefined;
  }
  const out: JsonValue[] = [];
  for (const [i, item] of items.entries()) {
    const x = r.json(item, `${what}[${i}]`);
    if (x === undefined) return undefined;
    out.push(x);
  }
  return out;
}

/** `inside` takes one absolute guest path or a list; each is stored canonical. */
function readMounts(r: YamlReader, v: Val, what: string): string[] | undefined {
  const items = r.isList(v) ? r.list(v, what) : [v];
  if (!items) return undefined;
  if (items.length === 0) {
    r.problem(v.at, `${what} is empty; expected an absolute guest path such as /workspace`);
    return undefined;
  }
  const out: string[] = [];
  for (const item of items) {
    const p = r.string(item, what, 'an absolute guest path such as /workspace');
    if (p === undefined) return undefined;
    const canonical = canonicalGuestPath(p);
    if (!p.startsWith('/') || canonical === null) {
      r.problem(item.at, `${what} ${quote(p)} is not an absolute guest path; expected a path such as /workspace`);
      return undefined;
    }
    out.push(canonical);
  }
  return out;
}
