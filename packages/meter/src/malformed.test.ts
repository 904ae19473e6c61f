// Hostile input: truncated, mutated and lying modules give WASM_INVALID (and
// nothing else), in linear time, and never turn into valid modules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AirlockError } from '@airlock/core';
import { meter } from './index.js';
import { assertInvalid, Wasm, wat } from './test-helpers.test.js';

/** A small module touching every section and most instruction shapes. */
const rich = wat(`(module
  (type $t (func (param i32) (result i32)))
  (import "env" "mem" (memory 1 4))
  (import "env" "g" (global $g i32))
  (table 2 funcref)
  (global $h (mut i64) (i64.const -7))
  (export "f" (func $f))
  (export "h" (global $h))
  (elem (i32.const 0) $f $f)
  (data (i32.const 16) "abc")
  (func $f (type $t) (local $x i32) (local v128)
    (block $out (loop $l
      (br_if $out (i32.eqz (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_table $l $out (local.get 0))))
    (memory.fill (i32.const 0) (i32.const 1) (local.get 0))
    (drop (i32x4.extract_lane 1 (i32x4.splat (global.get $g))))
    (if (result i32) (local.get 0) (then (call_indirect (type $t) (i32.const 1) (i32.const 0))) (else (i32.const 3)))))`);

const simple = wat(
  '(module (memory 1) (func (export "f") (param i32) (result i32) (loop (br_if 0 (local.get 0))) (memory.grow (local.get 0))))',
);

/**
 * The property every input must satisfy: meter throws WASM_INVALID or
 * returns; an invalid input never comes out valid, and a valid input that
 * meter accepts comes out valid.
 */
function check(input: Uint8Array, label: string): void {
  const before = Wasm.validate(input);
  let out: Uint8Array;
  try {
    out = meter(input, { maxMemoryPages: 8, maxTablesElements: 100 }).bytes;
  } catch (e) {
    if (!(e instanceof AirlockError) || e.code !== 'WASM_INVALID') {
      assert.fail(`${label}: expected WASM_INVALID, got ${e instanceof Error ? e.stack : String(e)}`);
    }
    return;
  }
  const after = Wasm.validate(out);
  if (!before) assert.equal(after, false, `${label}: an invalid module came out valid`);
  else assert.equal(after, true, `${label}: a valid module came out invalid`);
}

/** xorshift32: a reproducible stream of pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe('malformed input', () => {
  test('malformed_truncated_at_every_byte', () => {
    for (const m of [rich, simple]) for (let n = 0; n < m.length; n++) check(m.subarray(0, n), `truncated to ${n}`);
  });

  test('malformed_random_byte_flips_and_edits', () => {
    const next = rng(0xa1e10c);
    let n = 0;
    for (const m of [rich, simple]) {
      for (let k = 0; k < 4000; k++) {
        const b = m.slice();
        const edits = 1 + (next() % 3);
        for (let e = 0; e < edits; e++) {
          const i = 8 + (next() % (b.length - 8));
          const how = next() % 4;
          if (how === 0) b[i] = next() & 0xff;
          else if (how === 1) b[i]! ^= 1 << (next() % 8);
          else if (how === 2) b[i] = [0x00, 0x7f, 0x80, 0xff, 0x0b, 0x40][next() % 6]!;
          else b[i] = (b[i]! + 1) & 0xff;
        }
        check(b, `mutation ${k}`);
        n++;
      }
    }
    assert.equal(n, 8000);
  });

  test('malformed_huge_counts_are_refused_without_allocating', () => {
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const huge = [0xff, 0xff, 0xff, 0xff, 0x0f];
    assertInvalid(() => meter(new Uint8Array([...header, 1, 5, ...huge])), /type count 4294967295 exceeds/);
    assertInvalid(() => meter(new Uint8Array([...header, 1, ...huge, 0])), /section 1 declares 4294967295 bytes but 1 are left/);
    assertInvalid(() => meter(new Uint8Array([...header, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])), /overflow/);
    // Two local runs of 2^32-1 each: more locals than the index space holds.
    const body = [0x02, ...huge, 0x7f, ...huge, 0x7f, 0x0b];
    const code = [0x01, body.length, ...body];
    const mod = [...header, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, code.length, ...code];
    assertInvalid(() => meter(new Uint8Array(mod)), /too many locals/);
    // A br_table claiming 2^32-1 labels.
    const body2 = [0x00, 0x41, 0x00, 0x0e, ...huge, 0x0b];
    const code2 = [0x01, body2.length, ...body2];
    assertInvalid(
      () => meter(new Uint8Array([...header, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, code2.length, ...code2])),
      /br_table label count/,
    );
  });

  test('malformed_deep_nesting_is_linear_without_recursion', () => {
    const depth = 200_000;
    const body = new Uint8Array(1 + depth * 3 + 1);
    body[0] = 0; // no locals
    for (let i = 0; i < depth; i++) {
      body[1 + i * 2] = 0x03; // loop
      body[2 + i * 2] = 0x40;
      body[1 + depth * 2 + i] = 0x0b;
    }
    body[body.length - 1] = 0x0b;
    const size = [];
    for (let v = body.length; ; ) {
      const b = v & 0x7f;
      v >>>= 7;
      size.push(v ? b | 0x80 : b);
      if (!v) break;
    }
    const codeLen = 1 + size.length + body.length;
    const codeSize = [(codeLen & 0x7f) | 0x80, ((codeLen >>> 7) & 0x7f) | 0x80, codeLen >>> 14];
    const mod = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, ...codeSize, 1, ...size, ...body]);
    const t0 = performance.now();
    const r = meter(mod);
    const ms = performance.now() - t0;
    assert.equal(r.stats.checks, depth + 1, 'a check per loop header and one at entry');
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
    assert.equal(Wasm.validate(r.bytes), Wasm.validate(mod));
  });

  test('malformed_not_wasm_and_components_are_refused', () => {
    assertInvalid(() => meter(new Uint8Array([0x7f, 0x45, 0x4c, 0x46])), /bad magic number\) \(at byte 0\)/);
    assertInvalid(() => meter(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00])), /unsupported binary version/);
  });
});
