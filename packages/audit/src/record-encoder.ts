/**
 * The record encoder on the append hot path: deterministic CBOR written
 * straight into a reusable scratch buffer, in canonical order as it goes.
 *
 * It writes exactly the bytes the first encoder (canonical copy + cbor-x,
 * record-codec-cborx.ts) writes for the same record, which is what the file
 * format promises; tests check byte identity on fixtures and on thousands of
 * random records. The rules, all from that encoder:
 *
 * - heads and lengths in their shortest form, definite lengths only;
 * - map keys in key-order.ts order, sorted while writing: each key is
 *   compared with the one before, and a map whose keys are not already in
 *   order is rewound and written again from a sorted copy of its keys;
 * - integers of 32 bits or less in their shortest form; other safe integers
 *   as 64-bit integers (0x1b / 0x3b); every other number as a float64;
 *   a bigint in ±2^64 as a 64-bit integer;
 * - text as UTF-8; a lone surrogate is written in its 3-byte form in text
 *   under 64 code units and as U+FFFD in longer text;
 * - Uint8Array and other ArrayBuffer views as byte strings, no tag;
 * - undefined, functions and symbols left out of maps, null in arrays.
 *
 * Anything else (a class instance, a Date or other object with toJSON, a
 * Map, a null-prototype object, an array subclass, a bigint outside ±2^64,
 * a "__proto__" key, nesting deeper than MAX_DEPTH) makes it give up on the
 * whole record and copy the first encoder's bytes instead, so unusual values
 * keep their old encoding exactly (or fail as they did: a cycle still
 * throws).
 *
 * The caller says how many bytes to leave free before the payload (the
 * frame's length field) and after it (the seal), so framing needs no copy.
 * The scratch buffer is shared and reused: its bytes are valid until the
 * next encode.
 */
import type { AuditRecord } from '@airlock/core';
import { compareKeys, compareMapKeys, isIndexKey, RECORD_FIELDS } from './key-order.js';
import { encodeRecordCborX } from './record-codec-cborx.js';

const U32 = 0x1_0000_0000;
const U64 = 1n << 64n;
/** Deeper nesting than this goes to the fallback encoder (which also reports cycles). */
const MAX_DEPTH = 200;
/** A scratch buffer grown past this by one large record is dropped before the next. */
const KEEP_BYTES = 1 << 20;
const INITIAL_BYTES = 16 * 1024;

let buf = new Uint8Array(INITIAL_BYTES);
let view = new DataView(buf.buffer);
let pos = 0;

const textEncoder = new TextEncoder();
/** Text shorter than this is copied by hand; longer goes to TextEncoder (a call costs about 30 ASCII characters). */
const SHORT_TEXT = 32;

/** Thrown inside the encoder to hand the record to the fallback. */
const FALLBACK: unique symbol = Symbol('fallback');

let fallbacks = 0;

/** How many records went to the fallback encoder so far (for tests). */
export function fallbackCount(): number {
  return fallbacks;
}

/** The scratch buffer the last encode wrote to. */
export function scratch(): Uint8Array {
  return buf;
}

/**
 * Encode `record` into the scratch buffer at offset `before`, with at least
 * `after` bytes of room after it. Returns the end offset of the payload.
 * Throws (whatever cbor-x throws) if the record cannot be encoded.
 */
export function encodeRecordInto(record: AuditRecord, before: number, after: number): number {
  if (buf.length > KEEP_BYTES) setBuffer(new Uint8Array(INITIAL_BYTES));
  pos = before;
  try {
    writeRecord(record);
  } catch {
    return fallback(record, before, after);
  }
  const end = pos;
  if (end + after > buf.length) grow(after);
  return end;
}

/** Copy the first encoder's bytes for `record` into the scratch buffer. */
function fallback(record: AuditRecord, before: number, after: number): number {
  fallbacks++;
  const bytes = encodeRecordCborX(record);
  pos = before;
  ensure(bytes.length + after);
  buf.set(bytes, before);
  return before + bytes.length;
}

function setBuffer(next: Uint8Array<ArrayBuffer>): void {
  buf = next;
  view = new DataView(next.buffer, next.byteOffset, next.byteLength);
}

/** Make room for `n` more bytes at `pos`. */
function ensure(n: number): void {
  if (pos + n > buf.length) grow(n);
}

function grow(n: number): void {
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  setBuffer(next);
}

// ---- the top-level record ---------------------------------------------------

/** Each record field's key as encoded CBOR text (all ASCII, all short). */
const FIELD_KEYS: readonly Uint8Array[] = RECORD_FIELDS.map((k) =>
  Uint8Array.from([0x60 | k.length, ...Array.from(k, (c) => c.charCodeAt(0))]),
);

/**
 * The top-level map. A record holding only the contract's fields (the usual
 * case) is written field by field in canonical order with named reads; any
 * other record goes through the generic map writer. The test for "only the
 * contract's fields" is the first encoder's, so both take the same path.
 */
function writeRecord(r: AuditRecord): void {
  const seq = r.seq;
  const kind = r.kind;
  const note = r.note;
  const prev = r.prev;
  const time = r.time;
  const tool = r.tool;
  const agent = r.agent;
  const input = r.input;
  const usage = r.usage;
  const callId = r.callId;
  const grants = r.grants;
  const limits = r.limits;
  const outcome = r.outcome;
  const session = r.session;
  const decision = r.decision;
  const parentId = r.parentId;
  const inputDigest = r.inputDigest;
  const resultDigest = r.resultDigest;
  let keys = 0;
  for (const _ in r) keys++; // counts inherited enumerable keys too, as the first encoder does
  const known =
    defined(seq) +
    defined(kind) +
    defined(note) +
    defined(prev) +
    defined(time) +
    defined(tool) +
    defined(agent) +
    defined(input) +
    defined(usage) +
    defined(callId) +
    defined(grants) +
    defined(limits) +
    defined(outcome) +
    defined(session) +
    defined(decision) +
    defined(parentId) +
    defined(inputDigest) +
    defined(resultDigest);
  if (known !== keys) {
    writeValue(r, 0);
    return;
  }
  const count =
    kept(seq) +
    kept(kind) +
    kept(note) +
    kept(prev) +
    kept(time) +
    kept(tool) +
    kept(agent) +
    kept(input) +
    kept(usage) +
    kept(callId) +
    kept(grants) +
    kept(limits) +
    kept(outcome) +
    kept(session) +
    kept(decision) +
    kept(parentId) +
    kept(inputDigest) +
    kept(resultDigest);
  ensure(16);
  writeHead(0xa0, count);
  field(0, seq);
  field(1, kind);
  field(2, note);
  field(3, prev);
  field(4, time);
  field(5, tool);
  field(6, agent);
  field(7, input);
  field(8, usage);
  field(9, callId);
  field(10, grants);
  field(11, limits);
  field(12, outcome);
  field(13, session);
  field(14, decision);
  field(15, parentId);
  field(16, inputDigest);
  field(17, resultDigest);
}

function defined(v: unknown): number {
  return v === undefined ? 0 : 1;
}

function kept(v: unknown): number {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol' ? 0 : 1;
}

function field(index: number, v: unknown): void {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return;
  const key = FIELD_KEYS[index]!;
  ensure(key.length);
  for (let i = 0; i < key.length; i++) buf[pos + i] = key[i]!;
  pos += key.length;
  writeValue(v, 1);
}

// ---- values -----------------------------------------------------------------

function writeValue(v: unknown, depth: number): void {
  if (pos + 16 > buf.length) grow(16);
  switch (typeof v) {
    case 'string':
      writeText(v);
      return;
    case 'number':
      writeNumber(v);
      return;
    case 'boolean':
      buf[pos++] = v ? 0xf5 : 0xf4;
      return;
    case 'object':
      if (v === null) buf[pos++] = 0xf6;
      else writeObject(v, depth);
      return;
    case 'bigint':
      writeBigInt(v);
      return;
    default:
      buf[pos++] = 0xf6; // undefined, a function or a symbol where a value must be: null, as JSON
  }
}

function writeObject(v: object, depth: number): void {
  if (depth >= MAX_DEPTH) throw FALLBACK;
  if (Array.isArray(v)) {
    if (v.constructor !== Array) throw FALLBACK;
    writeArray(v, depth + 1);
  } else if (ArrayBuffer.isView(v)) {
    if (v instanceof Uint8Array && v.constructor !== Uint8Array) throw FALLBACK;
    writeBytes(v);
  } else if (Object.getPrototypeOf(v) === Object.prototype && v.constructor === Object) {
    writeMap(v as Record<string, unknown>, depth + 1);
  } else throw FALLBACK; // class instances, toJSON, Map, null-prototype objects: the first encoder's rules
}

function writeNumber(v: number): void {
  if (v >>> 0 === v) {
    writeHead(0x00, v >>> 0); // -0 too, as 0
  } else if (Number.isSafeInteger(v)) {
    if (v > 0) writeHead(0x00, v);
    else writeHead(0x20, -1 - v);
  } else {
    buf[pos] = 0xfb;
    view.setFloat64(pos + 1, v);
    pos += 9;
  }
}

function writeBigInt(v: bigint): void {
  if (v >= 0n && v < U64) {
    buf[pos] = 0x1b;
    view.setBigUint64(pos + 1, v);
  } else if (v < 0n && v > -U64) {
    buf[pos] = 0x3b;
    view.setBigUint64(pos + 1, -v - 1n);
  } else throw FALLBACK; // a bignum tag: rare enough to leave to cbor-x
  pos += 9;
}

/** A head: major type `major` (already shifted) and argument `n` (0 ≤ n < 2^53), shortest form. Needs 9 bytes of room. */
function writeHead(major: number, n: number): void {
  if (n < 24) {
    buf[pos++] = major | n;
  } else if (n < 0x100) {
    buf[pos++] = major | 24;
    buf[pos++] = n;
  } else if (n < 0x10000) {
    buf[pos++] = major | 25;
    buf[pos++] = n >>> 8;
    buf[pos++] = n & 0xff;
  } else if (n < U32) {
    buf[pos++] = major | 26;
    view.setUint32(pos, n);
    pos += 4;
  } else {
    buf[pos++] = major | 27;
    view.setUint32(pos, Math.floor(n / U32));
    view.setUint32(pos + 4, n >>> 0);
    pos += 8;
  }
}

function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < U32 ? 5 : 9;
}

function writeBytes(v: ArrayBufferView): void {
  const n = v.byteLength;
  ensure(9 + n);
  writeHead(0x40, n);
  buf.set(v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, n), pos);
  pos += n;
}

function writeArray(a: readonly unknown[], depth: number): void {
  const n = a.length;
  writeHead(0x80, n);
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
      if (pos >= buf.length) grow(1);
      buf[pos++] = 0xf6;
    } else writeValue(v, depth);
  }
}

/**
 * A map, keys in canonical order. Keys are usually already in order (the
 * same code builds the same objects), so it writes them as they come and
 * checks each against the one before; at the first one out of order it
 * rewinds and writes the map again from a sorted copy of the keys.
 */
function writeMap(obj: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(obj);
  const start = pos;
  const reserved = headSize(keys.length);
  pos += reserved;
  let count = 0;
  let last = '';
  let lastAscii = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    // The first encoder loses a "__proto__" key whenever it copies the map
    // (assigning it to a plain object sets the prototype instead); only it
    // knows when, so such maps are its to write.
    if (key === '__proto__') throw FALLBACK;
    const v = obj[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    const ascii = writeText(key);
    if (count > 0 && !inOrder(last, lastAscii, key, ascii)) {
      pos = start;
      writeSortedMap(obj, keys, depth);
      return;
    }
    writeValue(v, depth);
    count++;
    last = key;
    lastAscii = ascii;
  }
  closeMap(start, reserved, count);
}

function writeSortedMap(obj: Record<string, unknown>, keys: string[], depth: number): void {
  const sorted = sortKeys(keys);
  const start = pos;
  const reserved = headSize(sorted.length);
  pos += reserved;
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    const key = sorted[i]!;
    if (key === '__proto__') throw FALLBACK; // as in writeMap
    const v = obj[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    writeText(key);
    writeValue(v, depth);
    count++;
  }
  closeMap(start, reserved, count);
}

/**
 * `keys` in compareMapKeys order. Maps are small (a handful of keys) and
 * their keys plain ASCII names, so: an insertion sort on length then `<`,
 * which is that order for ASCII keys that do not start with a digit (they
 * cannot be array indices); any other key sends the map to the full order.
 */
function sortKeys(keys: string[]): string[] {
  const out = keys.slice();
  const n = out.length;
  if (n > 16) return out.sort(compareMapKeys);
  for (let i = 0; i < n; i++) if (!plainKey(out[i]!)) return out.sort(compareMapKeys);
  for (let i = 1; i < n; i++) {
    const key = out[i]!;
    let j = i - 1;
    for (; j >= 0; j--) {
      const other = out[j]!;
      if (other.length !== key.length ? other.length < key.length : other < key) break;
      out[j + 1] = other;
    }
    out[j + 1] = key;
  }
  return out;
}

/** ASCII, not empty, and not starting with a digit. */
function plainKey(s: string): boolean {
  const c0 = s.charCodeAt(0); // NaN for '', which fails the test below
  if (!(c0 > 0x39 && c0 < 0x80)) return false;
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Write the map head at `start`, where `reserved` bytes were left for it; a shorter head moves the entries back. */
function closeMap(start: number, reserved: number, count: number): void {
  const size = headSize(count);
  if (size !== reserved) {
    buf.copyWithin(start + size, start + reserved, pos);
    pos -= reserved - size;
  }
  const end = pos;
  pos = start;
  writeHead(0xa0, count);
  pos = end;
}

/** Does `b` belong after `a` (keys written in the order JavaScript lists them)? */
function inOrder(a: string, aAscii: boolean, b: string, bAscii: boolean): boolean {
  if (aAscii && bAscii) {
    if (a.length !== b.length ? a.length < b.length : a < b) return true;
  } else if (compareKeys(a, b) < 0) return true;
  // JavaScript lists array-index keys first; the first encoder kept that order.
  return isIndexKey(a) && !isIndexKey(b);
}

// ---- text -------------------------------------------------------------------

/**
 * Write `s` as CBOR text; true if it was all ASCII. Short text is copied
 * code unit by code unit while it is ASCII (cheaper than a call out);
 * longer text goes through TextEncoder.encodeInto, whose bytes are cbor-x's
 * except for a lone surrogate in text under 64 code units, which cbor-x
 * writes in its 3-byte form: such text is written again by hand. The head
 * is sized for one byte per code unit and the bytes moved up if the UTF-8
 * turns out longer.
 */
function writeText(s: string): boolean {
  const n = s.length;
  ensure(9 + 3 * n);
  const start = pos;
  const reserved = n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  const at = start + reserved;
  let p = at;
  if (n < SHORT_TEXT) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p++] = c;
    }
    if (i < n) p = writeWtf8(s, i, p);
  } else {
    p = at + textEncoder.encodeInto(s, buf.subarray(at)).written;
    if (n < 64 && p - at !== n) p = writeWtf8(s, 0, at);
  }
  const length = p - at;
  const size = length < 24 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
  if (size !== reserved) buf.copyWithin(start + size, at, p);
  pos = start;
  writeHead(0x60, length);
  pos = start + size + length;
  return length === n; // as many bytes as code units: all ASCII
}

/** UTF-8 from code unit `i` on, a lone surrogate as its 3-byte form (what cbor-x does for short text). */
function writeWtf8(s: string, from: number, at: number): number {
  const n = s.length;
  let p = at;
  for (let i = from; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = (c >> 6) | 0xc0;
      buf[p++] = (c & 0x3f) | 0x80;
    } else if ((c & 0xfc00) === 0xd800 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x03ff) << 10) + (s.charCodeAt(i + 1) & 0x03ff);
      i++;
      buf[p++] = (c >> 18) | 0xf0;
      buf[p++] = ((c >> 12) & 0x3f) | 0x80;
      buf[p++] = ((c >> 6) & 0x3f) | 0x80;
      buf[p++] = (c & 0x3f) | 0x80;
    } else {
      buf[p++] = (c >> 12) | 0xe0;
      buf[p++] = ((c >> 6) & 0x3f) | 0x80;
      buf[p++] = (c & 0x3f) | 0x80;
    }
  }
  return p;
}
