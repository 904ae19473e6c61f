/**
 * The order of map keys in a record, shared by both encoders.
 *
 * RFC 8949 §4.2.1 orders text keys by their encoded bytes: shorter UTF-8
 * first, then bytewise (= by code point). Version 1 logs add one rule they
 * inherited from building canonical maps as JavaScript objects: keys that
 * are array indices ("0" … "4294967294", no leading zeros) come first, in
 * numeric order (which is also their RFC order), then all other keys in RFC
 * order. A map with both kinds of key is the only place this differs from
 * plain RFC order; it is kept so that the same record always gives the same
 * bytes as it did before (see record-encoder.ts).
 */

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

/** True for a key a JavaScript object lists first: an array index, "0" … "4294967294" without leading zeros. */
export function isIndexKey(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 10) return false;
  const c0 = key.charCodeAt(0);
  if (c0 < 0x30 || c0 > 0x39 || (c0 === 0x30 && n > 1)) return false;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return n < 10 || Number(key) <= 4294967294;
}

/** The order of keys in a version 1 map: array-index keys first, then the rest; RFC order within each. */
export function compareMapKeys(a: string, b: string): number {
  const ia = isIndexKey(a);
  if (ia !== isIndexKey(b)) return ia ? -1 : 1;
  return compareKeys(a, b);
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
