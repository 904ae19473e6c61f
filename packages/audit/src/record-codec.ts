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
 *   which for text keys is shorter UTF-8 first, then bytewise; except that
 *   keys that are array indices ("0", "17") come first (key-order.ts);
 * - every head (integer, length) uses its shortest form;
 * - integers beyond 32 bits (epoch-millisecond times) are CBOR integers, not
 *   floats, up to 2^53; other non-integers are 64-bit floats;
 * - fields whose value is `undefined` (or a function or symbol) are left
 *   out, and such array elements become null: the same rules as JSON.
 *
 * Encoding is record-encoder.ts (direct, on the hot path), which writes the
 * bytes the first encoder (record-codec-cborx.ts: canonical copy + cbor-x)
 * wrote and falls back to it for unusual values. Decoding is cbor-x; it
 * checks the shape a reader relies on (seq, prev, kind, time) and turns
 * 64-bit integers back into numbers when they fit exactly.
 */
import type { AuditRecord } from '@airlock/core';
import { Decoder } from 'cbor-x';
import { isSha256Hex } from './hex.js';
import { encodeRecordInto, scratch } from './record-encoder.js';

export { compareKeys, RECORD_FIELDS } from './key-order.js';

// Maps decode as Map, not objects: cbor-x renames a "__proto__" key when it
// builds objects itself (its guard against prototype pollution); `plain`
// below builds them with own properties instead, so what was logged reads
// back exactly.
const decoder = new Decoder({
  useRecords: false,
  mapsAsObjects: false,
  copyBuffers: true,
  bundleStrings: false,
  structuredClone: false,
});

/** Encode a record (a fresh copy of the bytes). Throws if it holds something CBOR cannot carry. */
export function encodeRecord(record: AuditRecord): Uint8Array {
  const end = encodeRecordInto(record, 0, 0);
  return scratch().slice(0, end);
}

/**
 * Decode one payload. Throws (a plain Error with a message for the report)
 * when the bytes are not exactly one CBOR item or not shaped like a record.
 */
export function decodeRecord(payload: Uint8Array): AuditRecord {
  const value: unknown = plain(decoder.decode(payload));
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

/**
 * Decoded CBOR to plain JSON-like values: maps to objects (own properties
 * only, text keys only), and `canonical`'s bigint step undone (64-bit
 * integers that fit a double exactly become numbers).
 */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = plain(value[i]);
    return value;
  }
  if (!(value instanceof Map)) return value;
  const obj: Record<string, unknown> = {};
  for (const [key, v] of value) {
    if (typeof key !== 'string') throw new Error('a map key is not text');
    Object.defineProperty(obj, key, { value: plain(v), enumerable: true, writable: true, configurable: true });
  }
  return obj;
}
