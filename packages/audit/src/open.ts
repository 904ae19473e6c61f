/**
 * Opening a durable audit log: find where the chain continues, recover a
 * torn tail, and hand back a group-commit sink.
 *
 * On open the whole file is read once. By default ("tail" verification) the
 * frames are walked by their length fields alone (no hashing, no decoding)
 * and only the last record or two are checked: seal, decoding, seq equal to
 * its position, prev equal to the hash of the frame before. That is enough
 * to continue seq and prev correctly and costs little however long the log.
 * `verify: 'full'` checks every record first (see verify.ts).
 *
 * If the end of the log is a torn write (see tail.ts), or a final record
 * that fails its seal or does not decode with only zeros after it, those
 * bytes are cut (`AppendLog.truncate`) and a `recovery` record saying what
 * was cut (reason, offset, bytes, SHA-256) is appended and synced before
 * the sink is returned: recovery is itself on the record. The sink's
 * `recovered` property says the same for a CLI to print. Any other damage
 * refuses to open with AUDIT_CORRUPT: appending after it would bury it.
 *
 * One writer per log: the host's `openLog` takes the log's writer lock, and
 * a log another process is writing is refused with AUDIT_LOCKED before any
 * byte is read or cut. Readers (verify, show) read the file and take no lock.
 */
import type { AppendLog, Host, HostClock, HostCrypto } from '@airlock/core';
import { AirlockError, isAirlockError } from '@airlock/core';
import { type ChainHead, ChainWriter, GENESIS } from './chain.js';
import { type AuditRecovery, FileAuditSink } from './file-sink.js';
import { checkHeader, checkSeal, encodeHeader, type FrameBounds, HEADER_BYTES, payloadOf, scanFrame } from './format.js';
import { hex } from './hex.js';
import { decodeRecord } from './record-codec.js';
import { classifyTail } from './tail.js';
import { verifyAuditLog } from './verify.js';

/** The Host abilities opening a log needs; a whole Host will do. */
export type AuditHost = Pick<Host, 'crypto' | 'storage'> & { readonly clock?: HostClock };

export interface OpenAuditLogOptions {
  /** `tail` (default): check the end enough to continue. `full`: verify every record first. */
  readonly verify?: 'tail' | 'full';
}

/** Open (creating if needed) the audit log at `path` for appending. */
export async function openAuditLog(host: AuditHost, path: string, options: OpenAuditLogOptions = {}): Promise<FileAuditSink> {
  if (!host.storage) {
    throw new AirlockError('HOST_UNSUPPORTED', 'this host has no durable storage (Host.storage); use MemoryAuditSink instead');
  }
  let log: AppendLog;
  try {
    log = await host.storage.openLog(path);
  } catch (cause) {
    if (isAirlockError(cause)) throw cause; // AUDIT_LOCKED: another writer holds it, said as is
    throw new AirlockError('AUDIT_IO', `${path}: cannot open the audit log: ${String(cause)}`, { cause, details: { path } });
  }
  const now = host.clock ? () => host.clock!.now() : () => Date.now();
  try {
    return await attach(log, host.crypto, now, path, options.verify ?? 'tail');
  } catch (e) {
    await log.close().catch(() => undefined);
    throw e;
  }
}

async function attach(log: AppendLog, crypto: HostCrypto, now: () => number, path: string, mode: 'tail' | 'full'): Promise<FileAuditSink> {
  const bytes = await io(path, 'read', () => log.readAll());
  const plan = planOpen(bytes, crypto, path, mode);
  if (plan.recovered) await io(path, 'cut the torn tail of', () => log.truncate(plan.keep));
  if (plan.writeHeader) {
    await io(path, 'write the header of', async () => {
      await log.append(encodeHeader());
      await log.sync();
    });
  }
  const sink = new FileAuditSink(log, new ChainWriter(crypto, plan.head), plan.recovered);
  if (plan.recovered) await sink.append({ kind: 'recovery', time: now(), note: { ...plan.recovered } });
  return sink;
}

async function io<T>(path: string, what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (cause) {
    throw new AirlockError('AUDIT_IO', `${path}: cannot ${what} the audit log: ${String(cause)}`, { cause, details: { path } });
  }
}

interface OpenPlan {
  /** Bytes to keep (the log is cut to this length when `recovered`). */
  readonly keep: number;
  readonly head: ChainHead;
  readonly writeHeader: boolean;
  readonly recovered?: AuditRecovery;
}

/** Decide, from the log's bytes alone, where the chain continues and what to cut. */
export function planOpen(bytes: Uint8Array, crypto: HostCrypto, path: string, mode: 'tail' | 'full'): OpenPlan {
  const sha256 = (d: Uint8Array) => crypto.sha256(d);
  const corrupt = (offset: number, seq: number, reason: string, message: string) =>
    new AirlockError('AUDIT_CORRUPT', `${path}: ${message}; not appending to a damaged log (run verification to see where it breaks)`, {
      details: { path, offset, seq, reason },
    });
  const cutAll = (reason: AuditRecovery['reason']): AuditRecovery => ({
    reason,
    offset: 0,
    bytes: bytes.length,
    sha256: hex(sha256(bytes)),
  });

  const header = checkHeader(bytes);
  if (!header.ok) {
    if (!header.partial) throw corrupt(0, 0, 'bad-header', header.message);
    return bytes.length === 0
      ? { keep: 0, head: GENESIS, writeHeader: true }
      : { keep: 0, head: GENESIS, writeHeader: true, recovered: cutAll('torn-header') };
  }

  // Walk frames by their length fields, remembering the last three.
  const recent: FrameBounds[] = [];
  let count = 0;
  let offset = HEADER_BYTES;
  while (offset < bytes.length) {
    const frame = scanFrame(bytes, offset);
    if (!frame.ok) break;
    recent.push(frame);
    if (recent.length > 3) recent.shift();
    count += 1;
    offset = frame.end;
  }
  let cutAt = offset;
  let damage: AuditRecovery['reason'] = 'torn';

  // Is the last whole frame sound? If not, it is the start of the tail to cut.
  const last = recent.at(-1);
  if (last) {
    const problem = frameProblem(bytes, last, sha256);
    if (problem) {
      recent.pop();
      count -= 1;
      cutAt = last.start;
      damage = problem;
    }
  }
  if (cutAt < bytes.length) {
    const kind = classifyTail(bytes, cutAt, sha256);
    if (!kind) throw corrupt(cutAt, count, 'damaged', `record ${count} at byte ${cutAt} is damaged and is not a torn write at the end`);
    if (kind === 'torn') damage = 'torn';
  }

  // The record the chain continues from: right seq for its place, linked to the one before.
  let head: ChainHead = GENESIS;
  const good = recent.at(-1);
  if (good) {
    const hash = checkSeal(bytes, good, sha256);
    const problem = frameProblem(bytes, good, sha256);
    if (!hash || problem)
      throw corrupt(good.start, count - 1, problem ?? 'mutated', `record ${count - 1} at byte ${good.start} is damaged`);
    const record = decodeRecord(payloadOf(bytes, good));
    if (record.seq !== count - 1) {
      throw corrupt(good.start, count - 1, 'missing', `the last record says seq ${record.seq} but is record ${count - 1} of the file`);
    }
    const before = recent.at(-2);
    const expectedPrev = before ? checkSeal(bytes, before, sha256) : undefined;
    if (before && (!expectedPrev || hex(expectedPrev) !== record.prev)) {
      throw corrupt(good.start, count - 1, 'spliced', `record ${count - 1} does not link to the record before it`);
    }
    head = { seq: count, prev: hex(hash) };
  }

  if (mode === 'full') {
    const report = verifyAuditLog(bytes.subarray(0, cutAt), crypto);
    if (!report.ok && report.firstBad) {
      const bad = report.firstBad;
      throw corrupt(bad.offset, bad.seq, bad.reason, bad.message);
    }
  }

  if (cutAt === bytes.length) return { keep: cutAt, head, writeHeader: false };
  const recovered: AuditRecovery = {
    reason: damage,
    offset: cutAt,
    bytes: bytes.length - cutAt,
    sha256: hex(sha256(bytes.subarray(cutAt))),
  };
  return { keep: cutAt, head, writeHeader: false, recovered };
}

/** Why a whole frame is unusable (`mutated`: seal; `undecodable`), or undefined. */
function frameProblem(bytes: Uint8Array, frame: FrameBounds, sha256: (d: Uint8Array) => Uint8Array): 'mutated' | 'undecodable' | undefined {
  if (!checkSeal(bytes, frame, sha256)) return 'mutated';
  try {
    decodeRecord(payloadOf(bytes, frame));
    return undefined;
  } catch {
    return 'undecodable';
  }
}
