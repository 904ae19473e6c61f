import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAirlockError } from '@airlock/core';
import { decisionEntry, frames, nodeCrypto } from './helpers.test.js';
import { MemoryAuditSink } from './memory-sink.js';
import { readAuditLog, readAuditLogPartial } from './read.js';

async function sample() {
  const sink = new MemoryAuditSink(nodeCrypto);
  const records = [];
  for (let i = 0; i < 5; i++) records.push(await sink.append(decisionEntry(i)));
  return { records, bytes: sink.bytes() };
}

test('read_all: readAuditLog returns exactly the appended records', async () => {
  const { records, bytes } = await sample();
  assert.deepEqual(readAuditLog(bytes), records);
});

test('read_corrupt_throws: a torn log throws AUDIT_CORRUPT naming the record', async () => {
  const { bytes } = await sample();
  const torn = bytes.subarray(0, frames(bytes)[3]!.start + 10);
  assert.throws(
    () => readAuditLog(torn),
    (e) => isAirlockError(e, 'AUDIT_CORRUPT') && e.details?.['seq'] === 3,
  );
});

test('read_partial: readAuditLogPartial returns the records before the damage and the error', async () => {
  const { records, bytes } = await sample();
  const torn = bytes.subarray(0, frames(bytes)[3]!.start + 10);
  const result = readAuditLogPartial(torn);
  assert.deepEqual(result.records, records.slice(0, 3));
  assert.ok(isAirlockError(result.error, 'AUDIT_CORRUPT'));
});

test('read_not_a_log: a file without the header is AUDIT_CORRUPT', () => {
  assert.throws(
    () => readAuditLog(new TextEncoder().encode('hello world')),
    (e) => isAirlockError(e, 'AUDIT_CORRUPT'),
  );
});
