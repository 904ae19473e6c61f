/**
 * Reading: decode a log's records for showing and exporting.
 *
 * This checks structure (header, framing, decoding, seq order) but not
 * hashes: it needs no crypto and is for display. To know whether a log was
 * tampered with, use `verifyAuditLog`.
 */
import type { AuditRecord } from '@airlock/core';
import { AirlockError } from '@airlock/core';
import { checkHeader, HEADER_BYTES, payloadOf, scanFrame } from './format.js';
import { decodeRecord } from './record-codec.js';

export interface PartialRead {
  /** Every record decoded before the first problem. */
  readonly records: AuditRecord[];
  /** AUDIT_CORRUPT, with `details.offset` and `details.seq`, if the log did not read to the end. */
  readonly error?: AirlockError;
}

/** Decode every record; throws AUDIT_CORRUPT at the first problem. */
export function readAuditLog(bytes: Uint8Array): AuditRecord[] {
  const { records, error } = readAuditLogPartial(bytes);
  if (error) throw error;
  return records;
}

/** Decode records up to the first problem and report the problem rather than throw. */
export function readAuditLogPartial(bytes: Uint8Array): PartialRead {
  const records: AuditRecord[] = [];
  const corrupt = (offset: number, message: string): PartialRead => ({
    records,
    error: new AirlockError('AUDIT_CORRUPT', `audit log: record ${records.length} at byte ${offset}: ${message}`, {
      details: { offset, seq: records.length },
    }),
  });
  const header = checkHeader(bytes);
  if (!header.ok) return corrupt(0, header.message);
  let offset = HEADER_BYTES;
  while (offset < bytes.length) {
    const frame = scanFrame(bytes, offset);
    if (!frame.ok) {
      return corrupt(
        offset,
        frame.problem === 'bad-length' ? `invalid length field ${frame.length}` : 'the log ends mid-record (torn write)',
      );
    }
    let record: AuditRecord;
    try {
      record = decodeRecord(payloadOf(bytes, frame));
    } catch (e) {
      return corrupt(offset, e instanceof Error ? e.message : String(e));
    }
    if (record.seq !== records.length) return corrupt(offset, `it says seq ${record.seq}`);
    records.push(record);
    offset = frame.end;
  }
  return { records };
}
