import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry, AuditRecord } from '@airlock/core';
import { decode } from 'cbor-x';
import { ChainWriter } from './chain.js';
import { GENESIS_PREV, LENGTH_BYTES, SEAL_BYTES } from './format.js';
import { decisionEntry, nodeCrypto } from './helpers.test.js';
import { hex } from './hex.js';
import { decodeRecord, encodeRecord } from './record-codec.js';
import { encodeRecordCborX } from './record-codec-cborx.js';
import { fallbackCount } from './record-encoder.js';

/** The first encoder's bytes (a copy: cbor-x reuses its buffer). */
const oldBytes = (r: AuditRecord): Uint8Array => encodeRecordCborX(r).slice();

/** Byte identity, with the first differing offset in the message. */
function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length === expected.length && actual.every((b, i) => b === expected[i])) return;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  assert.fail(`${what}: bytes differ at offset ${at} (new ${actual.length} bytes, old ${expected.length} bytes)`);
}

/** mulberry32: a small seeded PRNG, so a failure names a reproducible seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const benchEntry = (i: number): AuditEntry => ({
  kind: 'decision',
  time: 1_712_345_678_901 + i,
  callId: `c${(100000 + i).toString(36)}`,
  agent: 'research-bot',
  session: 's-7f3a9c',
  tool: 'fs.read',
  inputDigest: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  input: { path: `/ws/src/f${i % 100}.ts` },
  decision: { effect: 'allow', rule: 'ws-read', reason: 'may read ws' },
  grants: { fs: [{ mount: '/ws', volume: 'ws', access: 'read' }], env: {}, net: [] },
  limits: {
    wallMs: 5000,
    fuel: 1e9,
    memoryBytes: 67108864,
    inputBytes: 1048576,
    outputBytes: 1048576,
    stderrBytes: 65536,
    fsWriteBytes: 16777216,
    netResponseBytes: 1048576,
    netTimeoutMs: 10000,
    netRedirects: 5,
  },
});

const prevOf = (i: number) => (i === 0 ? GENESIS_PREV : hex(nodeCrypto.sha256(Uint8Array.of(i))));

/** Records shaped like the ones the gate and the sinks write. */
function fixtures(): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 0; i < 5; i++) out.push({ ...decisionEntry(i), seq: i, prev: prevOf(i) });
  for (let i = 0; i < 5; i++) out.push({ ...benchEntry(i), seq: 1000 + i, prev: prevOf(i) });
  out.push({
    kind: 'outcome',
    time: 1_712_345_679_000,
    callId: 'call-1',
    agent: 'agent-research',
    session: 'sess',
    tool: 'fs.read_file',
    parentId: 'call-0',
    usage: { wallMs: 12.5, fuel: 123456789012, memoryBytes: 1 << 20, inputBytes: 40, outputBytes: 0, stderrBytes: 3 },
    resultDigest: 'cd'.repeat(32),
    outcome: {
      status: 'error',
      exitCode: -1,
      limit: 'fuel',
      message: 'über — 🦀 out of fuel',
      denials: [{ op: 'open', path: '/etc/passwd', errno: 'EACCES' }],
    },
    seq: 6,
    prev: prevOf(6),
  } as unknown as AuditRecord);
  out.push({
    kind: 'recovery',
    time: 1_712_345_679_001,
    note: { reason: 'torn', offset: 1234, bytes: 17, sha256: 'ef'.repeat(32) },
    seq: 7,
    prev: prevOf(7),
  } as unknown as AuditRecord);
  out.push({ kind: 'open', time: 0, seq: 0, prev: GENESIS_PREV });
  return out;
}

test('encoder_fixtures_identical: the new encoder writes the same bytes as canonical copy + cbor-x', () => {
  const before = fallbackCount();
  for (const [i, r] of fixtures().entries()) assertSameBytes(encodeRecord(r), oldBytes(r), `fixture ${i}`);
  assert.equal(fallbackCount(), before, 'the usual records never need the fallback');
});

test('encoder_frames_identical: a chain writes the frames the old length + payload + seal would', () => {
  const chain = new ChainWriter(nodeCrypto);
  let prev = GENESIS_PREV;
  for (let i = 0; i < 50; i++) {
    const { record, frame } = chain.next(i % 2 ? decisionEntry(i) : benchEntry(i));
    assert.equal(record.seq, i);
    assert.equal(record.prev, prev);
    const payload = oldBytes(record);
    assert.equal(frame.length, LENGTH_BYTES + payload.length + SEAL_BYTES);
    assert.equal(new DataView(frame.buffer, frame.byteOffset).getUint32(0), payload.length);
    assertSameBytes(frame.subarray(LENGTH_BYTES, LENGTH_BYTES + payload.length), payload, `frame ${i} payload`);
    const hash = nodeCrypto.sha256(frame.subarray(0, LENGTH_BYTES + payload.length));
    assertSameBytes(frame.subarray(LENGTH_BYTES + payload.length), hash.subarray(0, SEAL_BYTES), `frame ${i} seal`);
    prev = hex(hash);
  }
});

test('encoder_record_is_entry_plus_seq_prev: own seq/prev in the entry are replaced, the rest kept', () => {
  const chain = new ChainWriter(nodeCrypto);
  const entry = { ...decisionEntry(0), seq: 99, prev: 'x' } as AuditEntry;
  const { record } = chain.next(entry);
  assert.deepEqual(record, { ...entry, seq: 0, prev: GENESIS_PREV });
  assert.equal((entry as unknown as AuditRecord).seq, 99, 'the entry is not changed');
});

// ---- random records ---------------------------------------------------------

const KEYS = [
  'a',
  'b',
  'z',
  'ab',
  'ba',
  'path',
  'mode',
  'effect',
  'rule',
  'reason',
  'wallMs',
  'fuel',
  'é',
  'ä',
  'ñame',
  '日本',
  '🦀',
  'a🦀',
  '\u{10000}',
  '\uffff',
  '\ud800',
  'x\udc00',
  '',
  ' ',
  'A',
  'Z',
  '_',
  '0',
  '1',
  '9',
  '10',
  '42',
  '01',
  '-1',
  '1.5',
  '4294967294',
  '4294967295',
  '99999999999',
  'toString',
  'hasOwnProperty',
  'k'.repeat(23),
  'k'.repeat(24),
  'k'.repeat(64),
  'é'.repeat(40),
  `${'x'.repeat(70)}\ud800`,
  `${'x'.repeat(70)}\udfff`,
];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  23,
  24,
  -24,
  -25,
  255,
  256,
  -256,
  -257,
  65535,
  65536,
  -65536,
  -65537,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 1,
  -(2 ** 32) + 1,
  -(2 ** 32),
  -(2 ** 32) - 1,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53) + 1,
  -(2 ** 53),
  1e9,
  1e15,
  1e21,
  1e300,
  -1e300,
  5e-324,
  0.1,
  -0.5,
  1.5,
  Math.PI,
  65536.5,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1_712_345_678_901,
];

const STRING_PARTS = [
  'a',
  'Z',
  ' ',
  '/',
  '\n',
  '\u0000',
  '\u007f',
  'é',
  'ß',
  '\u07ff',
  '\u0800',
  '日',
  '\uffff',
  '🦀',
  '\u{10ffff}',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
];

function randomString(r: () => number): string {
  const lengths = [0, 1, 5, 22, 23, 24, 31, 32, 63, 64, 65, 100, 255, 256, 300];
  const n = lengths[Math.floor(r() * lengths.length)]!;
  const ascii = r() < 0.5;
  let s = '';
  while (s.length < n) s += ascii ? String.fromCharCode(32 + Math.floor(r() * 95)) : STRING_PARTS[Math.floor(r() * STRING_PARTS.length)]!;
  // Cut to n code units: may split a surrogate pair, leaving a lone surrogate (as real input can).
  return s.slice(0, n);
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** Unusual values: the new encoder hands these to the fallback, which must still give the old bytes. */
function exotic(r: () => number, depth: number): unknown {
  switch (Math.floor(r() * 14)) {
    case 0:
      return new Date(1_712_345_678_901 + Math.floor(r() * 1000));
    case 1:
      return new Map([['a', 1]]);
    case 2:
      return new Point(1, 2);
    case 3: {
      const o = Object.create(null) as Record<string, unknown>;
      o['b'] = 1;
      o['a'] = randomValue(r, depth + 1);
      return o;
    }
    case 4:
      return new Set([1, 2]);
    case 5:
      return 2n ** 70n;
    case 6:
      return -(2n ** 64n);
    case 7:
      return Buffer.from([1, 2, 3]);
    case 8:
      return JSON.parse('{"__proto__": {"x": 1}, "a": 1}');
    case 9:
      return JSON.parse('{"b": 2, "__proto__": 5}');
    case 10:
      return { constructor: 'not a function', a: 1 };
    case 11:
      return new Error('boom');
    case 12: {
      class List extends Array {}
      return List.from([1, 2]);
    }
    default:
      return { toJSON: () => 'ignored on a plain object', a: 1 };
  }
}

function randomValue(r: () => number, depth: number, allowExotic = false): unknown {
  const roll = r();
  if (depth < 4 && roll < 0.18) return randomObject(r, depth + 1, allowExotic);
  if (depth < 4 && roll < 0.28) {
    const n = Math.floor(r() * (r() < 0.1 ? 30 : 5));
    return Array.from({ length: n }, () => randomValue(r, depth + 1, allowExotic));
  }
  if (roll < 0.45) return randomString(r);
  if (roll < 0.65) return NUMBERS[Math.floor(r() * NUMBERS.length)]!;
  if (roll < 0.7) return Math.floor((r() - 0.5) * 2 ** (1 + Math.floor(r() * 60)));
  if (roll < 0.74) return (r() - 0.5) * 10 ** Math.floor(r() * 20);
  if (roll < 0.78) return r() < 0.5;
  if (roll < 0.82) return null;
  if (roll < 0.85) return undefined;
  if (roll < 0.86) return () => 1;
  if (roll < 0.87) return Symbol('s');
  if (roll < 0.89) return Uint8Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256));
  if (roll < 0.9) return new Uint8Array(new ArrayBuffer(16), 4, 8).fill(9);
  if (roll < 0.91) return new Int16Array([1, -1, 300]);
  if (roll < 0.92) return new DataView(new ArrayBuffer(6));
  if (roll < 0.94) return BigInt(Math.floor(r() * 1000)) * (r() < 0.5 ? -1n : 1n) * 2n ** BigInt(Math.floor(r() * 60));
  if (allowExotic && roll < 0.97) return exotic(r, depth);
  return randomString(r);
}

function randomObject(r: () => number, depth: number, allowExotic: boolean): Record<string, unknown> {
  const n = Math.floor(r() * (r() < 0.1 ? 30 : 8));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) o[KEYS[Math.floor(r() * KEYS.length)]!] = randomValue(r, depth, allowExotic);
  return o;
}

const TOP_FIELDS = [
  'kind',
  'note',
  'time',
  'tool',
  'agent',
  'input',
  'usage',
  'callId',
  'grants',
  'limits',
  'outcome',
  'session',
  'decision',
  'parentId',
  'inputDigest',
  'resultDigest',
];

function randomRecord(r: () => number, allowExotic: boolean): AuditRecord {
  const rec: Record<string, unknown> = {};
  const fields = TOP_FIELDS.filter(() => r() < 0.6);
  if (r() < 0.1) fields.push('extra', 'zz', '0'); // fields outside the contract: the generic path
  for (let i = fields.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [fields[i], fields[j]] = [fields[j]!, fields[i]!];
  }
  for (const f of fields) rec[f] = randomValue(r, 0, allowExotic);
  if (r() < 0.9) rec['kind'] = 'decision';
  if (r() < 0.9) rec['time'] = 1_712_345_678_901 + Math.floor(r() * 1e6);
  if (r() < 0.05) rec['tool'] = undefined; // an undefined field: the generic path too
  rec['seq'] = Math.floor(r() * 2 ** (r() < 0.5 ? 10 : 40));
  rec['prev'] = hex(nodeCrypto.sha256(Uint8Array.of(Math.floor(r() * 256))));
  return rec as unknown as AuditRecord;
}

test('encoder_random_identical: 4000 random records encode byte for byte as before', () => {
  const r = rng(0xa1d17);
  const before = fallbackCount();
  for (let i = 0; i < 4000; i++) {
    const rec = randomRecord(r, false);
    assertSameBytes(encodeRecord(rec), oldBytes(rec), `random record ${i}`);
  }
  assert.ok(fallbackCount() - before < 400, 'nearly all on the new encoder (the rest hold bigints beyond 64 bits)');
});

test('encoder_random_exotic_identical: records with class instances, Dates, Maps, bignums, "__proto__" keys match too (via the fallback)', () => {
  const r = rng(0xe7071c);
  const before = fallbackCount();
  for (let i = 0; i < 1500; i++) {
    const rec = randomRecord(r, true);
    assertSameBytes(encodeRecord(rec), oldBytes(rec), `exotic record ${i}`);
  }
  assert.ok(fallbackCount() > before, 'some went to the fallback');
});

test('encoder_edge_values: number boundaries, strings around 24/64/256 units, lone surrogates, index keys', () => {
  const base = { kind: 'decision', time: 1, seq: 0, prev: GENESIS_PREV };
  const cases: unknown[] = [
    ...NUMBERS,
    ...[23, 24, 63, 64, 65, 255, 256, 65535, 65536, 70000].flatMap((n) => [
      'a'.repeat(n),
      'é'.repeat(n),
      `${'a'.repeat(n - 1)}\ud800`,
      `\udc00${'b'.repeat(n)}`,
    ]),
    { '10': 1, '9': 2, b: 3, a: 4, '4294967295': 5, '4294967294': 6, '01': 7 },
    { b: 1, '1': 2, a: 3 },
    { '1': 1, '0': 2 },
    { é: 1, z: 2, ä: 3, '🦀': 4, '\uffff': 5, '\ud800': 6 },
    { [`${'y'.repeat(70)}\ud800`]: 1, [`${'y'.repeat(70)}\ue000`]: 2, [`${'y'.repeat(70)}\udbff`]: 3 },
    Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${(i * 7) % 30}`, i])),
    Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, i < 3 ? i : undefined])),
    // "__proto__" keys (JSON.parse makes them own keys): the old encoder kept them in a map it did not copy and lost them in one it did.
    JSON.parse('{"b": 1, "__proto__": 5}'),
    JSON.parse('{"b": 1, "__proto__": {"x": 1}}'),
    Object.assign(JSON.parse('{"b": 1, "__proto__": 5}'), { b: undefined }),
    Object.assign(JSON.parse('{"b": 1, "__proto__": 5}'), { b: 2 ** 40 }),
    [undefined, () => 1, Symbol('x'), null],
    new Array(3),
    new Uint8Array(300).fill(1),
    new Uint8Array(70000),
  ];
  for (const [i, input] of cases.entries()) {
    const rec = { ...base, input } as AuditRecord;
    assertSameBytes(encodeRecord(rec), oldBytes(rec), `edge case ${i}`);
  }
});

test('encoder_big_records: growing and then dropping the scratch buffer keeps the bytes right', () => {
  const big = {
    kind: 'decision',
    time: 1,
    seq: 1,
    prev: GENESIS_PREV,
    input: { text: 'x'.repeat(3_000_000), list: Array.from({ length: 20000 }, (_, i) => ({ i, s: `v${i}` })) },
  } as unknown as AuditRecord;
  assertSameBytes(encodeRecord(big), oldBytes(big), 'big record');
  const small = { ...decisionEntry(1), seq: 2, prev: GENESIS_PREV };
  assertSameBytes(encodeRecord(small), oldBytes(small), 'small record after a big one');
});

test('encoder_deep_and_cyclic: deep nesting goes to the fallback with the same bytes; a cycle still throws', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 400; i++) deep = i % 2 ? { d: deep } : [deep];
  const rec = { kind: 'decision', time: 1, seq: 0, prev: GENESIS_PREV, input: deep } as AuditRecord;
  assertSameBytes(encodeRecord(rec), oldBytes(rec), 'deep record');
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic['self'] = cyclic;
  assert.throws(() => encodeRecord({ ...rec, input: cyclic }));
});

test('encoder_round_trip: decoding the new bytes gives the record back', () => {
  const r = rng(0x5eed);
  for (let i = 0; i < 300; i++) {
    // JSON-shaped records: what decoding gives back exactly (no undefined, NaN, lone surrogates, bytes).
    const rec = JSON.parse(
      JSON.stringify(randomRecord(r, false), (_k, v) =>
        typeof v === 'bigint' ? Number(v) : v instanceof Uint8Array || ArrayBuffer.isView(v) ? undefined : v,
      ).replace(/\\ud[89a-f][0-9a-f]{2}/gi, '?'),
    ) as AuditRecord;
    const shaped = { ...rec, kind: 'decision', time: 1_712_345_678_901 + i } as AuditRecord; // what decodeRecord insists on
    assert.deepEqual(decodeRecord(encodeRecord(shaped)), shaped, `record ${i}`);
  }
  for (const rec of fixtures()) assert.deepEqual(decodeRecord(encodeRecord(rec)), rec);
  const bytes = { ...fixtures()[0]!, input: { blob: Uint8Array.of(1, 2, 3), n: -(2 ** 40), f: 0.25 } } as AuditRecord;
  // A plain decoder: bytes are a byte string, -2^40 a 64-bit integer (a bigint), 0.25 a float.
  assert.deepEqual(decode(encodeRecord(bytes)).input, { blob: Uint8Array.of(1, 2, 3), n: -(2n ** 40n), f: 0.25 });
  assert.deepEqual(decodeRecord(encodeRecord(bytes)).input, { blob: Uint8Array.of(1, 2, 3), n: -(2 ** 40), f: 0.25 });
});

/** The same value with every map's keys inserted in a shuffled order. */
function shuffled(v: unknown, r: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffled(x, r));
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return v;
  const entries = Object.entries(v);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries.map(([k, x]) => [k, shuffled(x, r)]));
}

test('encoder_insertion_order: the bytes do not depend on the order keys were set in', () => {
  const r = rng(0x0dd);
  for (let i = 0; i < 1000; i++) {
    const rec = randomRecord(r, false);
    const again = shuffled(rec, r) as AuditRecord;
    assertSameBytes(encodeRecord(again), encodeRecord(rec), `record ${i} reshuffled`);
  }
  for (const rec of fixtures()) {
    const reversed = JSON.parse(JSON.stringify(rec), (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
    assertSameBytes(encodeRecord(reversed), encodeRecord(rec), 'reversed fixture');
  }
});

test('encoder_map_order: RFC 8949 order (shorter first, then bytewise), array-index keys first as version 1 always wrote them', () => {
  const input = { bb: 1, a: 2, '10': 3, ab: 4, é: 5, z: 6, '2': 7, '01': 8 };
  const bytes = encodeRecord({ kind: 'decision', time: 1, seq: 0, prev: GENESIS_PREV, input } as AuditRecord);
  // Read the key order from the bytes: a decoder builds an object, which would list index keys first itself.
  const find = (needle: Uint8Array, from: number) => bytes.findIndex((_, i) => i >= from && needle.every((b, j) => bytes[i + j] === b));
  const key = (k: string) => {
    const utf8 = new TextEncoder().encode(k);
    return Uint8Array.of(0x60 | utf8.length, ...utf8);
  };
  const at = find(key('input'), 0);
  const order = ['2', '10', 'a', 'z', '01', 'ab', 'bb', 'é'].map((k) => find(key(k), at));
  assert.ok(order.every((o) => o > at));
  assert.deepEqual(
    [...order].sort((x, y) => x - y),
    order,
    'index keys, then by length, then bytewise',
  );
});
