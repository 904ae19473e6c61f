/**
 * Lowercase hex for hashes. The chain stores every `prev` as 64 hex digits,
 * so this sits on the append hot path. A table gives each byte's two digit
 * codes, and one `String.fromCharCode` call makes a flat string: about half
 * the time of joining 32 two-letter strings, whose result is a rope the
 * encoder then has to flatten.
 */

const DIGITS = '0123456789abcdef';
/** Byte b's two digits are CODES[2b] and CODES[2b + 1]. */
const CODES: readonly number[] = Array.from({ length: 512 }, (_, i) => DIGITS.charCodeAt(i & 1 ? (i >> 1) & 0xf : i >> 5));
const PAIRS: readonly string[] = Array.from({ length: 256 }, (_, i) => DIGITS[i >> 4]! + DIGITS[i & 0xf]!);
const HASH_BYTES = 32;
const digits: number[] = new Array<number>(2 * HASH_BYTES).fill(0);

export function hex(bytes: Uint8Array): string {
  if (bytes.length !== HASH_BYTES) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += PAIRS[bytes[i]!];
    return s;
  }
  for (let i = 0; i < HASH_BYTES; i++) {
    const b = bytes[i]! << 1;
    digits[2 * i] = CODES[b]!;
    digits[2 * i + 1] = CODES[b + 1]!;
  }
  return String.fromCharCode.apply(null, digits);
}

/** True when `s` is exactly 64 lowercase hex digits (a SHA-256 in our form). */
export function isSha256Hex(s: unknown): s is string {
  return typeof s === 'string' && s.length === 64 && /^[0-9a-f]{64}$/.test(s);
}
