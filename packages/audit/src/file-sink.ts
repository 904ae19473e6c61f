/**
 * The durable audit sink: records go to a Host AppendLog with group commit.
 *
 * Group commit is how a disk that does a few hundred fsyncs a second keeps
 * up with tens of thousands of records a second: like a bus that leaves as
 * soon as the previous one is back, carrying everyone who arrived meanwhile.
 *
 * - `append` numbers, chains and encodes at once (synchronously), so the
 *   order in the log is the order of calls, and queues the bytes.
 * - When the sink is idle, the queued bytes are written on the next
 *   microtask (so a burst of calls in one tick shares a batch): one
 *   `AppendLog.append` of the whole batch, then one `sync`.
 * - At most one write+sync is in flight. Records that arrive meanwhile form
 *   the next batch, which starts the moment the sync returns. The sink adds
 *   no timer delay of its own; a record waits at most for the sync in
 *   flight plus its own, and is never held back waiting for company.
 * - Each `append` resolves only after the sync covering its batch returned:
 *   an acknowledged record is durable (the write-ahead rule).
 * - If a write or sync fails, every record waiting for it (and any queued
 *   behind it) is rejected with AUDIT_IO, and the sink stays failed: later
 *   appends reject too. Nothing is dropped silently; reopen the log (which
 *   recovers a torn tail) to continue.
 */
import type { AppendLog, AuditEntry, AuditRecord, AuditSink } from '@airlock/core';
import { AirlockError } from '@airlock/core';
import { ByteBuffer } from './byte-buffer.js';
import type { ChainWriter } from './chain.js';

/** What opening the log cut from its end after a crash (also written to the log as a `recovery` record). */
export interface AuditRecovery {
  /** `torn` for what a crash leaves; otherwise the damage found in the final record. */
  readonly reason: 'torn' | 'torn-header' | 'mutated' | 'undecodable';
  /** Byte offset where the cut bytes began (the log's new length). */
  readonly offset: number;
  /** How many bytes were cut. */
  readonly bytes: number;
  /** Hex SHA-256 of the cut bytes, so they can be matched against a copy. */
  readonly sha256: string;
}

interface Waiter {
  readonly record: AuditRecord;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (error: unknown) => void;
}

export class FileAuditSink implements AuditSink {
  /** Set when opening cut a torn or damaged tail; undefined for a clean open. */
  readonly recovered: AuditRecovery | undefined;
  readonly #log: AppendLog;
  readonly #chain: ChainWriter;
  /** Frames waiting for the next write, back to back. */
  #queued = new ByteBuffer();
  #waiters: Waiter[] = [];
  #draining: Promise<void> | undefined;
  #failure: AirlockError | undefined;
  #closing: Promise<void> | undefined;

  /** Use `openAuditLog`; this assumes the log ends exactly where `chain` continues. */
  constructor(log: AppendLog, chain: ChainWriter, recovered?: AuditRecovery) {
    this.#log = log;
    this.#chain = chain;
    this.recovered = recovered;
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closing) return Promise.reject(new AirlockError('AUDIT_IO', 'the audit log is closed'));
    let next: ReturnType<ChainWriter['next']>;
    try {
      next = this.#chain.next(entry);
    } catch (e) {
      return Promise.reject(e);
    }
    const promise = new Promise<AuditRecord>((resolve, reject) => {
      this.#waiters.push({ record: next.record, resolve, reject });
    });
    this.#queued.append(next.frame); // a copy: the frame is the chain's scratch buffer
    this.#draining ??= Promise.resolve().then(() => this.#drain());
    return promise;
  }

  /** Records appended so far (acknowledged or waiting), including any from before this open. */
  get records(): number {
    return this.#chain.head.seq;
  }

  /** Flush everything queued, then close the log. Rejects with the failure if the sink failed. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#draining;
      try {
        await this.#log.close();
      } catch (cause) {
        this.#failure ??= new AirlockError('AUDIT_IO', `closing the audit log failed: ${String(cause)}`, { cause });
      }
      if (this.#failure) throw this.#failure;
    })();
    return this.#closing;
  }

  /** Write and sync batches until nothing is queued. Only one runs at a time. */
  async #drain(): Promise<void> {
    while (this.#queued.length > 0 && !this.#failure) {
      const bytes = this.#queued.take();
      const waiters = this.#waiters;
      this.#waiters = [];
      try {
        await this.#log.append(bytes);
        await this.#log.sync();
      } catch (cause) {
        this.#fail(cause, waiters);
        break;
      }
      for (const w of waiters) w.resolve(w.record);
    }
    this.#draining = undefined;
  }

  #fail(cause: unknown, batch: Waiter[]): void {
    const lost = [...batch, ...this.#waiters];
    const first = lost[0]?.record.seq;
    this.#failure = new AirlockError(
      'AUDIT_IO',
      `writing the audit log failed (${String(cause)}); ${lost.length} record(s) from seq ${first} are not durable and the sink is closed to appends`,
      { cause, details: { firstSeq: first ?? null, records: lost.length } },
    );
    this.#queued.truncate(0);
    this.#waiters = [];
    for (const w of lost) w.reject(this.#failure);
  }
}
