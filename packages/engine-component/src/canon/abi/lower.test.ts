/**
 * canon lower (host imports) seen from the guest's side: the test plays the
 * guest, writing core arguments and memory by hand and reading the return
 * area at hand-computed offsets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostCall, ValType } from '../types.js';
import { ComponentError } from './errors.js';
import { compileLower } from './lower.js';
import { type FakeGuest, fakeGuest, fn, reserve, t } from './testing.js';

type Trampoline = (...core: unknown[]) => unknown;

function lower(
  g: FakeGuest,
  params: ValType[],
  result: ValType | undefined,
  host: unknown,
  call: HostCall = { kind: 'function' },
): Trampoline {
  return compileLower(fn(params, result), call, { memory: 0, realloc: 0 }, 'wasi:test/x#f')(g.st, host) as Trampoline;
}

/** Writes UTF-8 (or raw bytes) into the fake guest; returns [ptr, len]. */
function put(g: FakeGuest, s: string | Uint8Array): [number, number] {
  const bytes = typeof s === 'string' ? new TextEncoder().encode(s) : s;
  const p = reserve(g, bytes.length, 1);
  g.bytes().set(bytes, p);
  return [p, bytes.length];
}

const ioError = t.variant({ 'last-operation-failed': t.own(1), closed: undefined });

test('lower_scalar_result_is_returned_flat', () => {
  const g = fakeGuest();
  const add = lower(g, [t.u32, t.u32], t.u32, (a: number, b: number) => a + b);
  assert.equal(add(2, 3), 5);
  // a u32 arrives from the guest as a signed i32
  assert.equal(add(-1, 0), 2 ** 32 - 1);
});

test('lower_string_param_is_decoded_and_result_written_to_the_return_area', () => {
  const g = fakeGuest();
  const greet = lower(g, [t.string], t.string, (s: string) => `hi ${s}`);
  const [p, n] = put(g, 'wörld');
  const rp = reserve(g, 8, 4);
  assert.equal(greet(p, n, rp), undefined);
  const dv = g.view();
  const sp = dv.getUint32(rp, true);
  const sl = dv.getUint32(rp + 4, true);
  assert.equal(new TextDecoder().decode(g.bytes().slice(sp, sp + sl)), 'hi wörld');
  assert.deepEqual(g.allocs.at(-1), { align: 1, size: sl, ptr: sp }, 'one exact-size realloc(0, 0, 1, len)');
});

test('lower_result_ok_is_written_at_payload_offset', () => {
  // result<u64, error-code>: disc@0, payload@8 (u64 alignment)
  const g = fakeGuest();
  const f = lower(g, [], t.result(t.u64, t.enum('access', 'busy')), () => 42n);
  const rp = reserve(g, 16);
  f(rp);
  assert.equal(g.view().getUint8(rp), 0);
  assert.equal(g.view().getBigUint64(rp + 8, true), 42n);
});

test('lower_result_err_from_a_thrown_payload', () => {
  const g = fakeGuest();
  const payloads: unknown[] = ['busy', new ComponentError('busy'), Object.assign(new Error('x'), { payload: 'busy' })];
  for (const thrown of payloads) {
    const f = lower(g, [], t.result(t.u64, t.enum('access', 'busy')), () => {
      throw thrown;
    });
    const rp = reserve(g, 16);
    f(rp);
    assert.equal(g.view().getUint8(rp), 1, 'err disc');
    assert.equal(g.view().getUint8(rp + 8), 1, 'busy');
  }
});

test('lower_result_error_without_payload_propagates_as_a_trap', () => {
  const g = fakeGuest();
  class LimitTrap extends Error {}
  const f = lower(g, [], t.result(t.u64, t.enum('access')), () => {
    throw new LimitTrap('fuel');
  });
  assert.throws(() => f(reserve(g, 16)), LimitTrap);
});

test('lower_result_tagged_value_from_the_host_passes_through_like_jco', () => {
  const g = fakeGuest();
  const f = lower(g, [], t.result(t.u32, t.enum('a', 'b')), () => ({ tag: 'err', val: 'b' }));
  const rp = reserve(g, 8);
  f(rp);
  assert.deepEqual([g.view().getUint8(rp), g.view().getUint8(rp + 4)], [1, 1]);
});

test('lower_result_without_payloads_is_flat', () => {
  const g = fakeGuest();
  let fail = false;
  const f = lower(g, [], t.result(), () => {
    if (fail) throw undefined;
  });
  assert.equal(f(), 0);
  fail = true;
  assert.equal(f(), 1);
});

test('lower_stream_error_variant_with_own_payload', () => {
  // result<list<u8>, stream-error>, stream-error = variant { last-operation-failed(own<error>), closed }
  const g = fakeGuest();
  const err = { msg: 'boom' };
  let mode = 0;
  const read = lower(g, [t.borrow(0), t.u64], t.result(t.list(t.u8), ioError), undefined, { kind: 'method', name: 'blockingRead' });
  const stream = {
    blockingRead(n: bigint) {
      if (mode === 1) throw { tag: 'closed' };
      if (mode === 2) throw { tag: 'last-operation-failed', val: err };
      return new Uint8Array(Number(n)).fill(9);
    },
  };
  const h = g.st.tables[0]!.insert(stream);
  const rp = reserve(g, 12, 4);
  read(h, 3n, rp);
  const dv = () => g.view();
  assert.equal(dv().getUint8(rp), 0);
  const lp = dv().getUint32(rp + 4, true);
  assert.equal(dv().getUint32(rp + 8, true), 3);
  assert.deepEqual([...g.bytes().slice(lp, lp + 3)], [9, 9, 9]);
  mode = 1;
  read(h, 3n, rp);
  assert.deepEqual([dv().getUint8(rp), dv().getUint8(rp + 4)], [1, 1]);
  mode = 2;
  read(h, 3n, rp);
  assert.deepEqual([dv().getUint8(rp), dv().getUint8(rp + 4)], [1, 0]);
  assert.equal(g.st.tables[1]!.get(dv().getUint32(rp + 8, true)), err);
});

test('lower_method_static_and_constructor_calls', () => {
  const g = fakeGuest();
  class Fields {
    entries: [string, Uint8Array][];
    constructor(entries: [string, Uint8Array][] = []) {
      this.entries = entries;
    }
    static fromList(entries: [string, Uint8Array][]) {
      return new Fields(entries);
    }
    get(name: string) {
      return this.entries.filter(([n]) => n === name).map(([, v]) => v);
    }
  }
  const ctor = lower(g, [], t.own(0, 'fields'), Fields, { kind: 'constructor' });
  const h1 = ctor() as number;
  assert.ok(g.st.tables[0]!.get(h1) instanceof Fields);

  const entry = t.tuple(t.string, t.list(t.u8));
  const fromList = lower(g, [t.list(entry)], t.own(0, 'fields'), Fields, { kind: 'static', name: 'fromList' });
  // build list<tuple<string, list<u8>>> by hand: element size 16, align 4
  const [np, nl] = put(g, 'accept');
  const [vp, vl] = put(g, new Uint8Array([42]));
  const lp = reserve(g, 16, 4);
  const dv = g.view();
  [np, nl, vp, vl].forEach((x, i) => {
    dv.setUint32(lp + 4 * i, x, true);
  });
  const h2 = fromList(lp, 1) as number;
  const fields = g.st.tables[0]!.get(h2) as Fields;
  assert.deepEqual(fields.entries, [['accept', new Uint8Array([42])]]);

  const get = lower(g, [t.borrow(0, 'fields'), t.string], t.list(t.list(t.u8)), undefined, { kind: 'method', name: 'get' });
  const [kp, kl] = put(g, 'accept');
  const rp = reserve(g, 8, 4);
  get(h2, kp, kl, rp);
  assert.equal(g.view().getUint32(rp + 4, true), 1, 'one value');
  assert.ok(g.st.tables[0]!.get(h2) === fields, 'borrow leaves the handle in place');
});

test('lower_many_params_are_read_from_a_tuple_in_memory', () => {
  // 17 u32 params → one pointer to a tuple of 17 u32 (offset 4·i)
  const g = fakeGuest();
  let got: number[] = [];
  const f = lower(
    g,
    Array.from({ length: 17 }, () => t.u32),
    undefined,
    (...xs: number[]) => {
      got = xs;
    },
  );
  const tp = reserve(g, 68, 4);
  for (let i = 0; i < 17; i++) g.view().setUint32(tp + 4 * i, i * 7, true);
  assert.equal(f(tp), undefined);
  assert.deepEqual(
    got,
    Array.from({ length: 17 }, (_, i) => i * 7),
  );
  assert.throws(() => f(g.memory.buffer.byteLength - 8), { name: 'RuntimeError' });
});

test('lower_flags_param_traps_on_unknown_bits', () => {
  const g = fakeGuest();
  let seen: unknown;
  const f = lower(g, [t.flags('symlink-follow')], undefined, (x: unknown) => {
    seen = x;
  });
  f(1);
  assert.deepEqual(seen, { symlinkFollow: true });
  assert.throws(() => f(2), { name: 'RuntimeError' });
});

test('lower_traps_on_bad_guest_data', () => {
  const g = fakeGuest();
  const str = lower(g, [t.string], undefined, () => {});
  const size = g.memory.buffer.byteLength;
  assert.throws(() => str(size - 2, 3), { name: 'RuntimeError', message: /outside guest memory/ });
  assert.throws(() => str(-1, 1), { name: 'RuntimeError' });
  const [bp, bl] = put(g, new Uint8Array([0x61, 0xff, 0x62]));
  assert.throws(() => str(bp, bl), { name: 'RuntimeError', message: /invalid UTF-8/ });
  const [lp, ll] = put(g, new Uint8Array([0x61, 0xc3, 0x28, ...new Uint8Array(30).fill(0x61)]));
  assert.throws(() => str(lp, ll), { name: 'RuntimeError', message: /invalid UTF-8/ });

  const list = lower(g, [t.list(t.u32)], undefined, () => {});
  assert.throws(() => list(2, 1), { name: 'RuntimeError', message: /not aligned/ });
  assert.throws(() => list(0, 2 ** 30), { name: 'RuntimeError', message: /outside guest memory/ });

  const en = lower(g, [t.enum('a', 'b')], undefined, () => {});
  assert.throws(() => en(2), { name: 'RuntimeError', message: /invalid enum discriminant 2/ });
  const opt = lower(g, [t.option(t.u8)], undefined, () => {});
  assert.throws(() => opt(2, 0), { name: 'RuntimeError', message: /invalid option discriminant/ });
  const ch = lower(g, [t.char], undefined, () => {});
  assert.throws(() => ch(0xd800), { name: 'RuntimeError' });
  assert.throws(() => ch(0x110000), { name: 'RuntimeError' });

  const ret = lower(g, [], t.string, () => 'x');
  assert.throws(() => ret(size), { name: 'RuntimeError', message: /outside guest memory/ });
  assert.throws(() => ret(6), { name: 'RuntimeError', message: /not aligned/ });
});

test('lower_bad_handle_traps', () => {
  const g = fakeGuest();
  const f = lower(g, [t.borrow(0)], undefined, () => {}, { kind: 'method', name: 'x' });
  assert.throws(() => f(5), { name: 'TypeError', message: /handle 5/ });
  const o = lower(g, [t.own(0)], undefined, () => {});
  assert.throws(() => o(1), { name: 'TypeError', message: /handle 1/ });
});

test('lower_bad_host_values_throw_type_errors', () => {
  const g = fakeGuest();
  const cases: [ValType, unknown][] = [
    [t.u8, 256],
    [t.u8, -1],
    [t.s8, 128],
    [t.u16, 1.5],
    [t.s32, 2 ** 31],
    [t.u32, '1'],
    [t.u32, undefined],
    [t.u64, -1n],
    [t.u64, 2n ** 64n],
    [t.s64, 2n ** 63n],
    [t.u64, 2 ** 60],
    [t.f64, '1'],
    [t.char, 'ab'],
    [t.char, ''],
    [t.char, '\ud800'],
    [t.string, 5],
    [t.enum('a', 'b'), 'c'],
    [t.variant({ a: t.u8 }), { tag: 'z' }],
    [t.variant({ a: t.u8 }), 'a'],
    [t.record({ a: t.u8 }), null],
    [t.record({ a: t.u8 }), {}],
    [t.flags('a'), 5],
    [t.list(t.u8), 'abc'],
    [t.list(t.string), [1]],
    [t.option(t.option(t.u8)), { tag: 'maybe' }],
    [t.own(0), 5],
  ];
  for (const [type, bad] of cases) {
    const ret = lower(g, [], type, () => bad);
    assert.throws(() => ret(reserve(g, 16)), TypeError, `${type.kind} ${String(bad)}`);
  }
});

test('lower_realloc_that_grows_memory_is_followed', () => {
  const g = fakeGuest();
  g.growOnAlloc = true;
  const f = lower(g, [], t.tuple(t.string, t.list(t.string), t.u32), () => ['a'.repeat(100), ['x', 'é'.repeat(50)], 7]);
  const rp = reserve(g, 20, 4);
  const before = g.memory.buffer.byteLength;
  f(rp);
  assert.ok(g.memory.buffer.byteLength > before);
  const dv = g.view();
  const dec = (p: number, n: number) => new TextDecoder().decode(g.bytes().slice(p, p + n));
  assert.equal(dec(dv.getUint32(rp, true), dv.getUint32(rp + 4, true)), 'a'.repeat(100));
  const lp = dv.getUint32(rp + 8, true);
  assert.equal(dv.getUint32(rp + 12, true), 2);
  assert.equal(dec(dv.getUint32(lp + 8, true), dv.getUint32(lp + 12, true)), 'é'.repeat(50));
  assert.equal(dv.getUint32(rp + 16, true), 7);
});

test('lower_empty_string_and_list', () => {
  const g = fakeGuest();
  const f = lower(g, [], t.tuple(t.string, t.list(t.u8)), () => ['', new Uint8Array(0)]);
  const rp = reserve(g, 16, 4);
  const n = g.allocs.length;
  f(rp);
  assert.equal(g.view().getUint32(rp + 4, true), 0);
  assert.equal(g.view().getUint32(rp + 12, true), 0);
  assert.equal(g.allocs.length, n + 1, 'empty string skips realloc (jco), empty list calls it');
});
