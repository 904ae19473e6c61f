/**
 * Verification: walk a whole log and name the first record that is wrong.
 *
 * For each frame in order, with `expected` = its position (0-based):
 * 1. the frame must fit (length field sane, bytes present)      → `torn` / `mutated`
 * 2. its seal must match the SHA-256 of its length + payload     → `mutated` (or `torn`)
 * 3. its payload must decode to a record                         → `undecodable`
 * 4. its `prev` must equal the previous frame's hash             → `spliced` / `missing` / `reordered`
 * 5. its `seq` must equal `expected`                             → `mutated`
 *
 * A frame that passes 1–3 is exactly what some writer wrote, so a broken
 * link (4) is about *which* record sits here, not about its bytes: the
 * right seq with the wrong prev comes from another log (`spliced`); a later
 * seq means records are `missing`, unless the expected one turns up further
 * on (`reordered`); an earlier seq is `reordered` (a replay).
 *
 * `firstBad.seq` is always the seq expected at that position, so "the first
 * bad record is 5" means records 0–4 verified. What a chain cannot see:
 * whole records cut from the very end, or a log rewritten from some point
 * with fresh seals and hashes; checkpoints (signed heads) would.
 *
 * Verification never throws: any input, however broken, gives a report.
 */
import type { HostCrypto } from '@airlock/core';
import { checkHeader, checkSeal, GENESIS_PREV, HEADER_BYTES, payloadOf, scanFrame } from './format.js';
import { hex } from './hex.js';
import { decodeRecord } from './record-codec.js';
import { classifyTail } from './tail.js';

export type VerifyReason = 'bad-header' | 'torn' | 'mutated' | 'undecodable' | 'missing' | 'reordered' | 'spliced';

export interface VerifyFailure {
  /** The seq expected at this position: records before it verified. */
  readonly seq: number;
  /** Byte offset of the bad frame (0 for a header problem). */
  readonly offset: number;
  readonly reason: VerifyReason;
  readonly message: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  /** Records that verified (all of them when `ok`). */
  readonly records: number;
  /** Hex frame hash of the last verified record: the chain head (64 zeros if none). */
  readonly head: string;
  readonly firstBad?: VerifyFailure;
}

export function verifyAuditLog(bytes: Uint8Array, crypto: Pick<HostCrypto, 'sha256'>): VerifyReport {
  const sha256 = (d: Uint8Array) => crypto.sha256(d);
  let records = 0;
  let head = GENESIS_PREV;
  const fail = (offset: number, reason: VerifyReason, message: string): VerifyReport => ({
    ok: false,
    records,
    head,
    firstBad: { seq: records, offset, reason, message },
  });
  try {
    const header = checkHeader(bytes);
    if (!header.ok) return fail(0, header.partial ? 'torn' : 'bad-header', header.message);
    let offset = HEADER_BYTES;
    while (offset < bytes.length) {
      const at = `record ${records} at byte ${offset}`;
      const frame = scanFrame(bytes, offset);
      let hash: Uint8Array | undefined;
      if (frame.ok) hash = checkSeal(bytes, frame, sha256);
      if (!frame.ok || !hash) {
        if (classifyTail(bytes, offset, sha256) === 'torn') {
          return fail(
            offset,
            'torn',
            `${at}: the log ends in a torn write (${bytes.length - offset} bytes); opening it for writing cuts them`,
          );
        }
        const why = !frame.ok
          ? frame.problem === 'incomplete'
            ? `its length field says ${frame.length} bytes, which run past the end, yet a valid record follows`
            : `its length field (${frame.length ?? 'cut short'}) is not a valid record length`
          : 'its bytes do not match its seal';
        return fail(offset, 'mutated', `${at}: ${why}`);
      }
      let record: ReturnType<typeof decodeRecord>;
      try {
        record = decodeRecord(payloadOf(bytes, frame));
      } catch (e) {
        return fail(offset, 'undecodable', `${at}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (record.prev !== head) {
        const { reason, message } = brokenLink(bytes, frame.end, records, record.seq);
        return fail(offset, reason, `${at}: ${message}`);
      }
      if (record.seq !== records) {
        return fail(offset, 'mutated', `${at}: it says seq ${record.seq} but links to record ${records - 1}`);
      }
      head = hex(hash);
      records += 1;
      offset = frame.end;
    }
    return { ok: true, records, head };
  } catch (e) {
    // Not expected: every step above handles its own failures. A report, still.
    return fail(0, 'undecodable', `verification stopped: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Name a link failure at position `expected` whose record says `seq`. */
function brokenLink(bytes: Uint8Array, after: number, expected: number, seq: number): { reason: VerifyReason; message: string } {
  if (seq === expected) {
    return {
      reason: 'spliced',
      message: `its prev is not the hash of record ${expected - 1}: it comes from another log, or the chain was rewritten`,
    };
  }
  if (seq < expected) return { reason: 'reordered', message: `it says seq ${seq}, which belongs earlier (moved or replayed)` };
  if (seqAppearsAfter(bytes, after, expected)) {
    return { reason: 'reordered', message: `it says seq ${seq}; record ${expected} comes later in the file` };
  }
  return { reason: 'missing', message: `it says seq ${seq}: records ${expected}…${seq - 1} are missing` };
}

/** Does a decodable frame with this seq appear from `offset` on? (No seal checks: a hint for naming.) */
function seqAppearsAfter(bytes: Uint8Array, offset: number, seq: number): boolean {
  while (offset < bytes.length) {
    const frame = scanFrame(bytes, offset);
    if (!frame.ok) return false;
    try {
      if (decodeRecord(payloadOf(bytes, frame)).seq === seq) return true;
    } catch {
      return false;
    }
    offset = frame.end;
  }
  return false;
}
