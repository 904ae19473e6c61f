/**
 * Fuzzing verification and reading: whatever the bytes, they return a
 * report (never throw), and every single-byte change to a real log is found
 * at the record that holds the byte. Seeded, so a failure reproduces.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { encodeHeader, HEADER_BYTES } from './format.js';
import { concat, frames, makeLog, nodeCrypto } from './helpers.test.js';
import { readAuditLogPartial } from './read.js';
import { verifyAuditLog } from './verify.js';

/** mulberry32: a tiny seeded PRNG. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let log: Uint8Array;
let bounds: { start: number; end: number }[];
before(async () => {
  log = await makeLog(8);
  bounds = frames(log);
});

const recordAt = (offset: number) => bounds.findIndex((f) => offset >= f.start && offset < f.end);

test('fuzz_random_bytes: random inputs (with and without a valid header) give a report, never a throw', () => {
  const random = rng(1);
  for (let i = 0; i < 2000; i++) {
    const body = Uint8Array.from({ length: Math.floor(random() * 600) }, () => Math.floor(random() * 256));
    for (const bytes of [body, concat(encodeHeader(), body)]) {
      const report = verifyAuditLog(bytes, nodeCrypto);
      assert.equal(typeof report.ok, 'boolean');
      readAuditLogPartial(bytes);
    }
  }
});

test('fuzz_frame_like_garbage: valid headers and lengths around random CBOR-ish payloads never throw', () => {
  const random = rng(2);
  for (let i = 0; i < 2000; i++) {
    const len = 1 + Math.floor(random() * 64);
    const frame = new Uint8Array(4 + len + 8);
    new DataView(frame.buffer).setUint32(0, len);
    for (let j = 4; j < frame.length; j++) frame[j] = Math.floor(random() * 256);
    frame[4] = 0xa0 + Math.floor(random() * 28);
    const report = verifyAuditLog(concat(encodeHeader(), frame, frame), nodeCrypto);
    assert.equal(report.ok, false);
  }
});

test('fuzz_truncation: every cut is either a clean record boundary (ok) or torn at the cut record', () => {
  for (let cut = 0; cut < log.length; cut++) {
    const report = verifyAuditLog(log.subarray(0, cut), nodeCrypto);
    const boundary = cut === HEADER_BYTES || bounds.some((f) => f.end === cut);
    if (boundary) {
      assert.equal(report.ok, true, `cut at ${cut}`);
    } else {
      assert.equal(report.firstBad?.reason, 'torn', `cut at ${cut}`);
      const expected = cut < HEADER_BYTES ? 0 : bounds.findIndex((f) => cut > f.start && cut < f.end);
      assert.equal(report.firstBad?.seq, expected, `cut at ${cut}`);
    }
    assert.ok(readAuditLogPartial(log.subarray(0, cut)).records.length <= bounds.length);
  }
});

test('fuzz_every_byte_flip: changing any one byte of a real log is detected at the record holding it', () => {
  const random = rng(3);
  for (let at = 0; at < log.length; at++) {
    const copy = log.slice();
    copy[at]! ^= 1 + Math.floor(random() * 255);
    const report = verifyAuditLog(copy, nodeCrypto);
    assert.equal(report.ok, false, `flip at byte ${at} went unnoticed`);
    const expected = at < HEADER_BYTES ? 0 : recordAt(at);
    assert.equal(report.firstBad?.seq, expected, `flip at byte ${at}: ${report.firstBad?.message}`);
    readAuditLogPartial(copy);
  }
});
