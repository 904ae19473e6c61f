// LEB128 decoding is exactly as strict as the binary format.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Reader } from './reader.js';
import { assertInvalid } from './test-helpers.test.js';
import { Writer } from './writer.js';

const r = (...b: number[]): Reader => new Reader(new Uint8Array(b));

describe('LEB128', () => {
  test('leb_u32_accepts_canonical_and_padded_forms', () => {
    assert.equal(r(0x00).u32(), 0);
    assert.equal(r(0xe5, 0x8e, 0x26).u32(), 624485);
    assert.equal(r(0x80, 0x80, 0x80, 0x80, 0x00).u32(), 0, 'padded to 5 bytes');
    assert.equal(r(0xff, 0xff, 0xff, 0xff, 0x0f).u32(), 0xffffffff);
  });

  test('leb_u32_rejects_overflow_and_overlong', () => {
    assertInvalid(() => r(0xff, 0xff, 0xff, 0xff, 0x1f).u32(), /u32 LEB128 overflow/);
    assertInvalid(() => r(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32(), /overflow/);
    assertInvalid(() => r(0x80, 0x80).u32(), /unexpected end inside a LEB128 number \(at byte 0\)/);
    assertInvalid(() => r().u32(), /unexpected end/);
  });

  test('leb_s32_sign_and_overflow', () => {
    assert.equal(r(0x7f).sleb(32), -1);
    assert.equal(r(0x80, 0x7f).sleb(32), -128);
    assert.equal(r(0xff, 0xff, 0xff, 0xff, 0x07).sleb(32), 0x7fffffff);
    assert.equal(r(0x80, 0x80, 0x80, 0x80, 0x78).sleb(32), -0x80000000);
    assertInvalid(() => r(0xff, 0xff, 0xff, 0xff, 0x0f).sleb(32), /s32 LEB128 overflow/);
    assertInvalid(() => r(0x80, 0x80, 0x80, 0x80, 0x70).sleb(32), /s32 LEB128 overflow/);
  });

  test('leb_s64_last_byte_is_0x00_or_0x7f', () => {
    const nine = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80];
    r(...nine, 0x00).sleb(64);
    r(...nine, 0x7f).sleb(64);
    assertInvalid(() => r(...nine, 0x01).sleb(64), /s64 LEB128 overflow/);
    assertInvalid(() => r(...nine, 0x80, 0x00).sleb(64), /s64 LEB128 overflow/);
  });

  test('leb_s33_block_type_index', () => {
    assert.equal(r(0x80, 0x80, 0x80, 0x80, 0x0f).sleb(33), 0xf0000000);
    assertInvalid(() => r(0x80, 0x80, 0x80, 0x80, 0x2f).sleb(33), /s33 LEB128 overflow/);
  });

  test('leb_writer_round_trips', () => {
    for (const x of [0, 1, 63, 64, 127, 128, 8191, 8192, 2 ** 31 - 1, -1, -64, -65, -(2 ** 31), 2 ** 40, -(2 ** 50)]) {
      const w = new Writer(4);
      w.sleb(x);
      assert.equal(new Reader(w.finish()).sleb(64), x);
    }
    for (const x of [0, 127, 128, 2 ** 21, 2 ** 32 - 1]) {
      const w = new Writer(4);
      w.u32(x);
      assert.equal(new Reader(w.finish()).u32(), x);
    }
  });

  test('vector_count_is_capped_by_bytes_left', () => {
    assertInvalid(() => r(0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0).count('type', 3), /type count 4294967295 exceeds the 2 bytes left/);
  });
});
