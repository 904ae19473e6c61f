/**
 * The chain writer: numbers, chains and frames entries, synchronously.
 *
 * A sink owns one. Each `next(entry)` gives the entry the next `seq` and the
 * previous frame's hash as `prev`, encodes it, frames it, and remembers the
 * new frame's hash for the one after. Because this step is synchronous, the
 * order of records in the log is exactly the order of `append` calls, even
 * when the bytes are written later in a batch.
 */
import type { AuditEntry, AuditRecord, HostCrypto } from '@airlock/core';
import { AirlockError } from '@airlock/core';
import { buildFrame, GENESIS_PREV, MAX_RECORD_BYTES } from './format.js';
import { hex } from './hex.js';
import { encodeRecord } from './record-codec.js';

/** Where a chain continues: the next record's seq and prev. */
export interface ChainHead {
  readonly seq: number;
  readonly prev: string;
}

export const GENESIS: ChainHead = Object.freeze({ seq: 0, prev: GENESIS_PREV });

export class ChainWriter {
  readonly #crypto: HostCrypto;
  #seq: number;
  #prev: string;

  constructor(crypto: HostCrypto, head: ChainHead = GENESIS) {
    this.#crypto = crypto;
    this.#seq = head.seq;
    this.#prev = head.prev;
  }

  /** The seq and prev the next record will get. */
  get head(): ChainHead {
    return { seq: this.#seq, prev: this.#prev };
  }

  /** Number, chain, encode and frame `entry`. Throws AUDIT_IO if it cannot be encoded. */
  next(entry: AuditEntry): { record: AuditRecord; frame: Uint8Array } {
    const record: AuditRecord = { ...entry, seq: this.#seq, prev: this.#prev };
    let payload: Uint8Array;
    try {
      payload = encodeRecord(record);
    } catch (cause) {
      throw new AirlockError('AUDIT_IO', `audit record ${record.seq} cannot be encoded as CBOR: ${String(cause)}`, { cause });
    }
    if (payload.length > MAX_RECORD_BYTES) {
      throw new AirlockError(
        'AUDIT_IO',
        `audit record ${record.seq} is ${payload.length} bytes of CBOR, over the ${MAX_RECORD_BYTES}-byte limit`,
      );
    }
    const { frame, hash } = buildFrame(payload, (d) => this.#crypto.sha256(d));
    this.#seq += 1;
    this.#prev = hex(hash);
    return { record, frame };
  }
}
