/**
 * Test support for the code generator (not exported from the package): a
 * fake guest made of a WebAssembly.Memory and a JS bump allocator as
 * realloc, and a "round trip" that routes a value JS → guest → host →
 * guest → JS through one compileLift and one compileLower of the same
 * function type. Both sides flatten the same way, so the fake guest's core
 * export just forwards its core arguments to the core import.
 */

import type { FuncType, HostCall, InstanceState, ValType } from '../types.js';
import { HandleTable } from './handles.js';
import { flatten, MAX_FLAT_RESULTS } from './layout.js';
import { compileLift } from './lift.js';
import { compileLower } from './lower.js';

/** The bit of the WebAssembly JS API the tests use (packages/ has no DOM lib to type it). */
interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const WA = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => Memory } }).WebAssembly;

export interface FakeGuest {
  readonly memory: Memory;
  readonly st: InstanceState & { funcs: ((...args: never[]) => unknown)[] };
  /** Every realloc call, in order. */
  readonly allocs: { align: number; size: number; ptr: number }[];
  /** Grow memory by a page on every allocation (the buffer detaches each time). */
  growOnAlloc: boolean;
  bytes(): Uint8Array;
  view(): DataView;
}

/** funcs[0] is realloc; tables[0] and [1] are two handle tables. */
export function fakeGuest(): FakeGuest {
  const memory = new WA.Memory({ initial: 1, maximum: 1000 });
  let top = 64;
  const allocs: FakeGuest['allocs'] = [];
  const guest: FakeGuest = {
    memory,
    allocs,
    growOnAlloc: false,
    st: { memories: [memory], funcs: [], tables: [new HandleTable(), new HandleTable()] },
    bytes: () => new Uint8Array(memory.buffer),
    view: () => new DataView(memory.buffer),
  };
  const realloc = (_old: number, _oldSize: number, align: number, size: number): number => {
    top = Math.ceil(top / align) * align;
    const ptr = top;
    top += size;
    while (top > memory.buffer.byteLength) memory.grow(1);
    if (guest.growOnAlloc) memory.grow(1);
    allocs.push({ align, size, ptr });
    return ptr;
  };
  guest.st.funcs.push(realloc as (...args: never[]) => unknown);
  return guest;
}

/** Bytes reserved in the fake guest for a return area. */
export function reserve(g: FakeGuest, size: number, align = 8): number {
  return (g.st.funcs[0] as (a: number, b: number, c: number, d: number) => number)(0, 0, align, size);
}

export const t = {
  bool: { kind: 'bool' },
  s8: { kind: 's8' },
  u8: { kind: 'u8' },
  s16: { kind: 's16' },
  u16: { kind: 'u16' },
  s32: { kind: 's32' },
  u32: { kind: 'u32' },
  s64: { kind: 's64' },
  u64: { kind: 'u64' },
  f32: { kind: 'f32' },
  f64: { kind: 'f64' },
  char: { kind: 'char' },
  string: { kind: 'string' },
  list: (elem: ValType): ValType => ({ kind: 'list', elem }),
  record: (fields: Record<string, ValType>): ValType => ({
    kind: 'record',
    fields: Object.entries(fields).map(([name, type]) => ({ name, type })),
  }),
  tuple: (...types: ValType[]): ValType => ({ kind: 'tuple', types }),
  variant: (cases: Record<string, ValType | undefined>): ValType => ({
    kind: 'variant',
    cases: Object.entries(cases).map(([name, type]) => (type === undefined ? { name } : { name, type })),
  }),
  enum: (...names: string[]): ValType => ({ kind: 'enum', names }),
  flags: (...names: string[]): ValType => ({ kind: 'flags', names }),
  option: (type: ValType): ValType => ({ kind: 'option', type }),
  result: (ok?: ValType, err?: ValType): ValType => ({ kind: 'result', ok, err }),
  own: (table: number, name = 'thing'): ValType => ({ kind: 'own', resource: { table, name } }),
  borrow: (table: number, name = 'thing'): ValType => ({ kind: 'borrow', resource: { table, name } }),
} as const satisfies Record<string, ValType | ((...a: never[]) => ValType)>;

export function fn(params: ValType[], result?: ValType): FuncType {
  return { params: params.map((type, i) => ({ name: `p${i}`, type })), result };
}

/**
 * An exported function of type `type` whose fake guest body calls the
 * imported host function `host` (lowered with `call`) with the same core
 * arguments: JS args → lift's lowering → lower's lifting → host → lower's
 * lowering → lift's lifting → JS result.
 */
export function roundTrip(
  g: FakeGuest,
  type: FuncType,
  host: unknown,
  call: HostCall = { kind: 'function' },
  postReturn?: (...core: unknown[]) => void,
): (...args: unknown[]) => unknown {
  const trampoline = compileLower(type, call, { memory: 0, realloc: 0 }, 'test-import')(g.st, host) as (...a: unknown[]) => unknown;
  const results = type.result === undefined ? [] : flatten(type.result);
  const inMemory = results.length > MAX_FLAT_RESULTS;
  const callee = g.st.funcs.length;
  g.st.funcs.push(((...core: unknown[]) => {
    if (!inMemory) return trampoline(...core);
    const rp = reserve(g, 256);
    trampoline(...core, rp);
    return rp;
  }) as (...args: never[]) => unknown);
  let pr: number | undefined;
  if (postReturn !== undefined) {
    pr = g.st.funcs.length;
    g.st.funcs.push(postReturn as (...args: never[]) => unknown);
  }
  return compileLift(type, { memory: 0, realloc: 0, callee, postReturn: pr }, 'test-export')(g.st) as (...a: unknown[]) => unknown;
}
