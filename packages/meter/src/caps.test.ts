// Memory and table caps: the maximum of every memory and table, defined or
// imported, is lowered to the cap, so growth past it fails.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { meter } from './index.js';
import { assertInvalid, type Fn, instantiateMetered, Wasm, wat } from './test-helpers.test.js';

const FUEL = 1n << 40n;

describe('memory and table caps', () => {
  test('cap_memory_grow_beyond_cap_returns_minus_one', async () => {
    const m = await instantiateMetered(
      wat('(module (memory 1) (func (export "f") (param i32) (result i32) (memory.grow (local.get 0))))'),
      FUEL,
      {
        maxMemoryPages: 3,
      },
    );
    const grow = m.exports['f'] as Fn;
    assert.equal(grow(2), 1, 'to 3 pages: allowed');
    assert.equal(grow(1), -1, 'to 4 pages: refused');
    assert.equal(grow(0), 3);
  });

  test('cap_keeps_a_lower_existing_maximum', async () => {
    const m = await instantiateMetered(
      wat('(module (memory 1 2) (func (export "f") (param i32) (result i32) (memory.grow (local.get 0))))'),
      FUEL,
      {
        maxMemoryPages: 100,
      },
    );
    assert.equal((m.exports['f'] as Fn)(2), -1);
    assert.equal((m.exports['f'] as Fn)(1), 1);
  });

  test('cap_memory_minimum_above_cap_is_refused', () => {
    assertInvalid(() => meter(wat('(module (memory 10))'), { maxMemoryPages: 4 }), /memory 0 needs at least 10, above the cap of 4/);
  });

  test('cap_table_grow_beyond_cap_returns_minus_one', async () => {
    const m = await instantiateMetered(
      wat('(module (table 1 funcref) (func (export "f") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))'),
      FUEL,
      { maxTablesElements: 5 },
    );
    assert.equal((m.exports['f'] as Fn)(4), 1);
    assert.equal((m.exports['f'] as Fn)(1), -1);
  });

  test('cap_imported_memory_declares_the_cap', async () => {
    const bytes = wat('(module (import "env" "mem" (memory 1)) (func (export "f") (param i32) (result i32) (memory.grow (local.get 0))))');
    const { bytes: out, stats } = meter(bytes, { maxMemoryPages: 2 });
    assert.equal(stats.memoriesCapped, 1);
    // An unbounded memory no longer satisfies the import…
    await assert.rejects(Wasm.instantiate(out, { env: { mem: new Wasm.Memory({ initial: 1 }) } }), /LinkError|maximum/);
    // …a capped one does.
    const ok = await instantiateMetered(bytes, FUEL, { maxMemoryPages: 2 }, { env: { mem: new Wasm.Memory({ initial: 1, maximum: 2 }) } });
    assert.equal((ok.exports['f'] as Fn)(1), 1);
    assert.equal((ok.exports['f'] as Fn)(1), -1);
  });

  test('cap_out_of_range_maximum_stays_invalid', () => {
    // max 70000 pages is invalid; capping it to 4 must not make it valid.
    const bytes = wat('(module (memory 1 2))');
    const i = bytes.indexOf(0x05); // memory section id
    const bad = new Uint8Array([...bytes.subarray(0, i), 0x05, 0x06, 0x01, 0x01, 0x01, 0xf0, 0xa2, 0x04, ...bytes.subarray(i + 6)]);
    assert.equal(Wasm.validate(bad), false);
    assertInvalid(() => meter(bad, { maxMemoryPages: 4 }), /maximum 70000 above 65536/);
  });

  test('cap_options_are_checked', () => {
    for (const maxMemoryPages of [-1, 1.5, 65537, Number.NaN]) {
      assert.throws(() => meter(wat('(module)'), { maxMemoryPages }), { code: 'ARGS_INVALID' });
    }
  });
});
