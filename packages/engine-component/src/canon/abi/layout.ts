/**
 * The Canonical ABI's static facts about a value type (CanonicalABI.md,
 * "Alignment", "Element Size", "Flattening"): how many bytes it takes in
 * linear memory, where each field sits, and which core values carry it
 * when passed "flat" as Wasm parameters and results. Everything here runs
 * at code-generation time, never per call.
 */

import type { ValType } from '../types.js';

export type CoreType = 'i32' | 'i64' | 'f32' | 'f64';

/** Flat parameter and result limits: beyond them values travel through memory. */
export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_RESULTS = 1;

/** One case of a variant-like type (variant, enum, option, result), after despecialization. */
export interface Case {
  readonly name: string;
  readonly type?: ValType | undefined;
}

/** Option, result and enum are variants in disguise (CanonicalABI "Despecialization"). */
export function casesOf(t: ValType): readonly Case[] {
  switch (t.kind) {
    case 'variant':
      return t.cases;
    case 'enum':
      return t.names.map((name) => ({ name }));
    case 'option':
      return [{ name: 'none' }, { name: 'some', type: t.type }];
    case 'result':
      return [
        { name: 'ok', type: t.ok },
        { name: 'err', type: t.err },
      ];
    default:
      throw new Error(`${t.kind} is not a variant-like type`);
  }
}

export function isVariantLike(t: ValType): boolean {
  return t.kind === 'variant' || t.kind === 'enum' || t.kind === 'option' || t.kind === 'result';
}

export function alignTo(ptr: number, align: number): number {
  return Math.ceil(ptr / align) * align;
}

/** Bytes of the discriminant: the smallest of u8/u16/u32 that counts the cases. */
export function discriminantSize(caseCount: number): 1 | 2 | 4 {
  if (caseCount <= 0x100) return 1;
  if (caseCount <= 0x10000) return 2;
  return 4;
}

/** Flags pack into 1, 2 or 4 bytes up to 32 labels, then into as many u32 words as needed. */
export function flagsSize(count: number): number {
  if (count <= 8) return 1;
  if (count <= 16) return 2;
  return 4 * Math.ceil(count / 32);
}

export function alignment(t: ValType): number {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
      return 1;
    case 's16':
    case 'u16':
      return 2;
    case 's32':
    case 'u32':
    case 'f32':
    case 'char':
    case 'string':
    case 'list':
    case 'own':
    case 'borrow':
      return 4;
    case 's64':
    case 'u64':
    case 'f64':
      return 8;
    case 'record':
      return maxAlign(t.fields.map((f) => f.type));
    case 'tuple':
      return maxAlign(t.types);
    case 'flags':
      return Math.min(flagsSize(t.names.length), 4);
    default:
      return Math.max(discriminantSize(casesOf(t).length), maxCaseAlignment(casesOf(t)));
  }
}

export function elemSize(t: ValType): number {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
      return 1;
    case 's16':
    case 'u16':
      return 2;
    case 's32':
    case 'u32':
    case 'f32':
    case 'char':
    case 'own':
    case 'borrow':
      return 4;
    case 's64':
    case 'u64':
    case 'f64':
    case 'string':
    case 'list':
      return 8;
    case 'record':
    case 'tuple': {
      const types = t.kind === 'record' ? t.fields.map((f) => f.type) : t.types;
      let s = 0;
      for (const ft of types) s = alignTo(s, alignment(ft)) + elemSize(ft);
      return alignTo(s, alignment(t));
    }
    case 'flags':
      return flagsSize(t.names.length);
    default: {
      const cases = casesOf(t);
      let s = payloadOffset(cases);
      let max = 0;
      for (const c of cases) if (c.type) max = Math.max(max, elemSize(c.type));
      s += max;
      return alignTo(s, alignment(t));
    }
  }
}

/** Byte offsets of a record's fields or a tuple's elements. */
export function fieldOffsets(types: readonly ValType[]): number[] {
  const out: number[] = [];
  let s = 0;
  for (const ft of types) {
    s = alignTo(s, alignment(ft));
    out.push(s);
    s += elemSize(ft);
  }
  return out;
}

/** Where a variant's payload starts: after the discriminant, aligned for the most demanding case. */
export function payloadOffset(cases: readonly Case[]): number {
  return alignTo(discriminantSize(cases.length), maxCaseAlignment(cases));
}

function maxCaseAlignment(cases: readonly Case[]): number {
  let a = 1;
  for (const c of cases) if (c.type) a = Math.max(a, alignment(c.type));
  return a;
}

function maxAlign(types: readonly ValType[]): number {
  let a = 1;
  for (const ft of types) a = Math.max(a, alignment(ft));
  return a;
}

/** The core values that carry `t` when passed flat (CanonicalABI `flatten_type`). */
export function flatten(t: ValType): CoreType[] {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
    case 'char':
    case 'own':
    case 'borrow':
      return ['i32'];
    case 's64':
    case 'u64':
      return ['i64'];
    case 'f32':
      return ['f32'];
    case 'f64':
      return ['f64'];
    case 'string':
    case 'list':
      return ['i32', 'i32'];
    case 'record':
      return t.fields.flatMap((f) => flatten(f.type));
    case 'tuple':
      return t.types.flatMap(flatten);
    case 'flags':
      return new Array<CoreType>(Math.ceil(t.names.length / 32)).fill('i32');
    default:
      return ['i32', ...flattenCases(casesOf(t))];
  }
}

/** The joined payload slots of a variant: each slot wide enough for every case's value there. */
export function flattenCases(cases: readonly Case[]): CoreType[] {
  const flat: CoreType[] = [];
  for (const c of cases) {
    if (!c.type) continue;
    flatten(c.type).forEach((ft, i) => {
      const have = flat[i];
      flat[i] = have === undefined ? ft : join(have, ft);
    });
  }
  return flat;
}

/** Same type stays; i32 and f32 share an i32; anything else widens to i64 (bits reinterpreted). */
export function join(a: CoreType, b: CoreType): CoreType {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

/** jco's JS name for a record field or flag: kebab-case WIT → lowerCamelCase (`data-access-timestamp` → `dataAccessTimestamp`). */
export function camelCase(name: string): string {
  const words = name.split('-');
  let out = (words[0] ?? '').toLowerCase();
  for (let i = 1; i < words.length; i++) {
    const w = words[i] ?? '';
    out += w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
  }
  return out;
}

/**
 * Whether jco represents the type with `undefined` for some value: an
 * `option<T>` is `T | undefined` unless T can itself be undefined, in which
 * case it becomes `{ tag: 'none' } | { tag: 'some', val }` so that `none`
 * and `some(none)` stay apart.
 */
export function isNullable(t: ValType): boolean {
  return t.kind === 'option' && !isNullable(t.type);
}

/** The typed-array constructor name jco lifts `list<T>` to, if T is a number type. */
export function typedArrayName(t: ValType): string | undefined {
  switch (t.kind) {
    case 'u8':
      return 'Uint8Array';
    case 's8':
      return 'Int8Array';
    case 'u16':
      return 'Uint16Array';
    case 's16':
      return 'Int16Array';
    case 'u32':
      return 'Uint32Array';
    case 's32':
      return 'Int32Array';
    case 'u64':
      return 'BigUint64Array';
    case 's64':
      return 'BigInt64Array';
    case 'f32':
      return 'Float32Array';
    case 'f64':
      return 'Float64Array';
    default:
      return undefined;
  }
}
