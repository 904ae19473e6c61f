// What the rewrite changes and what it leaves alone: the fuel global is the
// last global and reachable only through the host's export name; indexes,
// custom sections and other exports are untouched.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_FUEL_EXPORT, meter } from './index.js';
import { assertFuelTrap, assertInvalid, type Fn, instantiateMetered, Wasm, wat } from './test-helpers.test.js';

const FUEL = 1n << 40n;

describe('module structure after metering', () => {
  test('structure_fuel_global_is_last_after_imported_and_defined_globals', async () => {
    const bytes = wat(`(module (import "env" "g" (global $g i32)) (global $h (mut i32) (i32.const 5))
      (func (export "f") (result i32) (global.set $h (i32.add (global.get $h) (global.get $g))) (global.get $h)))`);
    const r = meter(bytes);
    assert.equal(r.stats.fuelGlobalIndex, 2);
    assert.equal(r.fuelGlobalExport, DEFAULT_FUEL_EXPORT);
    const m = await instantiateMetered(bytes, FUEL, {}, { env: { g: new Wasm.Global({ value: 'i32' }, 10) } });
    assert.equal((m.exports['f'] as Fn)(), 15);
    assert.equal((m.exports['f'] as Fn)(), 25);
  });

  test('structure_fuel_export_name_is_the_hosts', async () => {
    const m = await instantiateMetered(wat('(module (func (export "f")))'), 7n, { fuelExport: 'host:fuel/7' });
    (m.exports['f'] as Fn)();
    assert.ok('host:fuel/7' in m.exports);
    assert.ok(!(DEFAULT_FUEL_EXPORT in m.exports));
  });

  test('structure_existing_export_with_the_fuel_name_is_refused', () => {
    assertInvalid(
      () => meter(wat('(module (func (export "fuel")))'), { fuelExport: 'fuel' }),
      /already exports the fuel export name "fuel"/,
    );
  });

  test('structure_guest_index_of_the_future_fuel_global_is_refused', () => {
    // `global.set 1` is out of range in a module with one global; after we
    // append the fuel global it would be a write to it. Refuse, do not fix.
    const ok = wat('(module (global (mut i32) (i32.const 0)) (func (global.set 0 (i32.const 1))))');
    const i = ok.lastIndexOf(0x24); // global.set
    const bad = ok.slice();
    bad[i + 1] = 1;
    assert.equal(Wasm.validate(bad), false);
    assertInvalid(() => meter(bad), /global index 1 out of range \(1 globals\)/);
  });

  test('structure_guest_export_of_the_future_fuel_global_is_refused', () => {
    const ok = wat('(module (global (export "g") i32 (i32.const 0)))');
    const bad = ok.slice();
    bad[bad.length - 1] = 1; // export global 0 → global 1
    assert.equal(Wasm.validate(bad), false);
    assertInvalid(() => meter(bad), /export of global 1 out of range/);
  });

  test('structure_guest_index_of_the_future_scratch_local_is_refused', () => {
    const ok = wat('(module (memory 1) (func (param i32) (drop (local.get 0)) (memory.fill (i32.const 0) (i32.const 0) (i32.const 1))))');
    const i = ok.indexOf(0x20); // local.get
    const bad = ok.slice();
    bad[i + 1] = 1;
    assert.equal(Wasm.validate(bad), false);
    assertInvalid(() => meter(bad), /local index 1 out of range/);
  });

  test('structure_module_without_globals_exports_or_code', async () => {
    const r = meter(wat('(module)'));
    assert.ok(Wasm.validate(r.bytes));
    const { instance } = await Wasm.instantiate(r.bytes);
    assert.equal((instance.exports[r.fuelGlobalExport] as { value: bigint }).value, 0n);
  });

  test('structure_custom_and_name_sections_are_copied_byte_for_byte', () => {
    const bytes = wat('(module (func $named (export "f") (local $x i32)))');
    // Append a custom section "airlock.test" with a payload.
    const name = [...'airlock.test'].map((c) => c.charCodeAt(0));
    const payload = [name.length, ...name, 1, 2, 3, 4];
    const withCustom = new Uint8Array([...bytes, 0, payload.length, ...payload]);
    const out = meter(withCustom).bytes;
    const tail = out.subarray(out.length - payload.length - 2);
    assert.deepEqual([...tail], [0, payload.length, ...payload]);
    assert.ok(Wasm.validate(out));
  });

  test('structure_start_function_runs_on_initial_fuel', async () => {
    const bytes = wat('(module (global $g (export "g") (mut i32) (i32.const 0)) (func $s (global.set $g (i32.const 42))) (start $s))');
    await assert.rejects(Wasm.instantiate(meter(bytes).bytes), /unreachable/);
    const r = meter(bytes, { initialFuel: 10 });
    const { instance } = await Wasm.instantiate(r.bytes);
    assert.equal((instance.exports['g'] as { value: number }).value, 42);
    assert.ok((instance.exports[r.fuelGlobalExport] as { value: bigint }).value < 10n);
  });

  test('structure_unknown_instructions_are_refused', () => {
    const ok = wat('(module (func (nop)))');
    const i = ok.lastIndexOf(0x01);
    for (const op of [0x06, 0x14, 0xd3, 0xfe, 0xc5]) {
      const bad = ok.slice();
      bad[i] = op;
      assertInvalid(() => meter(bad), /unknown instruction/);
    }
  });

  test('structure_multi_memory_memargs_decode', () => {
    const bytes = wat(`(module (memory 1) (memory $b 1)
      (func (export "f") (result i32) (i32.store $b offset=4 (i32.const 0) (i32.const 9)) (i32.load $b offset=4 (i32.const 0))))`);
    const store = [0x36, 0x42, 0x01, 0x04]; // i32.store, align 2 | memory-index flag, memory 1, offset 4
    const has = (b: Uint8Array): boolean => b.some((_, i) => store.every((x, j) => b[i + j] === x));
    assert.ok(has(bytes), 'the fixture uses a multi-memory memarg');
    const r = meter(bytes);
    assert.ok(has(r.bytes));
    assert.equal(r.stats.instructions, 6); // 3 consts, store, load, end
  });

  test('structure_simd_lane_and_memarg_immediates_decode', async () => {
    const m = await instantiateMetered(
      wat(`(module (memory 1) (func (export "f") (result i32)
        (v128.store64_lane offset=8 1 (i32.const 0) (v128.const i64x2 5 6))
        (i32.add (i32.load offset=8 (i32.const 0)) (i8x16.extract_lane_s 0 (v128.load8_splat (i32.const 8))))))`),
      FUEL,
    );
    assert.equal((m.exports['f'] as Fn)(), 12);
  });

  test('structure_zero_fuel_traps_immediately', async () => {
    const m = await instantiateMetered(wat('(module (func (export "f")))'), 0n);
    assertFuelTrap(() => (m.exports['f'] as Fn)());
  });
});
