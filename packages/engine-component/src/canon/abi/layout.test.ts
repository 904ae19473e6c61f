/** Sizes, alignments, offsets and flattening checked against hand-computed CanonicalABI values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignment, camelCase, casesOf, discriminantSize, elemSize, fieldOffsets, flatten, isNullable, payloadOffset } from './layout.js';
import { t } from './testing.js';

test('layout_primitives', () => {
  const expect: [keyof typeof t, number, number][] = [
    ['bool', 1, 1],
    ['u8', 1, 1],
    ['s16', 2, 2],
    ['u32', 4, 4],
    ['char', 4, 4],
    ['f32', 4, 4],
    ['u64', 8, 8],
    ['f64', 8, 8],
    ['string', 8, 4],
  ];
  for (const [k, size, align] of expect) {
    const ty = t[k] as never;
    assert.equal(elemSize(ty), size, `${k} size`);
    assert.equal(alignment(ty), align, `${k} align`);
  }
});

test('layout_record_pads_fields_to_their_alignment', () => {
  // { a: u8, b: u32, c: u16 } → a@0, b@4, c@8, size 12 (rounded to align 4)
  const r = t.record({ a: t.u8, b: t.u32, c: t.u16 });
  assert.deepEqual(fieldOffsets([t.u8, t.u32, t.u16]), [0, 4, 8]);
  assert.equal(elemSize(r), 12);
  assert.equal(alignment(r), 4);
  // { a: u8, b: u64 } → b@8, size 16, align 8
  assert.equal(elemSize(t.record({ a: t.u8, b: t.u64 })), 16);
  assert.equal(alignment(t.tuple(t.u8, t.u64)), 8);
});

test('layout_wasi_descriptor_stat_result_matches_jco', () => {
  // result<descriptor-stat, error-code>, as jco 1.35 stores it: disc@0, type@8, link-count@16, size@24,
  // timestamps (option<datetime>) @32, @56, @80 with payload 8 further in; total 104.
  const datetime = t.record({ seconds: t.u64, nanoseconds: t.u32 });
  const stat = t.record({
    type: t.enum('unknown', 'block-device', 'character-device', 'directory', 'fifo', 'symbolic-link', 'regular-file', 'socket'),
    'link-count': t.u64,
    size: t.u64,
    'data-access-timestamp': t.option(datetime),
    'data-modification-timestamp': t.option(datetime),
    'status-change-timestamp': t.option(datetime),
  });
  const res = t.result(stat, t.enum('access', 'would-block'));
  assert.equal(elemSize(datetime), 16);
  assert.equal(elemSize(t.option(datetime)), 24);
  assert.deepEqual(fieldOffsets(stat.kind === 'record' ? stat.fields.map((f) => f.type) : []), [0, 8, 16, 24, 48, 72]);
  assert.equal(elemSize(stat), 96);
  assert.equal(payloadOffset(casesOf(res)), 8);
  assert.equal(elemSize(res), 104);
});

test('layout_discriminant_grows_with_case_count', () => {
  assert.equal(discriminantSize(2), 1);
  assert.equal(discriminantSize(256), 1);
  assert.equal(discriminantSize(257), 2);
  assert.equal(discriminantSize(65536), 2);
  assert.equal(discriminantSize(65537), 4);
  const big = t.enum(...Array.from({ length: 300 }, (_, i) => `c${i}`));
  assert.equal(elemSize(big), 2);
  assert.equal(alignment(big), 2);
  // variant { a(u8), b(u64) } → disc u8, payload @8, size 16
  const v = t.variant({ a: t.u8, b: t.u64 });
  assert.equal(payloadOffset(casesOf(v)), 8);
  assert.equal(elemSize(v), 16);
  // option<u16> → disc@0, payload@2, size 4, align 2
  assert.equal(elemSize(t.option(t.u16)), 4);
  assert.equal(alignment(t.option(t.u16)), 2);
  // result (no payloads) → 1 byte
  assert.equal(elemSize(t.result()), 1);
});

test('layout_flags_pack_into_1_2_4_bytes_then_words', () => {
  const n = (k: number) => t.flags(...Array.from({ length: k }, (_, i) => `f${i}`));
  assert.deepEqual(
    [1, 8, 9, 16, 17, 32, 33, 64, 65].map((k) => elemSize(n(k))),
    [1, 1, 2, 2, 4, 4, 8, 8, 12],
  );
  assert.deepEqual(
    [8, 9, 17, 33].map((k) => alignment(n(k))),
    [1, 2, 4, 4],
  );
  assert.deepEqual(flatten(n(8)), ['i32']);
  assert.deepEqual(flatten(n(33)), ['i32', 'i32']);
});

test('layout_flatten_joins_variant_slots', () => {
  // f32 with u32 shares an i32; f32 with s64 widens to i64; f64 with u32 widens to i64
  assert.deepEqual(flatten(t.variant({ a: t.f32, b: t.u32 })), ['i32', 'i32']);
  assert.deepEqual(flatten(t.variant({ a: t.f32, b: t.s64, c: undefined })), ['i32', 'i64']);
  assert.deepEqual(flatten(t.result(t.f64, t.u32)), ['i32', 'i64']);
  assert.deepEqual(flatten(t.variant({ a: t.f32, b: t.f32 })), ['i32', 'f32']);
  assert.deepEqual(flatten(t.variant({ a: t.tuple(t.u8, t.f64), b: t.string })), ['i32', 'i32', 'i64']);
  assert.deepEqual(flatten(t.option(t.string)), ['i32', 'i32', 'i32']);
  assert.deepEqual(flatten(t.enum('a', 'b')), ['i32']);
  assert.deepEqual(flatten(t.record({ a: t.string, b: t.u64, c: t.f32 })), ['i32', 'i32', 'i64', 'f32']);
});

test('layout_camel_case_matches_jco', () => {
  assert.equal(camelCase('data-access-timestamp'), 'dataAccessTimestamp');
  assert.equal(camelCase('ipv4-address'), 'ipv4Address');
  assert.equal(camelCase('alert-id'), 'alertId');
  assert.equal(camelCase('size'), 'size');
});

test('layout_option_nullability_follows_jco', () => {
  assert.equal(isNullable(t.option(t.u32)), true);
  assert.equal(isNullable(t.option(t.option(t.u32))), false);
  assert.equal(isNullable(t.option(t.option(t.option(t.u32)))), true);
  assert.equal(isNullable(t.u32), false);
});
