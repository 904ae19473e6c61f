/**
 * The small shared productions of the component binary format: sorts (which
 * index space an index points into), import/export names with their
 * attributes, extern types (what an import or export is) and aliases.
 */

import type { Alias, CoreSort, ExternDesc, Sort, ValTypeRef } from './ast.js';
import { hex, type Reader } from './parse-reader.js';

/** `core:sort` bytes: 0x00..0x04 match core wasm's externtype opcodes, 0x10.. are component additions. */
const CORE_SORTS: Readonly<Record<number, CoreSort>> = {
  0: 'func',
  1: 'table',
  2: 'memory',
  3: 'global',
  4: 'tag',
  16: 'type',
  17: 'module',
  18: 'instance',
};

/** One frozen `{ core }` object per core sort, shared by every definition that names it. */
const CORE_SORT_OBJECTS: Readonly<Record<string, Sort>> = Object.fromEntries(
  Object.values(CORE_SORTS).map((s) => [s, Object.freeze({ core: s })]),
);

const SORTS: readonly (Sort | undefined)[] = [undefined, 'func', 'value', 'type', 'component', 'instance'];

export function readCoreSort(r: Reader): CoreSort {
  const at = r.pos;
  const b = r.u8();
  const s = CORE_SORTS[b];
  if (s === undefined) r.fail(`unknown core sort 0x${hex(b)}`, at);
  return s;
}

export function readSort(r: Reader): Sort {
  const at = r.pos;
  const b = r.u8();
  if (b === 0x00) return CORE_SORT_OBJECTS[readCoreSort(r)] as Sort;
  const s = SORTS[b];
  if (s === undefined) r.fail(`unknown sort 0x${hex(b)}`, at);
  return s;
}

/**
 * `nameattributes`: 0x00 or 0x01 (the same, kept for history) then the name;
 * 0x02 adds attributes (`implements`, `versionsuffix`, `external-id`), which
 * only matter to validation and tooling, so they are skipped.
 */
export function readExternName(r: Reader): string {
  const at = r.pos;
  const tag = r.u8();
  if (tag > 0x02) r.fail(`unknown import/export name encoding 0x${hex(tag)}`, at);
  const name = r.name();
  if (tag === 0x02) {
    const n = r.count('name attribute');
    for (let i = 0; i < n; i++) {
      const a = r.pos;
      const kind = r.u8();
      if (kind > 0x02) r.fail(`unknown name attribute 0x${hex(kind)}`, a);
      r.name();
    }
  }
  return name;
}

/** `externtype`: what an import, export or declaration is, with its type. */
export function readExternDesc(r: Reader): ExternDesc {
  const at = r.pos;
  const tag = r.u8();
  switch (tag) {
    case 0x00:
      r.expect(0x11, 'core module extern type');
      return { sort: 'module', type: r.u32() };
    case 0x01:
      return { sort: 'func', type: r.u32() };
    case 0x02: {
      // valuebound: (eq valueidx) or a valtype; values are never run, only skipped.
      const b = r.pos;
      const kind = r.u8();
      if (kind === 0x00) r.u32();
      else if (kind === 0x01) readValType(r);
      else r.fail(`unknown value bound 0x${hex(kind)}`, b);
      return { sort: 'value', raw: true };
    }
    case 0x03: {
      const b = r.pos;
      const kind = r.u8();
      if (kind === 0x00) return { sort: 'type', bound: { eq: r.u32() } };
      if (kind === 0x01) return { sort: 'type', bound: SUB_RESOURCE };
      return r.fail(`unknown type bound 0x${hex(kind)}`, b);
    }
    case 0x04:
      return { sort: 'component', type: r.u32() };
    case 0x05:
      return { sort: 'instance', type: r.u32() };
    default:
      return r.fail(`unknown extern type 0x${hex(tag)}`, at);
  }
}

const SUB_RESOURCE = Object.freeze({ subResource: true as const });

const PRIMS: Readonly<Record<number, ValTypeRef>> = Object.fromEntries(
  (
    [
      [0x7f, 'bool'],
      [0x7e, 's8'],
      [0x7d, 'u8'],
      [0x7c, 's16'],
      [0x7b, 'u16'],
      [0x7a, 's32'],
      [0x79, 'u32'],
      [0x78, 's64'],
      [0x77, 'u64'],
      [0x76, 'f32'],
      [0x75, 'f64'],
      [0x74, 'char'],
      [0x73, 'string'],
      [0x64, 'error-context'],
    ] as const
  ).map(([code, prim]) => [code, Object.freeze({ prim })]),
);

/**
 * A component `valtype`: an s33 where the one-byte negative values
 * (0x40..0x7f) are primitive opcodes and the non-negative ones are type
 * indices. A non-negative s33 below 2^32 is spelled exactly like a u32
 * LEB128, except that its last byte never has bit 6 (the sign) set.
 */
export function readValType(r: Reader): ValTypeRef {
  const at = r.pos;
  const b = r.u8();
  if (b < 0x40) return { type: b };
  if (b < 0x80) {
    const prim = PRIMS[b];
    if (prim === undefined) r.fail(`unknown value type 0x${hex(b)}`, at);
    return prim;
  }
  r.pos = at;
  const type = r.u32();
  if ((r.bytes[r.pos - 1] as number) & 0x40) r.fail('negative type index', at);
  return { type };
}

/** Opcodes that are a primitive value type (also a `defvaltype` on their own). */
export function primOf(opcode: number): ValTypeRef | undefined {
  return PRIMS[opcode];
}

/** `alias`: a sort, then where the item comes from. */
export function readAlias(r: Reader): Alias {
  const sort = readSort(r);
  const at = r.pos;
  const target = r.u8();
  switch (target) {
    case 0x00: {
      const instance = r.u32();
      return { tag: 'alias-export', sort, instance, name: r.name() };
    }
    case 0x01: {
      if (typeof sort !== 'object') r.fail('a core export alias must have a core sort', at);
      const instance = r.u32();
      return { tag: 'alias-core-export', sort: sort.core, instance, name: r.name() };
    }
    case 0x02: {
      const count = r.u32();
      return { tag: 'alias-outer', sort, count, index: r.u32() };
    }
    default:
      return r.fail(`unknown alias target 0x${hex(target)}`, at);
  }
}
