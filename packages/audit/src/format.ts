/**
 * The audit log file format: a header, then frames, one per record.
 *
 * ```
 * file   = header frame*
 * header = "AIRAUD" 0x00 version        8 bytes; version = 1
 * frame  = length payload seal
 *   length  u32 big-endian              byte length of payload (1 … MAX_RECORD_BYTES)
 *   payload deterministic CBOR map      the AuditRecord (see record-codec.ts)
 *   seal    8 bytes                     the first 8 bytes of the frame hash
 * ```
 *
 * What is hashed: the **frame hash** of a frame is SHA-256 over its `length`
 * and `payload` bytes exactly as stored (4 + length bytes; not the seal, not
 * the header). The next record's `prev` is that hash in lowercase hex; the
 * first record's `prev` is 64 zeros. So the chain covers every stored byte
 * of every record but the last, and the seal covers the last one too.
 *
 * Why a seal when the chain already links records: the chain alone can only
 * say "the link between record k and k+1 is broken", which does not tell a
 * changed record k from a foreign record k+1, and it cannot see a change in
 * the final record at all. The seal lets each frame vouch for itself, so
 * verification names the exact first bad record. It is a checksum, not a
 * signature: someone who can rewrite the file can recompute seals and the
 * chain from the point they change (see docs/decisions/0003).
 */

/** Format version written after the magic; readers refuse other versions. */
export const FORMAT_VERSION = 1;

const MAGIC = [0x41, 0x49, 0x52, 0x41, 0x55, 0x44, 0x00] as const; // "AIRAUD\0"

export const HEADER_BYTES = 8;
export const LENGTH_BYTES = 4;
export const SEAL_BYTES = 8;

/** The largest payload a frame may carry: 64 MiB. Larger lengths mean damage. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** `prev` of the first record. */
export const GENESIS_PREV = '0'.repeat(64);

export function encodeHeader(): Uint8Array {
  return Uint8Array.of(...MAGIC, FORMAT_VERSION);
}

export type HeaderCheck = { readonly ok: true } | { readonly ok: false; readonly partial: boolean; readonly message: string };

/**
 * Check the header. `partial` is true when the file is shorter than a header
 * and everything in it matches one: a log whose creation was interrupted.
 */
export function checkHeader(bytes: Uint8Array): HeaderCheck {
  const n = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== MAGIC[i])
      return { ok: false, partial: false, message: 'not an Airlock audit log (the file does not start with "AIRAUD")' };
  }
  if (bytes.length < HEADER_BYTES) {
    return { ok: false, partial: true, message: `the file is ${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header` };
  }
  const version = bytes[MAGIC.length];
  if (version !== FORMAT_VERSION) {
    return {
      ok: false,
      partial: false,
      message: `audit log format version ${version} is not supported (this reader knows version ${FORMAT_VERSION})`,
    };
  }
  return { ok: true };
}

/** Where one frame's parts sit in a byte array (offsets from its start). */
export interface FrameBounds {
  readonly start: number;
  /** End of the hashed part (length + payload) and start of the seal. */
  readonly hashedEnd: number;
  /** First byte after the seal. */
  readonly end: number;
}

export type FrameScan =
  | ({ readonly ok: true } & FrameBounds)
  | {
      readonly ok: false;
      readonly start: number;
      /** `short`: fewer than 4 bytes left; `bad-length`: 0 or > MAX; `incomplete`: runs past the end. */
      readonly problem: 'short' | 'bad-length' | 'incomplete';
      readonly length?: number;
    };

/** Read the frame boundaries at `offset` from its length field alone (no hashing). */
export function scanFrame(bytes: Uint8Array, offset: number): FrameScan {
  if (bytes.length - offset < LENGTH_BYTES) return { ok: false, start: offset, problem: 'short' };
  const length = readU32(bytes, offset);
  if (length === 0 || length > MAX_RECORD_BYTES) return { ok: false, start: offset, problem: 'bad-length', length };
  const hashedEnd = offset + LENGTH_BYTES + length;
  const end = hashedEnd + SEAL_BYTES;
  if (end > bytes.length) return { ok: false, start: offset, problem: 'incomplete', length };
  return { ok: true, start: offset, hashedEnd, end };
}

/** The frame hash, if the frame's seal matches it; otherwise undefined. */
export function checkSeal(bytes: Uint8Array, frame: FrameBounds, sha256: (data: Uint8Array) => Uint8Array): Uint8Array | undefined {
  const hash = sha256(bytes.subarray(frame.start, frame.hashedEnd));
  for (let i = 0; i < SEAL_BYTES; i++) if (bytes[frame.hashedEnd + i] !== hash[i]) return undefined;
  return hash;
}

/** The CBOR payload of a frame. */
export function payloadOf(bytes: Uint8Array, frame: FrameBounds): Uint8Array {
  return bytes.subarray(frame.start + LENGTH_BYTES, frame.hashedEnd);
}

/**
 * Frame a payload in place: `bytes` holds the payload at
 * [LENGTH_BYTES, payloadEnd) and has SEAL_BYTES of room after it. Writes the
 * length field and the seal and returns the frame hash (which the next
 * record's `prev` will name). The frame is `bytes[0, payloadEnd + SEAL_BYTES)`.
 */
export function sealFrame(bytes: Uint8Array, payloadEnd: number, sha256: (data: Uint8Array) => Uint8Array): Uint8Array {
  const length = payloadEnd - LENGTH_BYTES;
  bytes[0] = length >>> 24;
  bytes[1] = (length >>> 16) & 0xff;
  bytes[2] = (length >>> 8) & 0xff;
  bytes[3] = length & 0xff;
  const hash = sha256(bytes.subarray(0, payloadEnd));
  for (let i = 0; i < SEAL_BYTES; i++) bytes[payloadEnd + i] = hash[i]!;
  return hash;
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

/** True when every byte from `from` to the end is zero (a zero-filled tail). */
export function allZero(bytes: Uint8Array, from: number, to: number = bytes.length): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}
