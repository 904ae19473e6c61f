import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppendLog } from '@airlock/core';
import { isAirlockError } from '@airlock/core';
import { decisionEntry, nodeCrypto } from './helpers.test.js';
import { MemoryAppendLog } from './memory-append-log.js';
import { openAuditLog } from './open.js';
import { readAuditLog } from './read.js';
import { verifyAuditLog } from './verify.js';

/** A MemoryAppendLog whose syncs take `delayMs` and are counted; `failSync(n)` makes the n-th sync fail. */
class SlowLog extends MemoryAppendLog implements AppendLog {
  syncs = 0;
  inFlight = 0;
  maxInFlight = 0;
  appendSizes: number[] = [];
  failAt = -1;
  constructor(readonly delayMs = 5) {
    super();
  }
  override async append(data: Uint8Array): Promise<void> {
    this.appendSizes.push(data.length);
    await super.append(data);
  }
  override async sync(): Promise<void> {
    this.syncs += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.syncs === this.failAt) throw new Error('EIO: disk on fire');
      await super.sync();
    } finally {
      this.inFlight -= 1;
    }
  }
}

const open = (log: AppendLog) => openAuditLog({ crypto: nodeCrypto, storage: { openLog: async () => log } }, 'audit.log');

/** How many whole records the durable (synced) bytes hold. */
const durableRecords = (log: MemoryAppendLog) => verifyAuditLog(log.durable(), nodeCrypto).records;

test('group_commit_few_syncs: 256 concurrent appends share a handful of syncs', async () => {
  const log = new SlowLog();
  const sink = await open(log);
  const before = log.syncs;
  await Promise.all(Array.from({ length: 256 }, (_, i) => sink.append(decisionEntry(i))));
  assert.ok(log.syncs - before <= 2, `${log.syncs - before} syncs`);
  assert.equal(readAuditLog(log.durable()).length, 256);
});

test('group_commit_durable_before_resolve: every append resolves only after a sync covering it', async () => {
  const log = new SlowLog(2);
  const sink = await open(log);
  const checks: Promise<void>[] = [];
  for (let i = 0; i < 300; i++) {
    checks.push(sink.append(decisionEntry(i)).then((r) => assert.ok(durableRecords(log) > r.seq, `seq ${r.seq} resolved before sync`)));
    if (i % 37 === 0) await new Promise((r) => setTimeout(r, 1)); // arrivals spread across several syncs
  }
  await Promise.all(checks);
  assert.ok(log.syncs > 1);
});

test('group_commit_order: records are numbered and stored in call order', async () => {
  const log = new SlowLog(1);
  const sink = await open(log);
  const records = await Promise.all(Array.from({ length: 50 }, (_, i) => sink.append(decisionEntry(i))));
  assert.deepEqual(
    records.map((r) => r.callId),
    Array.from({ length: 50 }, (_, i) => `call-${i}`),
  );
  assert.deepEqual(
    readAuditLog(log.durable()).map((r) => r.callId),
    records.map((r) => r.callId),
  );
});

test('group_commit_one_sync_in_flight: arrivals during a sync wait for the next batch', async () => {
  const log = new SlowLog(10);
  const sink = await open(log);
  log.appendSizes = [];
  const first = sink.append(decisionEntry(0));
  await new Promise((r) => setTimeout(r, 3)); // first batch is now syncing
  const rest = Array.from({ length: 10 }, (_, i) => sink.append(decisionEntry(i + 1)));
  await Promise.all([first, ...rest]);
  assert.equal(log.maxInFlight, 1);
  assert.equal(log.appendSizes.length, 2, 'two batches');
  assert.ok(log.appendSizes[1]! > 5 * log.appendSizes[0]!, 'the ten latecomers went together');
});

test('group_commit_idle_flush: an idle sink writes at once, without waiting for a timer', async () => {
  const log = new MemoryAppendLog();
  const sink = await open(log);
  let timerFired = false;
  const timer = new Promise<void>((r) =>
    setTimeout(() => {
      timerFired = true;
      r();
    }, 0),
  );
  await sink.append(decisionEntry(0));
  assert.equal(timerFired, false);
  await timer;
});

test('group_commit_io_failure: a failed sync rejects its batch with AUDIT_IO and fails the sink', async () => {
  const log = new SlowLog(1);
  const sink = await open(log);
  await sink.append(decisionEntry(0));
  log.failAt = log.syncs + 1;
  const batch = Array.from({ length: 5 }, (_, i) => sink.append(decisionEntry(i + 1)));
  const results = await Promise.allSettled(batch);
  assert.ok(results.every((r) => r.status === 'rejected' && isAirlockError(r.reason, 'AUDIT_IO')));
  await assert.rejects(sink.append(decisionEntry(9)), (e) => isAirlockError(e, 'AUDIT_IO'));
  await assert.rejects(sink.close(), (e) => isAirlockError(e, 'AUDIT_IO'));
});

test('group_commit_close_flushes: close waits for queued appends to be durable', async () => {
  const log = new SlowLog(3);
  const sink = await open(log);
  const pending = Array.from({ length: 20 }, (_, i) => sink.append(decisionEntry(i)));
  await sink.close();
  assert.equal(durableRecords(log), 20);
  await Promise.all(pending);
  await assert.rejects(sink.append(decisionEntry(99)), (e) => isAirlockError(e, 'AUDIT_IO'));
});
