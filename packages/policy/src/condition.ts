/**
 * Conditions, compiled once into closures.
 *
 * Each `ConditionSpec` becomes a `test(value)` predicate (the hot path: no
 * allocation, no parsing, regexes and globs built up front) and a `text`
 * phrase ("be inside /workspace") that `explain` uses to say, in words, why
 * a value failed. `value` is the subject's value or `MISSING`; every kind
 * except `exists: false`, `not` and `anyOf` (through its children) treats
 * `MISSING` as "does not hold", and every kind treats a value of the wrong
 * type (a number where a path is wanted) the same way.
 */
import { canonicalGuestPath, isWithin } from './canonical-path.js';
import { compileGlob } from './glob.js';
import type { ConditionSpec, JsonValue } from './model.js';
import { REGEX_FLAGS } from './read-condition.js';
import { MISSING } from './subject.js';

export interface CompiledCondition {
  /** True when the condition holds for `value` (a subject value or `MISSING`). */
  readonly test: (value: unknown) => boolean;
  /** What the condition asks, as a verb phrase: "be one of [\"fast\", \"full\"]". */
  readonly text: string;
  /** Why `value` fails the condition, completing "input.path ...". */
  readonly why: (value: unknown) => string;
}

/** A value for a message: JSON, cut at 60 characters; "missing" for MISSING. */
export function render(value: unknown): string {
  if (value === MISSING) return 'missing';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function plainWhy(text: string): (value: unknown) => string {
  return (value) => `is ${render(value)}; expected it to ${text}`;
}

export function compileCondition(spec: ConditionSpec): CompiledCondition {
  switch (spec.kind) {
    case 'equals': {
      const want = spec.value;
      const text = `equal ${render(want)}`;
      const test =
        want === null || typeof want !== 'object' ? (x: unknown) => x === want : (x: unknown) => x !== MISSING && jsonEqual(x, want);
      return { test, text, why: plainWhy(text) };
    }
    case 'in':
    case 'notIn': {
      const isIn = oneOf(spec.values);
      const list = render(spec.values);
      if (spec.kind === 'in') {
        const text = `be one of ${list}`;
        return { test: (x) => x !== MISSING && isIn(x), text, why: plainWhy(text) };
      }
      const text = `be none of ${list}`;
      return { test: (x) => x !== MISSING && !isIn(x), text, why: plainWhy(text) };
    }
    case 'range': {
      const min = spec.min ?? Number.NEGATIVE_INFINITY;
      const max = spec.max ?? Number.POSITIVE_INFINITY;
      const text =
        spec.min !== undefined && spec.max !== undefined
          ? `be a number from ${spec.min} to ${spec.max}`
          : spec.min !== undefined
            ? `be a number of at least ${spec.min}`
            : `be a number of at most ${spec.max}`;
      return { test: (x) => typeof x === 'number' && x >= min && x <= max, text, why: plainWhy(text) };
    }
    case 'glob': {
      const match = compileGlob(spec.pattern);
      const text = `be a string matching glob ${JSON.stringify(spec.pattern)}`;
      return { test: (x) => typeof x === 'string' && match(x), text, why: plainWhy(text) };
    }
    case 'regex': {
      const re = new RegExp(spec.source, REGEX_FLAGS);
      const text = `be a string matching regex /${spec.source}/`;
      return { test: (x) => typeof x === 'string' && re.test(x), text, why: plainWhy(text) };
    }
    case 'inside': {
      const mounts = spec.mounts;
      const text = `be a path inside ${mounts.join(' or ')}`;
      const test =
        mounts.length === 1
          ? (x: unknown) => {
              const p = canonicalGuestPath(x);
              return p !== null && isWithin(p, mounts[0]!);
            }
          : (x: unknown) => {
              const p = canonicalGuestPath(x);
              return p !== null && mounts.some((m) => isWithin(p, m));
            };
      const why = (x: unknown) => {
        if (typeof x === 'string' && x.includes('\0')) return `is ${render(x)}, which has a NUL byte; expected it to ${text}`;
        const p = canonicalGuestPath(x);
        if (p === null || p === x) return `is ${render(x)}; expected it to ${text}`;
        return `is ${render(x)}, canonically ${render(p)}; expected it to ${text}`;
      };
      return { test, text, why };
    }
    case 'exists': {
      const text = spec.value ? 'be present' : 'be absent';
      return { test: spec.value ? (x) => x !== MISSING : (x) => x === MISSING, text, why: plainWhy(text) };
    }
    case 'not': {
      const inner = compileCondition(spec.condition);
      const text = `not ${inner.text}`;
      return { test: (x) => !inner.test(x), text, why: plainWhy(text) };
    }
    case 'anyOf': {
      const parts = spec.conditions.map(compileCondition);
      const text = `satisfy any of: ${parts.map((p) => p.text).join('; ')}`;
      return { test: (x) => parts.some((p) => p.test(x)), text, why: plainWhy(text) };
    }
    case 'allOf': {
      const parts = spec.conditions.map(compileCondition);
      const text = parts.map((p) => p.text).join(' and ');
      // Explain the first part that fails rather than the whole conjunction.
      const why = (x: unknown) => (parts.find((p) => !p.test(x)) ?? parts[0]!).why(x);
      return { test: (x) => parts.every((p) => p.test(x)), text, why };
    }
  }
}

/** Membership over JSON values: a Set for scalars, deep equality for lists and maps. */
function oneOf(values: readonly JsonValue[]): (x: unknown) => boolean {
  const scalars = new Set<unknown>(values.filter((v) => v === null || typeof v !== 'object'));
  const objects = values.filter((v) => v !== null && typeof v === 'object');
  if (objects.length === 0) return (x) => scalars.has(x);
  return (x) => scalars.has(x) || (x !== null && typeof x === 'object' && objects.some((o) => jsonEqual(x, o)));
}

/** Structural equality of JSON-like values (own enumerable keys, order-insensitive for maps). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && jsonEqual(ra[k], rb[k]));
}
