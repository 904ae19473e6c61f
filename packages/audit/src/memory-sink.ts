/**
 * An audit sink that keeps the log in memory, for browsers, tests and
 * benchmarks. It writes exactly the bytes a file sink would (header, framed
 * and chained records), so `bytes()` can be verified, saved or exported.
 * Nothing is durable: `append` resolves at once.
 */
import type { AuditEntry, AuditRecord, AuditSink, HostCrypto } from '@airlock/core';
import { AirlockError } from '@airlock/core';
import { ChunkedBytes } from './byte-buffer.js';
import { ChainWriter } from './chain.js';
import { encodeHeader } from './format.js';

export class MemoryAuditSink implements AuditSink {
  readonly #chain: ChainWriter;
  readonly #buffer = new ChunkedBytes();
  #closed = false;

  constructor(crypto: HostCrypto) {
    this.#chain = new ChainWriter(crypto);
    this.#buffer.append(encodeHeader());
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.#closed) return Promise.reject(new AirlockError('AUDIT_IO', 'the audit sink is closed'));
    try {
      const { record, frame } = this.#chain.next(entry);
      this.#buffer.append(frame); // a copy: the frame is the chain's scratch buffer
      return Promise.resolve(record);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Records appended so far. */
  get records(): number {
    return this.#chain.head.seq;
  }

  /** The whole log as a file would hold it (a copy). */
  bytes(): Uint8Array {
    return this.#buffer.copy();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
