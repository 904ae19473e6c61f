/**
 * Lowercase hex for hashes. The chain stores every `prev` as 64 hex digits,
 * so this sits on the append hot path: a 256-entry table turns 32 bytes into
 * a string with 32 lookups instead of 32 `toString(16)` calls.
 */

const TABLE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += TABLE[bytes[i]!];
  return s;
}

/** True when `s` is exactly 64 lowercase hex digits (a SHA-256 in our form). */
export function isSha256Hex(s: unknown): s is string {
  return typeof s === 'string' && s.length === 64 && /^[0-9a-f]{64}$/.test(s);
}
