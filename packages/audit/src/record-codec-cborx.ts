/**
 * The first record encoder: copy the record into canonical form (sorted
 * keys, JSON's undefined rules, big integers as bigint), then let cbor-x
 * write it. record-encoder.ts writes the same bytes directly and falls back
 * to this for values it does not handle itself (class instances, toJSON,
 * out-of-range bigints, very deep nesting); tests keep the two byte-identical.
 *
 * What cbor-x does with the canonical form, and so what the bytes are:
 * - integers of 32 bits or less are CBOR integers in their shortest form;
 *   safe integers beyond that become bigints here and cbor-x writes them as
 *   64-bit integers (0x1b / 0x3b); every other number is a float64 (0xfb),
 *   never a shorter float (`useFloat32: 0`);
 * - text shorter than 64 UTF-16 code units goes through cbor-x's own UTF-8
 *   loop, which writes a lone surrogate as its 3-byte (WTF-8) form; longer
 *   text goes through the platform's UTF-8 writer, which writes U+FFFD;
 * - a Uint8Array is a byte string, with no tag.
 */
import type { AuditRecord } from '@airlock/core';
import { Encoder } from 'cbor-x';
import { compareKeys } from './key-order.js';

const encoder = new Encoder({
  useRecords: false,
  variableMapSize: true,
  tagUint8Array: false,
  pack: false,
  bundleStrings: false,
  structuredClone: false,
  useFloat32: 0,
});

/** Encode a record with cbor-x. Throws if it holds something CBOR cannot carry. The result is cbor-x's buffer: use it before the next call. */
export function encodeRecordCborX(record: AuditRecord): Uint8Array {
  return encoder.encode(canonicalRecord(record));
}

// ---- canonical form -------------------------------------------------------

const U32 = 0x1_0000_0000;

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
  if (!sorted) keys.sort(compareKeys); // then assigning them to `out` moves array-index keys first (key-order.ts)
  let out: Record<string, unknown> | undefined = sorted ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = obj[key];
    const omit = isOmitted(v);
    const c = omit ? undefined : canonical(v);
    if (!out && (omit || c !== v)) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j]!, obj[keys[j]!]);
    }
    if (out && !omit) setOwn(out, key, c);
  }
  return out ?? obj;
}

/**
 * `out[key] = value`, except that a `"__proto__"` key (which JSON.parse
 * makes an own property of agent input) stays an own property instead of
 * replacing the copy's prototype: the audit log keeps what the tool was given.
 */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
