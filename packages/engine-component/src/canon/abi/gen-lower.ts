/**
 * Code generation for lowering: JS values in jco's conventions → guest
 * (core Wasm values and linear memory). Used for an import's result
 * (canon lower) and an export's parameters (canon lift).
 *
 * Host values are checked as they are lowered: a wrong type, an integer
 * out of range or an unknown case name throws a TypeError before anything
 * reaches the guest's view of that value. Strings and lists are allocated
 * with the guest's realloc, which may grow memory, so `dv` is re-read
 * after every allocation.
 */

import type { ValType } from '../types.js';
import { type Emitter, lit, member } from './emitter.js';
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
  flatten,
  flattenCases,
  isNullable,
  payloadOffset,
  typedArrayName,
} from './layout.js';

const MAX_LIST_BYTES = 2 ** 32 - 1;

/** Checks that `v` (a variable name) is an integer of the given width, as generated statements. */
function checkInt(g: Emitter, kind: string, v: string): void {
  const test: Record<string, string> = {
    s8: `((${v} << 24) >> 24) !== ${v}`,
    u8: `(${v} & 255) !== ${v}`,
    s16: `((${v} << 16) >> 16) !== ${v}`,
    u16: `(${v} & 65535) !== ${v}`,
    s32: `(${v} | 0) !== ${v}`,
    u32: `(${v} >>> 0) !== ${v}`,
  };
  // Bitwise ops coerce, so a non-number (or a fraction, NaN, out-of-range number) never equals its own truncation.
  g.line(`if (${test[kind]}) throw badValue(L, ${lit(kind)}, ${v});`);
}

function checkFloat(g: Emitter, kind: string, v: string): void {
  g.line(`if (typeof ${v} !== 'number') throw badValue(L, ${lit(kind)}, ${v});`);
}

function checkObject(g: Emitter, what: string, v: string): void {
  g.line(`if (typeof ${v} !== 'object' || ${v} === null) throw badValue(L, ${lit(what)}, ${v});`);
}

/** Lowers `v` (a variable name) to its flat core values; returns one expression per value. */
export function lowerFlat(g: Emitter, t: ValType, v: string): string[] {
  switch (t.kind) {
    case 'bool':
      return [`(${v} ? 1 : 0)`];
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
      checkInt(g, t.kind, v);
      return [v];
    case 's64':
      return [g.let(`lowerS64(L, ${v})`, 'x')];
    case 'u64':
      return [g.let(`lowerU64(L, ${v})`, 'x')];
    case 'f32':
      checkFloat(g, t.kind, v);
      return [`Math.fround(${v})`]; // what a core f32 parameter does anyway; keeps JS-to-JS paths identical
    case 'f64':
      checkFloat(g, t.kind, v);
      return [v];
    case 'char':
      return [g.let(`lowerChar(L, ${v})`, 'x')];
    case 'string': {
      const p = g.let(`lowerString(L, ${v}, realloc, memory)`, 'p');
      const n = g.let('out.len', 'n');
      g.line('dv = view(memory);');
      return [p, n];
    }
    case 'list':
      return lowerList(g, t.elem, v);
    case 'own':
      return [g.let(`st.tables[${t.resource.table}].insert(${v})`, 'h')];
    case 'borrow':
      throw new Error('lowering a borrow<> of a host resource into the guest (an export parameter or an import result) is not supported');
    case 'record': {
      checkObject(g, 'a record', v);
      return t.fields.flatMap((f) => lowerFlat(g, f.type, g.let(member(v, camelCase(f.name)), 'f')));
    }
    case 'tuple': {
      checkObject(g, 'a tuple (array)', v);
      return t.types.flatMap((ft, i) => lowerFlat(g, ft, g.let(`${v}[${i}]`, 'f')));
    }
    case 'flags':
      return lowerFlags(g, t.names, v);
    default:
      return lowerVariantFlat(g, t, (onCase) => dispatch(g, t, v, onCase));
  }
}

/** Emits the case selection of a variant-like value: calls `onCase` inside each branch. */
export type Dispatcher = (onCase: OnCase) => void;

/** A variant-like value → discriminant and joined payload slots, padding unused slots with zeros. */
export function lowerVariantFlat(g: Emitter, t: ValType, select: Dispatcher): string[] {
  const joined = flattenCases(casesOf(t));
  const d = g.tmp('d');
  const slots = joined.map(() => g.tmp('s'));
  g.line(`let ${[`${d} = 0`, ...slots.map((s, i) => `${s} = ${joined[i] === 'i64' ? '0n' : '0'}`)].join(', ')};`);
  select((i, c, pv) => {
    g.line(`${d} = ${i};`);
    if (c.type === undefined || pv === undefined) return;
    const have = flatten(c.type);
    const flat = lowerFlat(g, c.type, pv);
    flat.forEach((x, j) => {
      g.line(`${slots[j]} = ${coerce(have[j] as CoreType, joined[j] as CoreType, x)};`);
    });
  });
  return [d, ...slots];
}

/** A variant-like value → discriminant and payload stored at `base + off`. */
export function storeVariant(g: Emitter, t: ValType, base: string, off: number, select: Dispatcher): void {
  const cases = casesOf(t);
  const ds = discriminantSize(cases.length);
  const set = ds === 1 ? 'setUint8' : ds === 2 ? 'setUint16' : 'setUint32';
  const at = off === 0 ? base : `${base} + ${off}`;
  const payloadAt = off + payloadOffset(cases);
  select((i, c, pv) => {
    g.line(`dv.${set}(${at}, ${i}${ds === 1 ? '' : ', true'});`);
    if (c.type !== undefined && pv !== undefined) store(g, c.type, pv, base, payloadAt);
  });
}

/** A case's core value widened into its joined slot (CanonicalABI lower_flat_variant). */
function coerce(have: CoreType, want: CoreType, x: string): string {
  if (have === want) return x;
  if (want === 'i32') return `f32ToBits(${x})`; // have f32
  if (have === 'i32') return `BigInt(${x})`;
  if (have === 'f32') return `BigInt(f32ToBits(${x}))`;
  return `f64ToBits(${x})`; // have f64
}

/**
 * How the value of a variant-like type selects its case. The caller's
 * `onCase` emits what to do for case `i` with its payload variable.
 */
export type OnCase = (i: number, c: Case, payload: string | undefined) => void;

export function dispatch(g: Emitter, t: ValType, v: string, onCase: OnCase): void {
  const cases = casesOf(t);
  if (t.kind === 'option' && isNullable(t)) {
    g.open(`if (${v} === undefined || ${v} === null) {`);
    onCase(0, cases[0] as Case, undefined);
    g.mid('} else {');
    onCase(1, cases[1] as Case, v);
    g.close();
    return;
  }
  const names = cases.map((c) => c.name).join(', ');
  let sel = v;
  if (t.kind === 'option') {
    // The tagged form of an option whose payload can be undefined: undefined itself can only mean none.
    sel = g.let(`${v} === undefined || ${v} === null ? 'none' : typeof ${v} === 'object' ? ${v}.tag : undefined`, 'tag');
  } else if (t.kind !== 'enum') {
    checkObject(g, `a ${t.kind} ({ tag, val })`, v);
    sel = g.let(`${v}.tag`, 'tag');
  }
  g.open(`switch (${sel}) {`);
  cases.forEach((c, i) => {
    g.open(`case ${lit(c.name)}: {`);
    onCase(i, c, c.type !== undefined ? g.let(`${v}.val`, 'pv') : undefined);
    g.line('break;');
    g.close();
  });
  g.line(`default: throw badValue(L, ${lit(`one of the ${t.kind} cases ${names}`)}, ${sel});`);
  g.close();
}

/** Flags object → words; `undefined`/`null` is "no flags", anything else non-object is a TypeError (jco). */
function lowerFlags(g: Emitter, names: readonly string[], v: string): string[] {
  const words: string[] = [];
  for (let w = 0; w < Math.ceil(names.length / 32); w++) words.push(g.tmp('w'));
  g.line(`let ${words.map((w) => `${w} = 0`).join(', ')};`);
  g.open(`if (typeof ${v} === 'object' && ${v} !== null) {`);
  words.forEach((w, wi) => {
    const bits: string[] = [];
    for (let b = 0; b < Math.min(32, names.length - wi * 32); b++) {
      bits.push(`(${member(v, camelCase(names[wi * 32 + b] as string))} ? ${(1 << b) | 0} : 0)`);
    }
    g.line(`${w} = ${bits.join(' | ')};`);
  });
  g.close(`} else if (${v} !== undefined && ${v} !== null) throw badValue(L, 'a flags object', ${v});`);
  return words;
}

/** Stores `v` (a variable name) at `base + off` (CanonicalABI `store`). */
export function store(g: Emitter, t: ValType, v: string, base: string, off: number): void {
  const at = off === 0 ? base : `${base} + ${off}`;
  const at4 = `${base} + ${off + 4}`;
  switch (t.kind) {
    case 'bool':
      g.line(`dv.setUint8(${at}, ${v} ? 1 : 0);`);
      return;
    case 's8':
    case 'u8':
      checkInt(g, t.kind, v);
      g.line(`dv.setUint8(${at}, ${v});`);
      return;
    case 's16':
    case 'u16':
      checkInt(g, t.kind, v);
      g.line(`dv.setUint16(${at}, ${v}, true);`);
      return;
    case 's32':
    case 'u32':
      checkInt(g, t.kind, v);
      g.line(`dv.setUint32(${at}, ${v}, true);`);
      return;
    case 's64':
      g.line(`dv.setBigInt64(${at}, lowerS64(L, ${v}), true);`);
      return;
    case 'u64':
      g.line(`dv.setBigUint64(${at}, lowerU64(L, ${v}), true);`);
      return;
    case 'f32':
      checkFloat(g, 'f32', v);
      g.line(`dv.setFloat32(${at}, ${v}, true);`);
      return;
    case 'f64':
      checkFloat(g, 'f64', v);
      g.line(`dv.setFloat64(${at}, ${v}, true);`);
      return;
    case 'char':
      g.line(`dv.setUint32(${at}, lowerChar(L, ${v}), true);`);
      return;
    case 'string':
    case 'list': {
      const [p, n] = lowerFlat(g, t, v);
      g.line(`dv.setUint32(${at}, ${p}, true);`);
      g.line(`dv.setUint32(${at4}, ${n}, true);`);
      return;
    }
    case 'own':
      g.line(`dv.setInt32(${at}, st.tables[${t.resource.table}].insert(${v}), true);`);
      return;
    case 'borrow':
      lowerFlat(g, t, v); // throws: not supported in this direction
      return;
    case 'record': {
      checkObject(g, 'a record', v);
      const offs = fieldOffsets(t.fields.map((f) => f.type));
      t.fields.forEach((f, i) => {
        store(g, f.type, g.let(member(v, camelCase(f.name)), 'f'), base, off + (offs[i] as number));
      });
      return;
    }
    case 'tuple': {
      checkObject(g, 'a tuple (array)', v);
      const offs = fieldOffsets(t.types);
      t.types.forEach((ft, i) => {
        store(g, ft, g.let(`${v}[${i}]`, 'f'), base, off + (offs[i] as number));
      });
      return;
    }
    case 'flags': {
      const words = lowerFlags(g, t.names, v);
      const size = flagsSize(t.names.length);
      if (size === 1) g.line(`dv.setUint8(${at}, ${words[0]});`);
      else if (size === 2) g.line(`dv.setUint16(${at}, ${words[0]}, true);`);
      else
        words.forEach((w, i) => {
          g.line(`dv.setInt32(${base} + ${off + 4 * i}, ${w}, true);`);
        });
      return;
    }
    default:
      storeVariant(g, t, base, off, (onCase) => dispatch(g, t, v, onCase));
      return;
  }
}

/**
 * A JS list → a fresh guest allocation. A typed array of the list's own
 * element type (and an ArrayBuffer for list<u8>) is copied in one memcpy;
 * arrays and other typed arrays are lowered element by element, checked.
 */
function lowerList(g: Emitter, elem: ValType, v: string): string[] {
  const size = elemSize(elem);
  const align = alignment(elem);
  const typed = typedArrayName(elem);
  const isBytes = elem.kind === 'u8';
  const list = isBytes ? g.let(`${v} instanceof ArrayBuffer ? new Uint8Array(${v}) : ${v}`, 'lv') : v;
  g.line(`if (!isListLike(${list})) throw badValue(L, 'a list (array or typed array)', ${list});`);
  const n = g.let(`${list}.length`, 'n');
  if (size > 1) g.line(`if (${n} * ${size} > ${MAX_LIST_BYTES}) throw badValue(L, 'a list under 4 GiB', ${n});`);
  else g.line(`if (${n} > ${MAX_LIST_BYTES}) throw badValue(L, 'a list under 4 GiB', ${n});`);
  const p = g.let(`alloc(L, realloc, memory, ${align}, ${n} * ${size})`, 'p');
  g.line('dv = view(memory);');
  if (typed !== undefined) {
    g.open(`if (${list} instanceof ${typed}) {`);
    g.line(`new Uint8Array(memory.buffer, ${p}, ${n} * ${size}).set(bytesOf(${list}));`);
    g.mid('} else {');
  }
  const i = g.tmp('i');
  g.open(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
  const at = g.let(`${p} + ${i} * ${size}`, 'b');
  store(g, elem, g.let(`${list}[${i}]`, 'e'), at, 0);
  g.close();
  if (typed !== undefined) g.close();
  return [p, n];
}
