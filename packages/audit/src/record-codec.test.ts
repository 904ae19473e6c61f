import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '@airlock/core';
import { decode } from 'cbor-x';
import { GENESIS_PREV } from './format.js';
import { decisionEntry } from './helpers.test.js';
import { compareKeys, decodeRecord, encodeRecord, RECORD_FIELDS } from './record-codec.js';

const record: AuditRecord = { ...decisionEntry(7), seq: 7, prev: GENESIS_PREV };

test('codec_round_trip: decode(encode(record)) equals the record', () => {
  assert.deepEqual(decodeRecord(encodeRecord(record)), record);
});

test('codec_deterministic: field order in the input does not change the bytes', () => {
  const reversed = Object.fromEntries(Object.entries(record).reverse()) as unknown as AuditRecord;
  const shuffledNested = {
    ...record,
    decision: { reason: 'agent may read the workspace', rule: 'read-workspace', effect: 'allow' as const },
  };
  assert.deepEqual(encodeRecord(reversed), encodeRecord(record));
  assert.deepEqual(encodeRecord(shuffledNested), encodeRecord(record));
});

test('codec_keys_sorted: maps are in RFC 8949 order (shorter key first, then bytewise)', () => {
  const bytes = encodeRecord({ ...record, input: { bb: 1, a: 2, ab: 3, é: 4, z: 5 } });
  const input = (decode(bytes) as { input: Record<string, number> }).input;
  assert.deepEqual(Object.keys(input), ['a', 'z', 'ab', 'bb', 'é']);
});

test('codec_record_fields_order: the hand-written top-level order is the canonical one', () => {
  assert.deepEqual([...RECORD_FIELDS].sort(compareKeys), RECORD_FIELDS);
});

test('codec_undefined_omitted: undefined fields are left out, not encoded as CBOR undefined', () => {
  const bytes = encodeRecord({ ...record, tool: undefined, input: { a: undefined, b: [undefined] } });
  assert.ok(!bytes.includes(0xf7), 'no CBOR undefined (0xf7)');
  const plain = decode(bytes) as Record<string, unknown>;
  assert.ok(!('tool' in plain));
  assert.deepEqual(plain['input'], { b: [null] });
});

test('codec_plain_cbor: a generic decoder reads it, with no tags and a 64-bit integer time', () => {
  const bytes = encodeRecord({ ...record, input: { blob: Uint8Array.of(1, 2, 3) } });
  assert.ok(bytes[0]! >= 0xa0 && bytes[0]! <= 0xb7, 'a definite-length map');
  assert.ok(!bytes.includes(0xd8) || !bytes.includes(0x40), 'no tag 64 for bytes');
  const timeKey = new TextEncoder().encode('dtime');
  const at = bytes.findIndex((_, i) => timeKey.every((b, j) => bytes[i + j] === b));
  assert.equal(bytes[at + timeKey.length], 0x1b, 'time is a uint64, not a float');
  const plain = decode(bytes) as Record<string, unknown>;
  assert.equal(plain['kind'], 'decision');
  assert.deepEqual(new Uint8Array((plain['input'] as { blob: Uint8Array }).blob), Uint8Array.of(1, 2, 3));
});

test('codec_rejects_non_records: a map without seq/prev/kind/time does not decode as a record', () => {
  assert.throws(() => decodeRecord(Uint8Array.of(0xa1, 0x61, 0x61, 0x01)), /seq/);
  assert.throws(() => decodeRecord(Uint8Array.of(0x01)), /not a CBOR map/);
  assert.throws(() => decodeRecord(Uint8Array.of(0xa1, 0x61)));
});

test('an own "__proto__" key in agent input is logged and reads back as an own key, prototypes untouched', () => {
  for (const text of ['{"__proto__":{"x":1},"b":2,"a":1}', '{"__proto__":{"polluted":true},"aaaaaaaaaaaa":1}']) {
    const input = JSON.parse(text) as Record<string, unknown>;
    const record: AuditRecord = { seq: 0, prev: GENESIS_PREV, kind: 'decision', time: 1, input };
    const back = decodeRecord(encodeRecord(record)).input as Record<string, unknown>;
    assert.ok(Object.hasOwn(back, '__proto__'), text);
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(text));
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  }
});
