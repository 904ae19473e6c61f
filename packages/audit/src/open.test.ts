import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAirlockError } from '@airlock/core';
import { encodeHeader } from './format.js';
import { concat, decisionEntry, frames, makeLog, nodeCrypto } from './helpers.test.js';
import { MemoryAppendLog } from './memory-append-log.js';
import { type OpenAuditLogOptions, openAuditLog } from './open.js';
import { readAuditLog } from './read.js';
import { verifyAuditLog } from './verify.js';

const open = (log: MemoryAppendLog, options?: OpenAuditLogOptions) =>
  openAuditLog({ crypto: nodeCrypto, storage: { openLog: async () => log } }, 'audit.log', options);

test('open_new: a new log gets a header and starts at seq 0', async () => {
  const log = new MemoryAppendLog();
  const sink = await open(log);
  assert.equal(sink.recovered, undefined);
  assert.equal((await sink.append(decisionEntry(0))).seq, 0);
  await sink.close();
  assert.deepEqual(log.durable().subarray(0, 8), encodeHeader());
});

test('open_continue: reopening continues seq and prev, and the whole log verifies', async () => {
  const log = new MemoryAppendLog();
  let sink = await open(log);
  for (let i = 0; i < 3; i++) await sink.append(decisionEntry(i));
  await sink.close();
  const log2 = new MemoryAppendLog(log.durable());
  sink = await open(log2);
  assert.equal((await sink.append(decisionEntry(3))).seq, 3);
  await sink.close();
  assert.deepEqual(verifyAuditLog(log2.durable(), nodeCrypto), { ...verifyAuditLog(log2.durable(), nodeCrypto), ok: true, records: 4 });
});

test('open_torn_tail: a half-written last record is cut and the cut is recorded', async () => {
  const bytes = await makeLog(5);
  const last = frames(bytes)[4]!;
  const log = new MemoryAppendLog(bytes.subarray(0, last.start + 40));
  const sink = await open(log);
  assert.deepEqual(sink.recovered && { ...sink.recovered, sha256: 'x' }, { reason: 'torn', offset: last.start, bytes: 40, sha256: 'x' });
  await sink.close();
  const records = readAuditLog(log.durable());
  assert.equal(records.length, 5);
  assert.equal(records[4]!.kind, 'recovery');
  assert.deepEqual({ offset: records[4]!.note?.['offset'], bytes: records[4]!.note?.['bytes'] }, { offset: last.start, bytes: 40 });
  assert.equal(verifyAuditLog(log.durable(), nodeCrypto).ok, true);
});

test('open_zero_tail: a zero-filled tail (size grew, data lost) is cut as torn', async () => {
  const bytes = await makeLog(3);
  const sink = await open(new MemoryAppendLog(concat(bytes, new Uint8Array(500))));
  assert.equal(sink.recovered?.reason, 'torn');
  assert.equal(sink.recovered?.bytes, 500);
});

test('open_damaged_final_record: a final record failing its seal is cut, with the reason recorded', async () => {
  const bytes = (await makeLog(3)).slice();
  const last = frames(bytes)[2]!;
  bytes[last.start + 30]! ^= 0xff;
  const log = new MemoryAppendLog(bytes);
  const sink = await open(log);
  assert.equal(sink.recovered?.reason, 'mutated');
  assert.equal(sink.recovered?.offset, last.start);
  await sink.close();
  assert.equal(verifyAuditLog(log.durable(), nodeCrypto).ok, true);
});

test('open_damage_in_middle: damage before the tail refuses to open and leaves the log untouched', async () => {
  const bytes = (await makeLog(6)).slice();
  const f = frames(bytes)[3]!;
  bytes[f.start + 2]! ^= 0x04; // length now runs past record 4's start
  const log = new MemoryAppendLog(bytes);
  await assert.rejects(open(log), (e) => isAirlockError(e, 'AUDIT_CORRUPT'));
  assert.deepEqual(log.contents(), bytes);
});

test('open_full_verify: verify "full" refuses a log with a changed record deep inside', async () => {
  const bytes = (await makeLog(6)).slice();
  bytes[frames(bytes)[1]!.start + 30]! ^= 0x01;
  await assert.rejects(
    open(new MemoryAppendLog(bytes), { verify: 'full' }),
    (e) => isAirlockError(e, 'AUDIT_CORRUPT') && e.details?.['seq'] === 1,
  );
});

test('open_bad_header: a file that is not an audit log is AUDIT_CORRUPT', async () => {
  await assert.rejects(open(new MemoryAppendLog(new TextEncoder().encode('{"not":"a log"}\n'))), (e) => isAirlockError(e, 'AUDIT_CORRUPT'));
});

test('open_torn_header: a log whose creation was interrupted is restarted and the cut recorded', async () => {
  const log = new MemoryAppendLog(encodeHeader().subarray(0, 3));
  const sink = await open(log);
  assert.equal(sink.recovered?.reason, 'torn-header');
  await sink.close();
  assert.equal(readAuditLog(log.durable())[0]!.kind, 'recovery');
});

test('open_no_storage: a host without storage is HOST_UNSUPPORTED', async () => {
  await assert.rejects(openAuditLog({ crypto: nodeCrypto }, 'audit.log'), (e) => isAirlockError(e, 'HOST_UNSUPPORTED'));
});

test('open_read_failure: a log that cannot be read is AUDIT_IO', async () => {
  const log = new MemoryAppendLog();
  log.readAll = async () => {
    throw new Error('EACCES');
  };
  await assert.rejects(open(log), (e) => isAirlockError(e, 'AUDIT_IO'));
});
