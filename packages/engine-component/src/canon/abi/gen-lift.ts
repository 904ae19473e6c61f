/**
 * Code generation for lifting: guest (core Wasm values and linear memory)
 * → JS values in jco's conventions. Used for an import's parameters
 * (canon lower) and an export's result (canon lift).
 *
 * Every function emits statements into the Emitter and returns a JS
 * expression for the lifted value, to be evaluated exactly once. Lifting
 * never calls into the guest, so the DataView `dv` stays valid throughout.
 */

import type { ValType } from '../types.js';
import { type Emitter, key, lit } from './emitter.js';
import {
  alignment,
  type Case,
  type CoreType,
  camelCase,
  casesOf,
  discriminantSize,
  elemSize,
  fieldOffsets,
  flagsSize,
  flattenCases,
  isNullable,
  payloadOffset,
  typedArrayName,
} from './layout.js';

/** The next flat core value, as an expression of the wanted core type. */
export interface FlatSource {
  next(want: CoreType): string;
}

/** Flat values named by `names`, in order (function parameters, a core result). */
export function flatSource(names: readonly string[]): FlatSource {
  let i = 0;
  return {
    next: () => {
      const n = names[i++];
      if (n === undefined) throw new Error('flat source exhausted (internal error)');
      return n;
    },
  };
}

/** Joined variant slots, read back as one case's own core types (CanonicalABI lift_flat_variant's CoerceValueIter). */
function coercing(names: readonly string[], have: readonly CoreType[]): FlatSource {
  let i = 0;
  return {
    next: (want) => {
      const x = names[i];
      const h = have[i++];
      if (x === undefined || h === undefined) throw new Error('variant slots exhausted (internal error)');
      if (h === want) return x;
      if (h === 'i32' && want === 'f32') return `bitsToF32(${x})`;
      // h is i64 here: the case's value sits in its low bits, or is an f64's bits.
      if (want === 'i32') return `Number(BigInt.asIntN(32, ${x}))`;
      if (want === 'f32') return `bitsToF32(Number(BigInt.asIntN(32, ${x})))`;
      return `bitsToF64(${x})`;
    },
  };
}

export function liftFlat(g: Emitter, t: ValType, src: FlatSource): string {
  switch (t.kind) {
    case 'bool':
      return `(${src.next('i32')} !== 0)`;
    case 's8':
      return `((${src.next('i32')} << 24) >> 24)`;
    case 'u8':
      return `(${src.next('i32')} & 255)`;
    case 's16':
      return `((${src.next('i32')} << 16) >> 16)`;
    case 'u16':
      return `(${src.next('i32')} & 65535)`;
    case 's32':
      return `(${src.next('i32')} | 0)`;
    case 'u32':
      return `(${src.next('i32')} >>> 0)`;
    case 's64':
      return src.next('i64');
    case 'u64':
      return `BigInt.asUintN(64, ${src.next('i64')})`;
    case 'f32':
      return src.next('f32');
    case 'f64':
      return src.next('f64');
    case 'char':
      return g.let(`liftChar(L, ${src.next('i32')})`);
    case 'string': {
      const p = src.next('i32');
      const n = src.next('i32');
      return g.let(`liftString(L, dv.buffer, ${p}, ${n})`, 's');
    }
    case 'list': {
      const p = src.next('i32');
      const n = src.next('i32');
      return liftList(g, t.elem, p, n);
    }
    case 'own':
      return g.let(`st.tables[${t.resource.table}].remove(${src.next('i32')})`, 'r');
    case 'borrow':
      return g.let(`st.tables[${t.resource.table}].get(${src.next('i32')})`, 'r');
    case 'record': {
      const parts = t.fields.map((f) => `${key(camelCase(f.name))}: ${liftFlat(g, f.type, src)}`);
      return g.let(`{ ${parts.join(', ')} }`, 'o');
    }
    case 'tuple':
      return g.let(`[${t.types.map((ft) => liftFlat(g, ft, src)).join(', ')}]`, 'o');
    case 'flags': {
      const words: string[] = [];
      for (let w = 0; w < Math.ceil(t.names.length / 32); w++) words.push(src.next('i32'));
      return liftFlags(g, t.names, words);
    }
    default:
      return liftVariantFlat(g, t, src);
  }
}

/** A variant-like value passed flat: discriminant, then the joined payload slots. `top` as in liftCases. */
export function liftVariantFlat(g: Emitter, t: ValType, src: FlatSource, top?: TopResult): string {
  const d = src.next('i32');
  const have = flattenCases(casesOf(t));
  const slots = have.map((ct) => src.next(ct));
  return liftCases(g, t, d, (c) => liftFlat(g, c, coercing(slots, have)), top);
}

/** Loads a value of type `t` stored at `base + off` (CanonicalABI `load`). */
export function load(g: Emitter, t: ValType, base: string, off: number): string {
  const at = off === 0 ? base : `${base} + ${off}`;
  switch (t.kind) {
    case 'bool':
      return `(dv.getUint8(${at}) !== 0)`;
    case 's8':
      return `dv.getInt8(${at})`;
    case 'u8':
      return `dv.getUint8(${at})`;
    case 's16':
      return `dv.getInt16(${at}, true)`;
    case 'u16':
      return `dv.getUint16(${at}, true)`;
    case 's32':
      return `dv.getInt32(${at}, true)`;
    case 'u32':
      return `dv.getUint32(${at}, true)`;
    case 's64':
      return `dv.getBigInt64(${at}, true)`;
    case 'u64':
      return `dv.getBigUint64(${at}, true)`;
    case 'f32':
      return `dv.getFloat32(${at}, true)`;
    case 'f64':
      return `dv.getFloat64(${at}, true)`;
    case 'char':
      return g.let(`liftChar(L, dv.getUint32(${at}, true))`);
    case 'string':
      return g.let(`liftString(L, dv.buffer, dv.getUint32(${at}, true), dv.getUint32(${base} + ${off + 4}, true))`, 's');
    case 'list': {
      const p = g.let(`dv.getUint32(${at}, true)`, 'p');
      const n = g.let(`dv.getUint32(${base} + ${off + 4}, true)`, 'n');
      return liftList(g, t.elem, p, n);
    }
    case 'own':
      return g.let(`st.tables[${t.resource.table}].remove(dv.getInt32(${at}, true))`, 'r');
    case 'borrow':
      return g.let(`st.tables[${t.resource.table}].get(dv.getInt32(${at}, true))`, 'r');
    case 'record': {
      const offs = fieldOffsets(t.fields.map((f) => f.type));
      const parts = t.fields.map((f, i) => `${key(camelCase(f.name))}: ${load(g, f.type, base, off + (offs[i] as number))}`);
      return g.let(`{ ${parts.join(', ')} }`, 'o');
    }
    case 'tuple': {
      const offs = fieldOffsets(t.types);
      return g.let(`[${t.types.map((ft, i) => load(g, ft, base, off + (offs[i] as number))).join(', ')}]`, 'o');
    }
    case 'flags': {
      const size = flagsSize(t.names.length);
      const words: string[] = [];
      if (size === 1) words.push(g.let(`dv.getUint8(${at})`, 'w'));
      else if (size === 2) words.push(g.let(`dv.getUint16(${at}, true)`, 'w'));
      else for (let w = 0; w < size / 4; w++) words.push(g.let(`dv.getInt32(${base} + ${off + 4 * w}, true)`, 'w'));
      return liftFlags(g, t.names, words);
    }
    default:
      return loadVariant(g, t, base, off);
  }
}

/** A variant-like value in memory: discriminant, then the payload at the cases' common offset. `top` as in liftCases. */
export function loadVariant(g: Emitter, t: ValType, base: string, off: number, top?: TopResult): string {
  const cases = casesOf(t);
  const ds = discriminantSize(cases.length);
  const at = off === 0 ? base : `${base} + ${off}`;
  const get = ds === 1 ? `dv.getUint8(${at})` : ds === 2 ? `dv.getUint16(${at}, true)` : `dv.getUint32(${at}, true)`;
  const d = g.let(get, 'd');
  const payloadAt = off + payloadOffset(cases);
  return liftCases(g, t, d, (c) => load(g, c, base, payloadAt), top);
}

/**
 * A list in guest memory → JS. Lists of numbers become the typed array jco
 * uses (list<u8> → Uint8Array, list<u32> → Uint32Array, …), copied out;
 * anything else becomes an array.
 */
function liftList(g: Emitter, elem: ValType, p: string, n: string): string {
  const size = elemSize(elem);
  const typed = typedArrayName(elem);
  if (typed !== undefined) return g.let(`liftTyped(L, dv.buffer, ${p}, ${n}, ${size}, ${typed})`, 'l');
  const base = g.let(`${p} >>> 0`, 'p');
  const len = g.let(`${n} >>> 0`, 'n');
  g.line(`checkList(L, dv.buffer, ${base}, ${len}, ${size}, ${alignment(elem)});`);
  const arr = g.let('[]', 'l');
  const i = g.tmp('i');
  g.open(`for (let ${i} = 0; ${i} < ${len}; ${i}++) {`);
  const at = g.let(`${base} + ${i} * ${size}`, 'b');
  g.line(`${arr}.push(${load(g, elem, at, 0)});`);
  g.close();
  return arr;
}

/** Flag words → `{ camelName: boolean }`, trapping on bits no label owns (as jco does). */
function liftFlags(g: Emitter, names: readonly string[], words: readonly string[]): string {
  const parts: string[] = [];
  words.forEach((w, wi) => {
    const count = Math.min(32, names.length - wi * 32);
    if (count < 32) {
      g.line(`if ((${w} & ${~(2 ** count - 1) | 0}) !== 0) trap(L, "flags have bits set beyond the ${names.length} labels: " + ${w});`);
    }
    for (let b = 0; b < count; b++) {
      parts.push(`${key(camelCase(names[wi * 32 + b] as string))}: (${w} & ${(1 << b) | 0}) !== 0`);
    }
  });
  return g.let(`{ ${parts.join(', ')} }`, 'o');
}

/** How a lifted `result` at the top of an export is delivered: the payload alone, with a flag set on err. */
export interface TopResult {
  readonly errFlag: string;
}

/**
 * Switches on a discriminant `d` and builds the JS value of the case, in
 * jco's shapes: variant `{ tag, val }` (no `val` for an empty case), enum
 * the case name, option `T | undefined` (or `{ tag: 'none' | 'some' }` when
 * T can itself be undefined), result `{ tag: 'ok' | 'err', val }`.
 */
export function liftCases(g: Emitter, t: ValType, d: string, payload: (type: ValType) => string, top?: TopResult): string {
  const cases = casesOf(t);
  if (t.kind === 'enum') {
    const names = g.hoist(`Object.freeze(${JSON.stringify(t.names)})`);
    return g.let(`(${d} >>> 0) < ${cases.length} ? ${names}[${d}] : trap(L, "invalid enum discriminant " + ${d})`, 'e');
  }
  const v = g.tmp('v');
  g.line(`let ${v};`);
  g.open(`switch (${d}) {`);
  cases.forEach((c, i) => {
    g.open(`case ${i}: {`);
    const p = c.type !== undefined ? payload(c.type) : undefined;
    if (top !== undefined && i === 1) g.line(`${top.errFlag} = true;`);
    g.line(`${v} = ${top !== undefined ? (p ?? 'undefined') : build(t, c, i, p)};`);
    g.line('break;');
    g.close();
  });
  g.line(`default: trap(L, "invalid ${t.kind} discriminant " + ${d});`);
  g.close();
  return v;
}

function build(t: ValType, c: Case, i: number, p: string | undefined): string {
  if (t.kind === 'option') {
    if (isNullable(t)) return i === 0 ? 'undefined' : (p as string);
    return i === 0 ? "{ tag: 'none' }" : `{ tag: 'some', val: ${p} }`;
  }
  if (t.kind === 'result') return `{ tag: ${lit(c.name)}, val: ${p ?? 'undefined'} }`;
  return p === undefined ? `{ tag: ${lit(c.name)} }` : `{ tag: ${lit(c.name)}, val: ${p} }`;
}
