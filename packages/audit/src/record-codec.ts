/**
 * Record encoding: an AuditRecord as deterministic CBOR (RFC 8949).
 *
 * The bytes are plain CBOR any decoder reads: maps with text keys, arrays,
 * text and byte strings, integers, floats, booleans, null. No cbor-x records
 * extension, no tags (not even tag 64 for a Uint8Array), no indefinite
 * lengths. "Deterministic" means the same record always gives the same
 * bytes, whatever order its fields were set in:
 *
 * - map keys are sorted as RFC 8949 §4.2.1 says: by their encoded bytes,
 *   which for text keys is shorter UTF-8 first, then bytewise;
 * - every head (integer, length) uses its shortest form;
 * - integers beyond 32 bits (epoch-millisecond times) are CBOR integers, not
 *   floats, up to 2^53; other non-integers are 64-bit floats;
 * - fields whose value is `undefined` (or a function or symbol) are left
 *   out, and such array elements become null: the same rules as JSON.
 *
 * Decoding checks the shape a reader relies on (seq, prev, kind, time) and
 * turns 64-bit integers back into numbers when they fit exactly.
 */
import type { AuditRecord } from '@airlock/core';
import { Decoder, Encoder } from 'cbor-x';
import { isSha256Hex } from './hex.js';

const encoder = new Encoder({
  useRecords: false,
  variableMapSize: true,
  tagUint8Array: false,
  pack: false,
  bundleStrings: false,
  structuredClone: false,
  useFloat32: 0,
});

const decoder = new Decoder({
  useRecords: false,
  mapsAsObjects: true,
  copyBuffers: true,
  bundleStrings: false,
  structuredClone: false,
});

/** Encode a record. Throws if it holds something CBOR cannot carry. */
export function encodeRecord(record: AuditRecord): Uint8Array {
  return encoder.encode(canonicalRecord(record));
}

/**
 * Decode one payload. Throws (a plain Error with a message for the report)
 * when the bytes are not exactly one CBOR item or not shaped like a record.
 */
export function decodeRecord(payload: Uint8Array): AuditRecord {
  const value: unknown = numbersBack(decoder.decode(payload));
  const problem = recordShapeProblem(value);
  if (problem) throw new Error(problem);
  return value as AuditRecord;
}

/** Why `value` is not a record a reader can rely on, or undefined if it is. */
export function recordShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value))
    return 'the payload is not a CBOR map';
  const r = value as Record<string, unknown>;
  if (typeof r['seq'] !== 'number' || !Number.isSafeInteger(r['seq']) || r['seq'] < 0) return 'seq is not a non-negative integer';
  if (!isSha256Hex(r['prev'])) return 'prev is not 64 lowercase hex digits';
  if (typeof r['kind'] !== 'string' || r['kind'] === '') return 'kind is not a non-empty string';
  if (typeof r['time'] !== 'number' || !Number.isFinite(r['time'])) return 'time is not a finite number';
  return undefined;
}

// ---- canonical form -------------------------------------------------------

const U32 = 0x1_0000_0000;

/** The fields of an AuditRecord in canonical order (a test checks this against `compareKeys`). */
export const RECORD_FIELDS: readonly string[] = [
  'seq',
  'kind',
  'note',
  'prev',
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

/**
 * The record's top-level map in canonical order. Written out field by field
 * (in RECORD_FIELDS order) because this runs for every record: named
 * property reads and a fixed insertion order keep V8 on its fast paths,
 * where a generic sort-and-copy costs about as much as the encoding itself.
 */
function canonicalRecord(r: AuditRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let n = 0;
  if (r.seq !== undefined) n += put(out, 'seq', r.seq);
  if (r.kind !== undefined) n += put(out, 'kind', r.kind);
  if (r.note !== undefined) n += put(out, 'note', r.note);
  if (r.prev !== undefined) n += put(out, 'prev', r.prev);
  if (r.time !== undefined) n += put(out, 'time', r.time);
  if (r.tool !== undefined) n += put(out, 'tool', r.tool);
  if (r.agent !== undefined) n += put(out, 'agent', r.agent);
  if (r.input !== undefined) n += put(out, 'input', r.input);
  if (r.usage !== undefined) n += put(out, 'usage', r.usage);
  if (r.callId !== undefined) n += put(out, 'callId', r.callId);
  if (r.grants !== undefined) n += put(out, 'grants', r.grants);
  if (r.limits !== undefined) n += put(out, 'limits', r.limits);
  if (r.outcome !== undefined) n += put(out, 'outcome', r.outcome);
  if (r.session !== undefined) n += put(out, 'session', r.session);
  if (r.decision !== undefined) n += put(out, 'decision', r.decision);
  if (r.parentId !== undefined) n += put(out, 'parentId', r.parentId);
  if (r.inputDigest !== undefined) n += put(out, 'inputDigest', r.inputDigest);
  if (r.resultDigest !== undefined) n += put(out, 'resultDigest', r.resultDigest);
  // Fields outside the contract are kept too: then the generic path sorts them in.
  let keys = 0;
  for (const _ in r) keys++; // no array allocated, unlike Object.keys(r).length
  return n === keys ? out : canonicalMap(r as unknown as Record<string, unknown>);
}

/** Set `out[key]` to the canonical `v` unless JSON would leave it out; count it as present either way. */
function put(out: Record<string, unknown>, key: string, v: unknown): 1 {
  if (!isOmitted(v)) out[key] = canonical(v);
  return 1;
}

/**
 * `value` in canonical form: sorted keys, JSON's undefined rules, big
 * integers as bigint. Copy-on-write: a part that is already canonical (say,
 * an input whose keys happen to be sorted) is returned as is, not copied.
 */
function canonical(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'number':
      // cbor-x writes integers of 32 bits or less as CBOR integers and the rest
      // as floats; a bigint makes it write a 64-bit integer instead.
      return Number.isSafeInteger(value) && (value >= U32 || value < -U32) ? BigInt(value) : value;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) return canonicalArray(value);
      if (value instanceof Uint8Array) return value;
      if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      return canonicalMap(value as Record<string, unknown>);
    default:
      return null;
  }
}

function isOmitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function canonicalArray(array: readonly unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    const c = isOmitted(v) ? null : canonical(v);
    if (c !== v && !out) out = array.slice(0, i);
    if (out) out.push(c);
  }
  return out ?? (array as unknown[]);
}

function canonicalMap(obj: Record<string, unknown>): Record<string, unknown> {
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return canonical(toJSON.call(obj)) as Record<string, unknown>;
  }
  const keys = Object.keys(obj);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = compareKeys(keys[i - 1]!, keys[i]!) < 0;
  if (!sorted) keys.sort(compareKeys);
  let out: Record<string, unknown> | undefined = sorted ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = obj[key];
    const omit = isOmitted(v);
    const c = omit ? undefined : canonical(v);
    if (!out && (omit || c !== v)) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = obj[keys[j]!];
    }
    if (out && !omit) out[key] = c;
  }
  return out ?? obj;
}

/** RFC 8949 §4.2.1 order for text keys: shorter UTF-8 first, then by code point (= UTF-8 bytewise). */
export function compareKeys(a: string, b: string): number {
  const la = keyLength(a);
  const lb = keyLength(b);
  if (la !== lb) return la - lb;
  if (la === a.length && lb === b.length) return a < b ? -1 : a > b ? 1 : 0; // ASCII: code units are bytes
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return 0;
}

/** Keys repeat (every record has the same few dozen), so their UTF-8 lengths are remembered. */
const keyLengths = new Map<string, number>();

function keyLength(key: string): number {
  let n = keyLengths.get(key);
  if (n === undefined) {
    n = utf8Length(key);
    if (keyLengths.size >= 4096) keyLengths.clear();
    keyLengths.set(key, n);
  }
  return n;
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 code units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/** Undo `canonical`'s bigint step: 64-bit integers that fit a double exactly become numbers. */
function numbersBack(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = numbersBack(value[i]);
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'bigint' || (typeof v === 'object' && v !== null)) obj[key] = numbersBack(v);
  }
  return obj;
}
