// importMemory: the one defined memory becomes an import with the same
// limits; nothing else moves; modules that cannot be pooled are left alone;
// malformed input is WASM_INVALID and never comes out valid.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AirlockError } from '@airlock/core';
import wabtInit from 'wabt';
import { type ImportMemoryResult, importMemory, meter } from './index.js';
import { assertInvalid, type Fn, Wasm, wat } from './test-helpers.test.js';

const wabt = await wabtInit();
const AT = { module: 'airlock', name: 'memory' };

interface ModuleApi {
  new (bytes: Uint8Array): object;
  imports(m: object): { module: string; name: string; kind: string }[];
  exports(m: object): { name: string; kind: string }[];
}
const Module = (globalThis as unknown as { WebAssembly: { Module: ModuleApi } }).WebAssembly.Module;

function pooled(r: ImportMemoryResult): Extract<ImportMemoryResult, { pooled: true }> {
  assert.ok(r.pooled, r.pooled ? '' : r.reason);
  return r;
}

/** A module with function and global imports, a table, data, and calls by index. */
const rich = wat(`(module
  (type $t (func (param i32) (result i32)))
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (import "env" "g" (global $g i32))
  (table 2 funcref)
  (memory (export "memory") 1 4)
  (global $h (mut i32) (i32.const 7))
  (elem (i32.const 0) $twice $inc)
  (data (i32.const 16) "secret-free data")
  (func $inc (type $t) (i32.add (local.get 0) (global.get $h)))
  (func (export "f") (param i32) (result i32)
    (i32.add
      (call_indirect (type $t) (call $twice (local.get 0)) (i32.const 1))
      (i32.add (global.get $g) (i32.load8_u (i32.const 16)))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);

describe('importMemory', () => {
  test('import_memory_appends_the_import_last_with_the_same_limits', () => {
    const r = pooled(importMemory(rich, AT));
    assert.equal(r.initialPages, 1);
    assert.equal(r.maximumPages, 4);
    assert.ok(Wasm.validate(r.bytes));
    const m = new Module(r.bytes);
    assert.deepEqual(
      Module.imports(m).map((i) => `${i.module}.${i.name}:${i.kind}`),
      ['env.twice:function', 'env.g:global', 'airlock.memory:memory'],
    );
    assert.ok(Module.exports(m).some((e) => e.name === 'memory' && e.kind === 'memory'));
  });

  test('import_memory_preserves_behaviour_and_indices', async () => {
    const r = pooled(importMemory(rich, AT));
    const env = { twice: (x: number) => 2 * x, g: 100 };
    const plain = (await Wasm.instantiate(rich, { env })).instance.exports;
    const memory = new Wasm.Memory({ initial: 1, maximum: 4 });
    const rewritten = (await Wasm.instantiate(r.bytes, { env, airlock: { memory } })).instance.exports;
    for (const x of [0, 1, 5, 1000]) assert.equal((rewritten['f'] as Fn)(x), (plain['f'] as Fn)(x));
    assert.equal(rewritten['memory'], memory, 'the exported memory is the one passed in');
    assert.equal(new TextDecoder().decode(new Uint8Array(memory.buffer, 16, 16)), 'secret-free data', 'data segments land in it');
    assert.equal((rewritten['grow'] as Fn)(3), 1);
    assert.equal((rewritten['grow'] as Fn)(1), -1, 'its maximum still holds');
  });

  test('import_memory_module_without_imports_gets_an_import_section_in_order', async () => {
    const bytes = wat('(module (type (func)) (memory 2) (func (export "size") (result i32) (memory.size)))');
    const r = pooled(importMemory(bytes, AT));
    assert.equal(r.maximumPages, undefined);
    assert.ok(Wasm.validate(r.bytes));
    const memory = new Wasm.Memory({ initial: 2, maximum: 3 });
    const ex = (await Wasm.instantiate(r.bytes, { airlock: { memory } })).instance.exports;
    assert.equal((ex['size'] as Fn)(), 2);
  });

  test('import_memory_custom_section_before_the_memory_stays_first', () => {
    // header, custom "n" ("A"), memory section (1 page)
    const bytes = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 0, 3, 1, 0x6e, 0x41, 5, 3, 1, 0, 1);
    const r = pooled(importMemory(bytes, AT));
    assert.ok(Wasm.validate(r.bytes));
    assert.deepEqual([...r.bytes.subarray(8, 13)], [0, 3, 1, 0x6e, 0x41], 'the custom section is copied first');
    assert.equal(r.bytes[13], 2, 'then the new import section');
  });

  test('import_memory_a_smaller_pooled_maximum_caps_growth', async () => {
    const r = pooled(importMemory(wat('(module (memory 1) (func (export "g") (param i32) (result i32) (memory.grow (local.get 0))))'), AT));
    const memory = new Wasm.Memory({ initial: 1, maximum: 2 });
    const ex = (await Wasm.instantiate(r.bytes, { airlock: { memory } })).instance.exports;
    assert.equal((ex['g'] as Fn)(2), -1);
    assert.equal((ex['g'] as Fn)(1), 1);
  });

  test('import_memory_then_meter_compose', async () => {
    const r = pooled(importMemory(rich, AT));
    const m = meter(r.bytes);
    assert.ok(Wasm.validate(m.bytes));
    const memory = new Wasm.Memory({ initial: 1, maximum: 4 });
    const ex = (await Wasm.instantiate(m.bytes, { env: { twice: (x: number) => 2 * x, g: 1 }, airlock: { memory } })).instance.exports;
    (ex[m.fuelGlobalExport] as { value: bigint }).value = 1000n;
    assert.equal((ex['f'] as Fn)(3), 3 * 2 + 7 + 1 + 's'.charCodeAt(0));
    assert.ok((ex[m.fuelGlobalExport] as { value: bigint }).value < 1000n);
  });

  test('import_memory_leaves_an_imported_memory_alone', () => {
    const r = importMemory(wat('(module (import "env" "mem" (memory 1)))'), AT);
    assert.deepEqual(r, { pooled: false, reason: 'the module imports its memory' });
  });

  test('import_memory_leaves_several_memories_alone', () => {
    const r = importMemory(wat('(module (memory 1) (memory 1))'), AT);
    assert.deepEqual(r, { pooled: false, reason: 'the module defines 2 memories' });
  });

  test('import_memory_leaves_a_shared_memory_alone', () => {
    const m = wabt.parseWat('t.wat', '(module (memory 1 2 shared))', { threads: true } as Parameters<typeof wabt.parseWat>[2]);
    const bytes = m.toBinary({}).buffer;
    m.destroy();
    assert.deepEqual(importMemory(bytes, AT), { pooled: false, reason: 'the memory is shared' });
  });

  test('import_memory_leaves_a_memoryless_module_alone', () => {
    assert.deepEqual(importMemory(wat('(module (func))'), AT), { pooled: false, reason: 'the module defines no memory' });
  });

  test('import_memory_leaves_a_module_using_the_import_name_alone', () => {
    const r = importMemory(wat('(module (import "airlock" "memory" (func)) (memory 1))'), AT);
    assert.equal(r.pooled, false);
  });

  test('import_memory_malformed_truncated_at_every_byte', () => {
    for (let n = 0; n < rich.length; n++) {
      const input = rich.subarray(0, n);
      let out: ImportMemoryResult;
      try {
        out = importMemory(input, AT);
      } catch (e) {
        assert.ok(e instanceof AirlockError && e.code === 'WASM_INVALID', `truncated to ${n}: ${String(e)}`);
        continue;
      }
      if (out.pooled) assert.equal(Wasm.validate(out.bytes), Wasm.validate(input), `truncated to ${n}: validity changed`);
    }
  });

  test('import_memory_malformed_limits_and_counts', () => {
    // (module (memory 2 1)): min above max.
    assertInvalid(() => importMemory(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 5, 4, 1, 1, 2, 1), AT), /minimum 2 above its maximum 1/);
    // An import section that announces more entries than it holds.
    assertInvalid(() => importMemory(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 2, 1, 9), AT), /import count 9 exceeds/);
    // An unknown import kind.
    assertInvalid(
      () => importMemory(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 2, 6, 1, 1, 97, 1, 98, 7, 5, 3, 1, 0, 1), AT),
      /unsupported import kind 7/,
    );
    assertInvalid(() => importMemory(Uint8Array.of(1, 2, 3), AT), /bad magic/);
  });
});
