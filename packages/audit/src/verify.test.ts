import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { concat, frames, makeLog, nodeCrypto } from './helpers.test.js';
import { verifyAuditLog } from './verify.js';

let log: Uint8Array;
let other: Uint8Array;
before(async () => {
  log = await makeLog(10);
  other = await makeLog(10, 'another-session');
});

const verify = (bytes: Uint8Array) => verifyAuditLog(bytes, nodeCrypto);
const flip = (bytes: Uint8Array, at: number, mask = 0x01) => {
  const copy = bytes.slice();
  copy[at]! ^= mask;
  return copy;
};

test('verify_intact: a clean log verifies, with every record counted', () => {
  const report = verify(log);
  assert.equal(report.ok, true);
  assert.equal(report.records, 10);
  assert.equal(report.firstBad, undefined);
});

test('verify_payload_byte: a changed payload byte in record 4 is reported as mutated at seq 4', () => {
  const f = frames(log)[4]!;
  const report = verify(flip(log, f.start + 20));
  assert.equal(report.firstBad?.reason, 'mutated');
  assert.equal(report.firstBad?.seq, 4);
  assert.equal(report.firstBad?.offset, f.start);
  assert.equal(report.records, 4);
});

test('verify_length_low_byte: a changed low length byte in record 4 is mutated at seq 4', () => {
  const f = frames(log)[4]!;
  assert.deepEqual(pick(verify(flip(log, f.start + 3))), { reason: 'mutated', seq: 4 });
});

test('verify_length_high_byte: a huge length in record 4 is mutated at seq 4, not a torn tail', () => {
  const f = frames(log)[4]!;
  assert.deepEqual(pick(verify(flip(log, f.start, 0x80))), { reason: 'mutated', seq: 4 });
});

test('verify_length_past_end: a length running past the end, with records after, is mutated, not torn', () => {
  const f = frames(log)[8]!;
  assert.deepEqual(pick(verify(flip(log, f.start + 2, 0x04))), { reason: 'mutated', seq: 8 });
});

test('verify_seal_byte: a changed seal byte in record 4 is mutated at seq 4', () => {
  const f = frames(log)[4]!;
  assert.deepEqual(pick(verify(flip(log, f.end - 1))), { reason: 'mutated', seq: 4 });
});

test('verify_last_record_changed: a change in the final record is caught (the seal covers it)', () => {
  const f = frames(log)[9]!;
  assert.deepEqual(pick(verify(flip(log, f.start + 30))), { reason: 'mutated', seq: 9 });
});

test('verify_missing: a record removed from the middle is missing at its seq', () => {
  const fs = frames(log);
  const cut = concat(log.subarray(0, fs[4]!.start), log.subarray(fs[4]!.end));
  assert.deepEqual(pick(verify(cut)), { reason: 'missing', seq: 4 });
});

test('verify_missing_head: the first record removed is missing at seq 0', () => {
  const fs = frames(log);
  const cut = concat(log.subarray(0, fs[0]!.start), log.subarray(fs[0]!.end));
  assert.deepEqual(pick(verify(cut)), { reason: 'missing', seq: 0 });
});

test('verify_reordered: two records swapped are reordered at the first one', () => {
  const fs = frames(log);
  const [a, b] = [fs[4]!, fs[5]!];
  const swapped = concat(log.subarray(0, a.start), log.subarray(b.start, b.end), log.subarray(a.start, a.end), log.subarray(b.end));
  assert.deepEqual(pick(verify(swapped)), { reason: 'reordered', seq: 4 });
});

test('verify_replayed: a record repeated later is reordered at the repeat', () => {
  const fs = frames(log);
  const replay = concat(log.subarray(0, fs[6]!.start), log.subarray(fs[2]!.start, fs[2]!.end), log.subarray(fs[6]!.start));
  assert.deepEqual(pick(verify(replay)), { reason: 'reordered', seq: 6 });
});

test('verify_spliced: records from another log in place of 4–6 are spliced at seq 4', () => {
  const fs = frames(log);
  const os = frames(other);
  const spliced = concat(log.subarray(0, fs[4]!.start), other.subarray(os[4]!.start, os[6]!.end), log.subarray(fs[6]!.end));
  assert.deepEqual(pick(verify(spliced)), { reason: 'spliced', seq: 4 });
});

test('verify_torn: a log cut mid-record is torn at the cut record', () => {
  const f = frames(log)[9]!;
  const report = verify(log.subarray(0, f.start + 17));
  assert.deepEqual(pick(report), { reason: 'torn', seq: 9 });
  assert.equal(report.firstBad?.offset, f.start);
});

test('verify_torn_length: a log cut inside a length field is torn', () => {
  const f = frames(log)[9]!;
  assert.deepEqual(pick(verify(log.subarray(0, f.start + 2))), { reason: 'torn', seq: 9 });
});

test('verify_zero_tail: a zero-filled tail (file extended, data lost) is torn', () => {
  const report = verify(concat(log, new Uint8Array(300)));
  assert.deepEqual(pick(report), { reason: 'torn', seq: 10 });
});

test('verify_whole_record_truncation: cutting whole records off the end is NOT detectable by the chain', () => {
  const report = verify(log.subarray(0, frames(log)[7]!.end));
  assert.equal(report.ok, true);
  assert.equal(report.records, 8);
});

test('verify_bad_header: a file that is not an audit log is bad-header', () => {
  const json = new TextEncoder().encode('{"seq":0}\n');
  assert.deepEqual(pick(verify(json)), { reason: 'bad-header', seq: 0 });
});

test('verify_unknown_version: a later format version is bad-header, with the version in the message', () => {
  const report = verify(flip(log, 7, 0x03));
  assert.equal(report.firstBad?.reason, 'bad-header');
  assert.match(report.firstBad?.message ?? '', /version 2/);
});

test('verify_empty_log: a header and no records verifies with zero records', () => {
  const report = verify(log.subarray(0, 8));
  assert.equal(report.ok, true);
  assert.equal(report.records, 0);
});

function pick(report: ReturnType<typeof verify>) {
  assert.equal(report.ok, false, 'expected a failure');
  return { reason: report.firstBad?.reason, seq: report.firstBad?.seq };
}
