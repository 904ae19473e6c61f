/**
 * Export: records as JSON Lines (one JSON object per line, `\n` after each),
 * for jq, log shippers and spreadsheets.
 *
 * JSON has no bigint and no bytes, so this follows the protobuf JSON
 * mapping's convention: a bigint is written as a decimal string, and a byte
 * string (Uint8Array, including a Node Buffer) as a base64 string. `undefined`
 * fields are left out, as JSON.stringify does. The export is for reading;
 * the CBOR log stays the evidence.
 */
import type { AuditRecord } from '@airlock/core';

export function toJsonLines(records: Iterable<AuditRecord>): string {
  let out = '';
  for (const record of records) out += `${JSON.stringify(record, jsonSafe)}\n`;
  return out;
}

/**
 * A JSON.stringify replacer. It reads the raw value from the holder
 * (`this[key]`) because JSON.stringify applies `toJSON` first, and a Buffer's
 * toJSON would otherwise turn it into `{ type, data: [...] }`.
 */
function jsonSafe(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return base64(raw);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
