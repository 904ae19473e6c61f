/**
 * Telling a torn tail from damage.
 *
 * A crash during a group commit can leave the end of the log short: the
 * last batch written only in part, so the final frame is incomplete, or (on
 * file systems that extend the file before its data lands) complete in
 * length but ending in zeros. That is expected and safe to cut, because the
 * records in it were never acknowledged. Anything else that fails near the
 * end — a valid frame found after the failure, non-zero junk — is damage,
 * and cutting it could destroy acknowledged records, so it is refused.
 */
import { allZero, checkSeal, LENGTH_BYTES, MAX_RECORD_BYTES, readU32, SEAL_BYTES, scanFrame } from './format.js';

/**
 * - `torn`: what a crash leaves (zeros, or one frame cut short).
 * - `damaged-final`: one complete final frame that fails its seal or does not
 *   decode, with nothing but zeros after it. Not what a crash leaves, but
 *   confined to the last record, so a writer may cut it (and records that).
 */
export type TailKind = 'torn' | 'damaged-final';

/**
 * Classify the bytes from `offset` (a frame start whose frame failed a
 * frame-level check: length, seal or decoding) to the end of the log.
 * Returns undefined when they are not confined damage at the end.
 */
export function classifyTail(bytes: Uint8Array, offset: number, sha256: (d: Uint8Array) => Uint8Array): TailKind | undefined {
  if (allZero(bytes, offset)) return 'torn';
  const frame = scanFrame(bytes, offset);
  if (!frame.ok) {
    if (frame.problem === 'short') return 'torn';
    if (frame.problem === 'bad-length') return undefined;
    // Incomplete: torn, unless a whole valid frame follows (then the length field was damaged).
    return hasSealedFrame(bytes, offset + 1, sha256) ? undefined : 'torn';
  }
  if (!allZero(bytes, frame.end)) return undefined;
  if (allZero(bytes, frame.hashedEnd, frame.end)) return 'torn';
  return 'damaged-final';
}

/**
 * Is there a frame with a valid seal starting anywhere at or after `from`?
 * Only candidates whose length fits and whose payload starts with a CBOR map
 * head are hashed, so this is cheap on the small regions it is used on.
 */
export function hasSealedFrame(bytes: Uint8Array, from: number, sha256: (d: Uint8Array) => Uint8Array): boolean {
  const last = bytes.length - (LENGTH_BYTES + 1 + SEAL_BYTES);
  for (let p = from; p <= last; p++) {
    if (bytes[p]! > MAX_RECORD_BYTES >>> 24) continue;
    const head = bytes[p + LENGTH_BYTES]!;
    if (head < 0xa0 || head > 0xbb) continue;
    const length = readU32(bytes, p);
    if (length === 0 || length > MAX_RECORD_BYTES) continue;
    const hashedEnd = p + LENGTH_BYTES + length;
    if (hashedEnd + SEAL_BYTES > bytes.length) continue;
    if (checkSeal(bytes, { start: p, hashedEnd, end: hashedEnd + SEAL_BYTES }, sha256)) return true;
  }
  return false;
}
