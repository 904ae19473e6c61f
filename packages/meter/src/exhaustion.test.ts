// Running out of fuel: every way of doing unbounded work traps, at a
// predictable place, with the counter below zero.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { meter } from './index.js';
import { assertFuelTrap, type Fn, instantiateMetered, Wasm, wat } from './test-helpers.test.js';

async function exhausts(text: string, fuel: bigint, args: unknown[] = []): Promise<bigint> {
  const m = await instantiateMetered(wat(text), fuel);
  assertFuelTrap(() => (m.exports['f'] as Fn)(...args));
  assert.ok(m.fuel < 0n, `fuel is negative after the trap (${m.fuel})`);
  return m.fuel;
}

describe('unbounded work traps when the fuel runs out', () => {
  test('exhaust_infinite_loop', async () => {
    await exhausts('(module (func (export "f") (loop (br 0))))', 10_000n);
  });

  test('exhaust_deep_recursion_before_stack_overflow', async () => {
    // 1000 units cannot pay for the ~10k frames a stack overflow needs.
    await exhausts('(module (func $r (export "f") (call $r)))', 1000n);
  });

  test('exhaust_br_table_loop', async () => {
    await exhausts('(module (func (export "f") (param i32) (loop $l (block $b (br_table $l $b $l (local.get 0))))))', 10_000n, [0]);
  });

  test('exhaust_call_indirect_loop', async () => {
    await exhausts(
      `(module (type $t (func)) (table 1 funcref) (elem (i32.const 0) $f)
        (func $f (export "f") (call_indirect (type $t) (i32.const 0))))`,
      10_000n,
    );
  });

  test('exhaust_return_call_loop', async () => {
    await exhausts('(module (func $f (export "f") (return_call $f)))', 10_000n);
  });

  test('exhaust_huge_memory_fill_is_refused_before_it_runs', async () => {
    const m = await instantiateMetered(
      wat(`(module (memory (export "mem") 64)
        (func (export "f") (memory.fill (i32.const 0) (i32.const 0xaa) (i32.const 0x400000))))`),
      1000n,
    );
    assertFuelTrap(() => (m.exports['f'] as Fn)());
    const mem = new Uint8Array((m.exports['mem'] as { buffer: ArrayBuffer }).buffer);
    assert.equal(mem[0], 0, 'nothing was written');
    // 5 units (the call, 3 consts, the fill), and 4 MiB at 1 unit
    // per 16 bytes: 262144 units, charged in one step before the fill.
    assert.equal(m.fuel, 1000n - 5n - 262144n);
  });

  test('exhaust_huge_memory_copy', async () => {
    await exhausts('(module (memory 64) (func (export "f") (memory.copy (i32.const 0) (i32.const 1) (i32.const 0x3fffff))))', 1000n);
  });

  test('exhaust_memory_grow_loop', async () => {
    // Growth fails (-1) past the cap, but each attempt still pays its pages.
    const m = await instantiateMetered(
      wat('(module (memory 1) (func (export "f") (loop (drop (memory.grow (i32.const 1))) (br 0))))'),
      1_000_000n,
      { maxMemoryPages: 4 },
    );
    assertFuelTrap(() => (m.exports['f'] as Fn)());
    assert.ok(m.fuel < 0n);
  });
});

describe('fuel accounting is exact and deterministic', () => {
  const sum = `(module (func (export "f") (param $n i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $s)))`;

  test('fuel_charges_one_unit_per_instruction', async () => {
    // The call (1), 10 instructions per iteration, then `local.get $s`: 10n + 2.
    const m = await instantiateMetered(wat(sum), 1000n);
    assert.equal((m.exports['f'] as Fn)(5), 15);
    assert.equal(m.fuel, 1000n - 52n);
  });

  test('fuel_exact_budget_succeeds_one_less_traps', async () => {
    const ok = await instantiateMetered(wat(sum), 52n);
    assert.equal((ok.exports['f'] as Fn)(5), 15);
    assert.equal(ok.fuel, 0n);
    const short = await instantiateMetered(wat(sum), 51n);
    // The loop header of the 5th iteration (51 used) leaves exactly 0 and
    // passes; the after-loop charge (1) brings it to -1, and no check follows
    // before the function returns: overdraft is caught at the next check.
    assert.equal((short.exports['f'] as Fn)(5), 15);
    assert.equal(short.fuel, -1n);
    assertFuelTrap(() => (short.exports['f'] as Fn)(5));
  });

  test('fuel_trap_point_is_identical_across_runs', async () => {
    const fib = `(module (func $fib (export "f") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`;
    const seen = new Set<bigint>();
    for (let run = 0; run < 5; run++) seen.add(await exhausts(fib, 123_457n, [30]));
    assert.equal(seen.size, 1, `one remaining-fuel value at the trap: ${[...seen].join(', ')}`);
    // And a completed call uses the same fuel every time, on a reused instance too.
    const m = await instantiateMetered(wat(fib), 1n << 40n);
    const used = new Set<bigint>();
    for (let run = 0; run < 5; run++) {
      m.fuel = 1n << 40n;
      (m.exports['f'] as Fn)(15);
      used.add((1n << 40n) - m.fuel);
    }
    assert.equal(used.size, 1);
  });

  test('fuel_is_synced_around_host_calls_inside_loops', async () => {
    // The loop keeps fuel in a local; a host import must see the current
    // value, and a host that charges for its own work must be obeyed.
    const seen: bigint[] = [];
    let fuel: { value: unknown } | undefined;
    const imports = {
      env: {
        host: () => {
          seen.push(fuel!.value as bigint);
          fuel!.value = (fuel!.value as bigint) - 1000n;
        },
      },
    };
    const bytes = wat(`(module (import "env" "host" (func $h))
      (func (export "f") (param $n i32) (loop $l (call $h) (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))`);
    const r = meter(bytes);
    const { instance } = await Wasm.instantiate(r.bytes, imports);
    fuel = instance.exports[r.fuelGlobalExport] as { value: unknown };
    fuel.value = 10_000n;
    (instance.exports['f'] as Fn)(3);
    // Entry 1; each iteration 6 units (call, 4 for the counter, br_if), charged before the call.
    assert.deepEqual(seen, [9993n, 8987n, 7981n]);
    assert.equal(fuel.value, 10_000n - 3n * 1000n - 1n - 3n * 6n);
    fuel.value = 2500n;
    assertFuelTrap(() => (instance.exports['f'] as Fn)(100));
    assert.ok((fuel.value as bigint) < 0n);
  });

  test('fuel_zero_by_default_traps_the_first_call', async () => {
    const m = await instantiateMetered(wat('(module (func (export "f")))'), 0n);
    assertFuelTrap(() => (m.exports['f'] as Fn)());
  });
});
