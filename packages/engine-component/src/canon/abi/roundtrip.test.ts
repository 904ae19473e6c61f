/**
 * Every kind of value survives JS → guest → host → guest → JS (see
 * testing.ts roundTrip): the host sees jco's JS shapes, and what it
 * returns comes back unchanged. Each test names the type it carries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ValType } from '../types.js';
import { fakeGuest, fn, roundTrip, t } from './testing.js';

/** Round-trips each value through `id(x: type) -> type`, checking what the host saw too. */
function check(type: ValType, values: unknown[], expectSeen?: (v: unknown) => unknown): void {
  const g = fakeGuest();
  const seen: unknown[] = [];
  const id = roundTrip(g, fn([type], type), (x: unknown) => {
    seen.push(x);
    return x;
  });
  for (const v of values) {
    const back = id(v);
    const want = expectSeen ? expectSeen(v) : v;
    assert.deepStrictEqual(seen.pop(), want, `host saw ${String(v)}`);
    assert.deepStrictEqual(back, want, `round trip of ${String(v)}`);
  }
}

test('roundtrip_bool', () => check(t.bool, [true, false]));
test('roundtrip_integers_at_their_limits', () => {
  check(t.s8, [-128, 127, 0, -1]);
  check(t.u8, [0, 255, 7]);
  check(t.s16, [-32768, 32767]);
  check(t.u16, [0, 65535]);
  check(t.s32, [-(2 ** 31), 2 ** 31 - 1, 0]);
  check(t.u32, [0, 2 ** 32 - 1, 2 ** 31]);
  check(t.s64, [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]);
  check(t.u64, [0n, 2n ** 64n - 1n, 2n ** 63n]);
});
test('roundtrip_u64_accepts_safe_integer_numbers_like_jco', () => check(t.u64, [5, 0], (v) => BigInt(v as number)));
test('roundtrip_floats', () => {
  check(t.f32, [1.5, -0.25, Number.POSITIVE_INFINITY, 0]);
  check(t.f64, [Math.PI, -1e300, Number.NEGATIVE_INFINITY]);
  check(t.f32, [Number.NaN]);
  check(t.f32, [0.1], () => Math.fround(0.1));
});
test('roundtrip_char', () => check(t.char, ['a', 'é', '😀', '\u{10ffff}']));
test('roundtrip_string', () => check(t.string, ['', 'a', 'héllo wörld', '😀 emoji', 'x'.repeat(5000), 'é'.repeat(3000)]));
test('roundtrip_string_lone_surrogate_becomes_replacement_char', () => check(t.string, ['a\ud800b'], () => 'a\ufffdb'));

test('roundtrip_list_u8_is_a_copied_uint8array', () => {
  check(t.list(t.u8), [new Uint8Array([1, 2, 255]), new Uint8Array(0)]);
  check(t.list(t.u8), [[1, 2, 3]], (v) => new Uint8Array(v as number[]));
  check(t.list(t.u8), [new Uint8Array([9, 8]).buffer], (v) => new Uint8Array(v as ArrayBuffer));
});
test('roundtrip_list_of_numbers_is_the_typed_array_jco_uses', () => {
  check(t.list(t.u32), [new Uint32Array([1, 2 ** 32 - 1])]);
  check(t.list(t.u32), [[1, 2]], (v) => new Uint32Array(v as number[]));
  check(t.list(t.s16), [new Int16Array([-1, 5])]);
  check(t.list(t.f64), [new Float64Array([1.5, -2])]);
  check(t.list(t.u64), [new BigUint64Array([2n ** 64n - 1n])]);
  check(t.list(t.s8), [new Int8Array([-128, 127])]);
});
test('roundtrip_list_of_strings_and_records_are_arrays', () => {
  check(t.list(t.string), [['a', '', 'ccc'], []]);
  check(t.list(t.record({ 'field-name': t.string, size: t.u16 })), [
    [
      { fieldName: 'x', size: 1 },
      { fieldName: 'yy', size: 65535 },
    ],
  ]);
  check(t.list(t.list(t.u8)), [[new Uint8Array([1]), new Uint8Array([])]]);
  check(t.list(t.bool), [[true, false, true]]);
  check(t.list(t.char), [['a', '😀']]);
});
test('roundtrip_http_fields_shape', () => {
  // wasi:http fields entries: list<tuple<string, list<u8>>>
  check(t.list(t.tuple(t.string, t.list(t.u8))), [[['content-type', new Uint8Array([104, 105])]]]);
});
test('roundtrip_record_uses_camel_case_fields', () => {
  const r = t.record({ 'data-access-timestamp': t.u64, 'link-count': t.u32, name: t.string, ok: t.bool });
  check(r, [{ dataAccessTimestamp: 10n, linkCount: 3, name: 'n', ok: true }]);
});
test('roundtrip_tuple', () => check(t.tuple(t.u8, t.string, t.f64), [[1, 's', 2.5]]));
test('roundtrip_variant_with_and_without_payloads', () => {
  const v = t.variant({ 'a-b': t.f32, big: t.s64, none: undefined, text: t.string, dbl: t.f64 });
  check(v, [
    { tag: 'a-b', val: 1.5 },
    { tag: 'big', val: -(2n ** 62n) },
    { tag: 'none' },
    { tag: 'text', val: 'hi' },
    { tag: 'dbl', val: -0.5 },
  ]);
});
test('roundtrip_variant_in_memory', () => {
  // two variants don't fit in one flat result: the result goes through the return area
  const v = t.variant({ a: t.u8, b: t.u64, c: undefined });
  check(t.tuple(v, v), [
    [
      { tag: 'a', val: 7 },
      { tag: 'b', val: 2n ** 64n - 1n },
    ],
    [{ tag: 'c' }, { tag: 'a', val: 0 }],
  ]);
});
test('roundtrip_enum_is_the_kebab_name', () => {
  check(t.enum('would-block', 'access', 'no-entry'), ['would-block', 'access', 'no-entry']);
  const big = t.enum(...Array.from({ length: 300 }, (_, i) => `c${i}`));
  check(big, ['c0', 'c299']);
  check(t.list(big), [['c257', 'c1']]);
});
test('roundtrip_flags_are_camel_case_booleans', () => {
  const f = t.flags('read', 'write', 'file-integrity-sync');
  check(f, [{ read: true, write: false, fileIntegritySync: true }]);
  check(f, [undefined, null, {}], () => ({ read: false, write: false, fileIntegritySync: false }));
  const many = Array.from({ length: 40 }, (_, i) => `f-${i}`);
  const all = Object.fromEntries(many.map((_n, i) => [`f${i}`, i % 3 === 0 || i === 31 || i === 39]));
  check(t.flags(...many), [all]);
  check(t.list(t.flags(...many)), [[all, all]]);
});
test('roundtrip_option_is_value_or_undefined', () => {
  check(t.option(t.u32), [undefined, 0, 7]);
  check(t.option(t.u32), [null], () => undefined);
  check(t.option(t.string), [undefined, 'x']);
});
test('roundtrip_nested_option_uses_tagged_objects_like_jco', () => {
  const oo = t.option(t.option(t.u32));
  check(oo, [{ tag: 'none' }, { tag: 'some', val: undefined }, { tag: 'some', val: 3 }]);
  // undefined cannot mean some(…) in the tagged form, so it is accepted as none
  check(oo, [undefined, null], () => ({ tag: 'none' }));
  // option<option<option<u32>>> is nullable again (jco's as_nullable)
  check(t.option(oo), [undefined, { tag: 'none' }, { tag: 'some', val: 1 }]);
});
test('roundtrip_nested_result_is_a_tagged_object', () => {
  const r = t.result(t.string, t.enum('a', 'b'));
  check(t.list(r), [
    [
      { tag: 'ok', val: 'yes' },
      { tag: 'err', val: 'b' },
    ],
  ]);
  check(t.option(t.result()), [undefined, { tag: 'ok', val: undefined }, { tag: 'err', val: undefined }]);
});

test('roundtrip_own_moves_the_object_through_the_handle_table', () => {
  const g = fakeGuest();
  const obj = { name: 'stream' };
  let seen: unknown;
  const id = roundTrip(g, fn([t.own(0)], t.own(1)), (x: unknown) => {
    seen = x;
    return { wrapped: x };
  });
  const back = id(obj) as { wrapped: unknown };
  assert.equal(seen, obj);
  assert.equal(back.wrapped, obj);
  // both handles were given back: nothing leaked in either table
  assert.equal((g.st.tables[0] as unknown as { size: number }).size, 0);
  assert.equal((g.st.tables[1] as unknown as { size: number }).size, 0);
});

test('roundtrip_many_params_go_through_memory_both_ways', () => {
  // 17 flat values: the lift side stores a tuple and passes its pointer, the lower side loads it
  const g = fakeGuest();
  const types: ValType[] = [...Array.from({ length: 15 }, () => t.u32), t.string];
  const id = roundTrip(
    g,
    fn(types, t.list(t.u32)),
    (...xs: unknown[]) => new Uint32Array([...(xs.slice(0, 15) as number[]), (xs[15] as string).length]),
  );
  const args = [...Array.from({ length: 15 }, (_, i) => i * 1000), 'four'];
  assert.deepStrictEqual(id(...args), new Uint32Array([...Array.from({ length: 15 }, (_, i) => i * 1000), 4]));
});

test('roundtrip_survives_memory_growth_on_every_allocation', () => {
  const g = fakeGuest();
  g.growOnAlloc = true;
  const type = t.list(t.record({ name: t.string, data: t.list(t.u8), tags: t.list(t.string) }));
  const id = roundTrip(g, fn([type], type), (x: unknown) => x);
  const v = [
    { name: 'a', data: new Uint8Array([1, 2]), tags: ['x', 'yy'] },
    { name: 'é'.repeat(40), data: new Uint8Array(3000).fill(7), tags: [] },
  ];
  assert.deepStrictEqual(id(v), v);
  assert.ok(g.memory.buffer.byteLength >= 10 * 65536, 'memory grew');
});
