/**
 * A reader over a parsed YAML document that knows where every value was
 * written and collects problems instead of throwing at the first one.
 *
 * Validation walks yaml's node tree (not a plain-JS copy of it) so that every
 * problem can carry a line and column. A `Val` is a node plus the place to
 * blame when it is absent (`key:` with no value has no node of its own, so
 * the key's position is used). Aliases (`*name`) are followed, and every
 * node visit spends from a fixed budget so that a document built to explode
 * (aliases of aliases, the "billion laughs") stops early with one problem
 * instead of hanging.
 */
import type { SourcePosition } from '@airlock/core';
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { JsonValue, PolicyProblem } from './model.js';

/** Node visits allowed per document; far above any real policy. */
export const NODE_BUDGET = 200_000;
/** Deepest nesting of JSON values inside conditions. */
export const MAX_VALUE_DEPTH = 64;

/** Thrown (and caught by the parser) when the node budget runs out. */
export class BudgetExceeded extends Error {}

/** A value in the document: its node (null when absent) and where to point. */
export interface Val {
  readonly node: Node | null;
  readonly at: SourcePosition;
}

export interface Entry {
  readonly key: string;
  readonly keyAt: SourcePosition;
  readonly value: Val;
}

export class YamlReader {
  readonly problems: PolicyProblem[] = [];
  private budget = NODE_BUDGET;

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly file: string | undefined,
  ) {}

  /** The 1-based position of a character offset. */
  at(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return this.file === undefined ? { line, column: col } : { file: this.file, line, column: col };
  }

  /** A Val for a node, pointing at the node itself or at `fallback` when it has no range. */
  val(node: unknown, fallback: SourcePosition): Val {
    const n = (node ?? null) as Node | null;
    const range = n?.range;
    return { node: n, at: range ? this.at(range[0]) : fallback };
  }

  problem(at: SourcePosition, message: string): void {
    this.problems.push({ ...(at.file === undefined ? {} : { file: at.file }), line: at.line, column: at.column, message });
  }

  /** Follow aliases to the node they name; null when absent or dangling (reported). */
  private deref(v: Val): Node | null {
    if (--this.budget < 0) throw new BudgetExceeded();
    let node = v.node;
    for (let hops = 0; node && isAlias(node); hops++) {
      if (--this.budget < 0 || hops > 100) throw new BudgetExceeded();
      const target = node.resolve(this.doc);
      if (!target) {
        this.problem(v.at, `alias *${node.source} names no anchor; expected an anchor &${node.source} defined earlier`);
        return null;
      }
      node = target;
    }
    return node;
  }

  /** Words for what a value is, for "expected X, got Y" messages. */
  describe(v: Val): string {
    const node = this.deref(v);
    if (!node) return 'nothing';
    if (isMap(node)) return 'a map';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) {
      const x = node.value;
      if (x === null || x === undefined) return 'nothing (null)';
      if (typeof x === 'string') return `the string ${quote(x)}`;
      if (typeof x === 'number' || typeof x === 'boolean') return `${typeof x} ${String(x)}`;
      return `a ${node.tag ?? 'tagged'} value`;
    }
    return 'an unsupported value';
  }

  /** Map entries, or undefined (reported) when `v` is not a map. Duplicate keys are reported and dropped. */
  map(v: Val, what: string): Entry[] | undefined {
    const node = this.deref(v);
    if (!node || !isMap(node)) {
      this.problem(v.at, `${what} must be a map, got ${this.describe(v)}`);
      return undefined;
    }
    const out: Entry[] = [];
    const seen = new Map<string, SourcePosition>();
    for (const pair of node.items) {
      const keyNode = this.deref(this.val(pair.key, v.at));
      const keyAt = this.val(pair.key, v.at).at;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
        this.problem(keyAt, `keys in ${what} must be plain names, got ${keyNode ? 'a complex key' : 'an empty key'}`);
        continue;
      }
      const name = String(key);
      const first = seen.get(name);
      if (first) {
        this.problem(keyAt, `duplicate key ${quote(name)} in ${what} (first at ${first.line}:${first.column}); expected each key once`);
        continue;
      }
      seen.set(name, keyAt);
      out.push({ key: name, keyAt, value: this.val(pair.value, keyAt) });
    }
    return out;
  }

  /** List items, or undefined (reported) when `v` is not a list. */
  list(v: Val, what: string): Val[] | undefined {
    const node = this.deref(v);
    if (!node || !isSeq(node)) {
      this.problem(v.at, `${what} must be a list, got ${this.describe(v)}`);
      return undefined;
    }
    return node.items.map((item) => this.val(item, v.at));
  }

  /** The JS value of a scalar (string, number, boolean, null), or undefined for anything else. */
  scalar(v: Val): string | number | boolean | null | undefined {
    const node = this.deref(v);
    if (!node) return null;
    if (!isScalar(node)) return undefined;
    const x = node.value;
    if (x === null || x === undefined) return null;
    if (typeof x === 'string' || typeof x === 'boolean') return x;
    if (typeof x === 'number') return x;
    return undefined;
  }

  isList(v: Val): boolean {
    return isSeq(this.deref(v));
  }

  isMap(v: Val): boolean {
    return isMap(this.deref(v));
  }

  /** A string, or undefined (reported with `expected`). */
  string(v: Val, what: string, expected = 'a string'): string | undefined {
    const x = this.scalar(v);
    if (typeof x === 'string') return x;
    const hint = typeof x === 'number' || typeof x === 'boolean' ? ' (quote it to make it a string)' : '';
    this.problem(v.at, `${what} must be ${expected}, got ${this.describe(v)}${hint}`);
    return undefined;
  }

  /** A finite number, or undefined (reported). */
  number(v: Val, what: string): number | undefined {
    const x = this.scalar(v);
    if (typeof x === 'number' && Number.isFinite(x)) return x;
    this.problem(v.at, `${what} must be a finite number, got ${this.describe(v)}`);
    return undefined;
  }

  /** Report every key not in `allowed`; return the entries that are. */
  known(entries: Entry[], allowed: readonly string[], what: string): Map<string, Entry> {
    const out = new Map<string, Entry>();
    for (const e of entries) {
      if (allowed.includes(e.key)) out.set(e.key, e);
      else this.problem(e.keyAt, `unknown key ${quote(e.key)} in ${what}; expected one of: ${allowed.join(', ')}`);
    }
    return out;
  }

  /** Any JSON value (for `equals` / `in`), or undefined (reported). */
  json(v: Val, what: string, depth = 0): JsonValue | undefined {
    if (depth > MAX_VALUE_DEPTH) {
      this.problem(v.at, `${what} nests deeper than ${MAX_VALUE_DEPTH} levels; expected a smaller value`);
      return undefined;
    }
    const node = this.deref(v);
    if (node && isSeq(node)) {
      const out: JsonValue[] = [];
      for (const item of node.items) {
        const x = this.json(this.val(item, v.at), what, depth + 1);
        if (x === undefined) return undefined;
        out.push(x);
      }
      return out;
    }
    if (node && isMap(node)) {
      const entries = this.map(v, what);
      if (!entries) return undefined;
      const out: Record<string, JsonValue> = {};
      for (const e of entries) {
        const x = this.json(e.value, what, depth + 1);
        if (x === undefined) return undefined;
        Object.defineProperty(out, e.key, { value: x, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    const x = this.scalar(v);
    if (x === undefined || (typeof x === 'number' && !Number.isFinite(x))) {
      this.problem(v.at, `${what} must be a JSON value (string, number, boolean, null, list or map), got ${this.describe(v)}`);
      return undefined;
    }
    return x;
  }
}

/** A value quoted for a message: JSON-escaped, cut at 60 characters. */
export function quote(s: string): string {
  const q = JSON.stringify(s);
  return q.length > 62 ? q.slice(0, 58) + '..."' : q;
}
