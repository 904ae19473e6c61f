import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '@airlock/core';
import { GENESIS_PREV } from './format.js';
import { decisionEntry } from './helpers.test.js';
import { toJsonLines } from './json-lines.js';

const record = (seq: number, input?: unknown): AuditRecord => ({
  ...decisionEntry(seq),
  seq,
  prev: GENESIS_PREV,
  ...(input ? { input } : {}),
});

test('jsonl_lines: one JSON object per line, each ending in a newline', () => {
  const text = toJsonLines([record(0), record(1, { text: 'multi\nline' })]);
  const lines = text.split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  assert.equal(JSON.parse(lines[1]!).input.text, 'multi\nline');
});

test('jsonl_bigint: a bigint becomes a decimal string, not a throw', () => {
  const line = toJsonLines([record(0, { n: 2n ** 70n })]);
  assert.equal(JSON.parse(line).input.n, '1180591620717411303424');
});

test('jsonl_bytes: Uint8Array and Buffer become base64 strings', () => {
  const line = toJsonLines([record(0, { a: Uint8Array.of(1, 2, 3), b: Buffer.from('hi') })]);
  assert.deepEqual(JSON.parse(line).input, { a: 'AQID', b: 'aGk=' });
});

test('jsonl_empty: no records give an empty string', () => {
  assert.equal(toJsonLines([]), '');
});
