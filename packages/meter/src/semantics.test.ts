// Semantic preservation: with enough fuel, a metered module computes exactly
// what the original does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type Fn, instantiateMetered, instantiatePlain, wat } from './test-helpers.test.js';

const fixtures = new URL('../../../test/fixtures/meter/', import.meta.url);
const PLENTY = 1n << 60n;

async function same(bytes: Uint8Array, name: string, args: unknown[]): Promise<unknown> {
  const plain = await instantiatePlain(bytes);
  const metered = await instantiateMetered(bytes, PLENTY);
  const want = (plain[name] as Fn)(...args);
  const got = (metered.exports[name] as Fn)(...args);
  assert.deepEqual(got, want);
  assert.ok(metered.fuel < PLENTY, 'some fuel was used');
  return got;
}

describe('bench kernels give the same results metered', () => {
  const cases: [string, unknown[], unknown][] = [
    ['fib', [20], 6765],
    ['loop-sum', [1000], 332833500],
    ['matmul', [12], undefined],
    ['sieve', [10000], 1229],
    ['copy-hash', [5000], undefined],
  ];
  for (const [file, args, expected] of cases) {
    test(`kernel_${file}`, async () => {
      const bytes = wat(readFileSync(new URL(`${file}.wat`, fixtures), 'utf8'));
      const got = await same(bytes, 'run', args);
      if (expected !== undefined) assert.equal(got, expected);
    });
  }
});

const kernels: Record<string, [string, unknown[]]> = {
  br_table_dispatch: [
    `(module (func (export "f") (param $n i32) (result i32) (local $acc i32) (local $i i32)
      (loop $l
        (block $d (block $c (block $b (block $a
          (br_table $a $b $c $d (i32.rem_u (local.get $i) (i32.const 5))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 1))) (br $d))
          (local.set $acc (i32.mul (local.get $acc) (i32.const 3))) (br $d))
          (local.set $acc (i32.xor (local.get $acc) (i32.const 0x55))) (br $d))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
      (local.get $acc)))`,
    [1000],
  ],
  call_indirect: [
    `(module (type $t (func (param i32) (result i32)))
      (table 3 funcref) (elem (i32.const 0) $inc $dbl $neg)
      (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
      (func $dbl (type $t) (i32.shl (local.get 0) (i32.const 1)))
      (func $neg (type $t) (i32.sub (i32.const 0) (local.get 0)))
      (func (export "f") (param $n i32) (result i32) (local $x i32) (local $i i32)
        (loop $l
          (local.set $x (call_indirect (type $t) (local.get $x) (i32.rem_u (local.get $i) (i32.const 3))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        (local.get $x)))`,
    [100],
  ],
  memory_fill_copy_init: [
    `(module (memory 1) (data $d "hello, metering")
      (func (export "f") (result i32)
        (memory.fill (i32.const 100) (i32.const 7) (i32.const 1000))
        (memory.copy (i32.const 2000) (i32.const 100) (i32.const 500))
        (memory.init $d (i32.const 3000) (i32.const 0) (i32.const 15))
        (data.drop $d)
        (i32.add (i32.add (i32.load8_u (i32.const 2499)) (i32.load8_u (i32.const 1099)))
          (i32.add (i32.load8_u (i32.const 3004)) (i32.load (i32.const 3007))))))`,
    [],
  ],
  i64_arithmetic: [
    `(module (func (export "f") (param $n i64) (result i64) (local $r i64)
      (local.set $r (i64.const 1))
      (loop $l
        (local.set $r (i64.rotl (i64.mul (local.get $r) (local.get $n)) (i64.const 7)))
        (local.set $r (i64.xor (local.get $r) (i64.shr_s (local.get $r) (i64.const 13))))
        (br_if $l (i64.ne (local.tee $n (i64.sub (local.get $n) (i64.const 1))) (i64.const 0))))
      (i64.add (local.get $r) (i64.extend32_s (i64.const 0x80000000)))))`,
    [25n],
  ],
  simd: [
    `(module (memory 1)
      (func (export "f") (param $x i32) (result i32)
        (v128.store (i32.const 16) (i32x4.add (i32x4.splat (local.get $x)) (v128.const i32x4 1 2 3 4)))
        (i32.add
          (i32x4.extract_lane 3 (i32x4.mul (v128.load (i32.const 16)) (v128.load offset=16 align=4 (i32.const 0))))
          (i32.add (i8x16.extract_lane_u 15 (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (v128.load (i32.const 16)) (v128.load (i32.const 16))))
            (i32x4.extract_lane 0 (v128.load32_lane 1 (i32.const 16) (v128.const i64x2 0 0)))))))`,
    [10],
  ],
  multi_value_block: [
    `(module (func (export "f") (param i32 i32) (result i32 i32)
      (local.get 0) (local.get 1)
      (block (param i32 i32) (result i32 i32)
        (drop) (drop) (local.get 1) (local.get 0) (br 0)))
      (func (export "g") (param $a i32) (param $b i32) (result i32)
        (call 0 (local.get $a) (local.get $b)) (i32.sub)))`,
    [3, 10],
  ],
  tail_calls: [
    `(module
      (func $even (export "f") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1)) (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
      (func $odd (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0)) (else (return_call $even (i32.sub (local.get 0) (i32.const 1)))))))`,
    [100001],
  ],
  sign_ext_sat_select_refs: [
    `(module (table 2 funcref) (elem declare func $f)
      (func $f (export "f") (param $x f32) (result i32)
        (i32.add
          (i32.add (i32.extend8_s (i32.trunc_sat_f32_s (local.get $x))) (i32.trunc_sat_f32_u (f32.const -5)))
          (i32.add
            (select (result i32) (i32.const 10) (i32.const 20) (ref.is_null (table.get (i32.const 1))))
            (i32.add (table.grow (ref.func $f) (i32.const 1)) (ref.is_null (ref.null extern)))))))`,
    [300.7],
  ],
  unreachable_code_after_branches: [
    `(module (memory 1)
      (func (export "f") (param $x i32) (result i32)
        (block $b (result i32)
          (br $b (i32.const 7))
          (memory.fill (i32.const 0) (i32.const 0) (i32.const 10))
          (i32.const 9))
        (block $c (result i32) (return (i32.add (local.get $x) (i32.const 1))) (unreachable))
        (drop)))`,
    [41],
  ],
};

describe('feature kernels give the same results metered', () => {
  for (const [name, [text, args]] of Object.entries(kernels)) {
    test(`kernel_${name}`, async () => {
      const bytes = wat(text);
      await same(bytes, 'f', args);
      if (name === 'multi_value_block') await same(bytes, 'g', args);
    });
  }
});
