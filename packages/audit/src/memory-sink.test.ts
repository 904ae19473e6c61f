import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAirlockError } from '@airlock/core';
import { GENESIS_PREV, HEADER_BYTES, LENGTH_BYTES, SEAL_BYTES } from './format.js';
import { decisionEntry, frames, nodeCrypto } from './helpers.test.js';
import { hex } from './hex.js';
import { MemoryAuditSink } from './memory-sink.js';
import { readAuditLog } from './read.js';

test('memory_sink_numbers: seq counts from 0 in call order', async () => {
  const sink = new MemoryAuditSink(nodeCrypto);
  const records = await Promise.all([0, 1, 2].map((i) => sink.append(decisionEntry(i))));
  assert.deepEqual(
    records.map((r) => r.seq),
    [0, 1, 2],
  );
  assert.equal(sink.records, 3);
});

test('memory_sink_chain: prev is 64 zeros, then the SHA-256 of the previous frame (length + payload)', async () => {
  const sink = new MemoryAuditSink(nodeCrypto);
  const r0 = await sink.append(decisionEntry(0));
  const r1 = await sink.append(decisionEntry(1));
  assert.equal(r0.prev, GENESIS_PREV);
  const bytes = sink.bytes();
  const [f0] = frames(bytes);
  const hashed = bytes.subarray(f0!.start, f0!.end - SEAL_BYTES);
  assert.equal(r1.prev, hex(nodeCrypto.sha256(hashed)));
  assert.deepEqual(bytes.slice(f0!.end - SEAL_BYTES, f0!.end), new Uint8Array(nodeCrypto.sha256(hashed).subarray(0, SEAL_BYTES)), 'seal');
  assert.ok(hashed.length > LENGTH_BYTES);
});

test('memory_sink_bytes: the log is a header then frames, and reads back the appended records', async () => {
  const sink = new MemoryAuditSink(nodeCrypto);
  const appended = [await sink.append(decisionEntry(0)), await sink.append(decisionEntry(1))];
  const bytes = sink.bytes();
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 6)), 'AIRAUD');
  assert.equal(frames(bytes)[0]!.start, HEADER_BYTES);
  assert.deepEqual(readAuditLog(bytes), appended);
});

test('memory_sink_closed: append after close rejects with AUDIT_IO', async () => {
  const sink = new MemoryAuditSink(nodeCrypto);
  await sink.close();
  await assert.rejects(sink.append(decisionEntry(0)), (e) => isAirlockError(e, 'AUDIT_IO'));
});

test('memory_sink_unencodable: an entry CBOR cannot carry rejects with AUDIT_IO and takes no seq', async () => {
  const sink = new MemoryAuditSink(nodeCrypto);
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  const bad = { ...decisionEntry(0), input: cyclic };
  await assert.rejects(sink.append(bad), (e) => isAirlockError(e, 'AUDIT_IO'));
  assert.equal((await sink.append(decisionEntry(1))).seq, 0);
});
