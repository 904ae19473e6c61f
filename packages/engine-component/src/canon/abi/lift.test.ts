/**
 * canon lift (guest exports) seen from the guest's side: the test's JS
 * "core export" inspects the flat arguments and memory the generated code
 * produced and writes results by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ValType } from '../types.js';
import { compiledCount } from './compile.js';
import { resourceDrop } from './drop.js';
import { ComponentError } from './errors.js';
import { compileLift } from './lift.js';
import { compileLower } from './lower.js';
import { type FakeGuest, fakeGuest, fn, reserve, t } from './testing.js';

type Fn = (...args: unknown[]) => unknown;

/** Exports `core` (the guest's core function) as `params -> result`, with optional post-return. */
function lift(g: FakeGuest, params: ValType[], result: ValType | undefined, core: Fn, postReturn?: Fn): Fn {
  const callee = g.st.funcs.push(core as never) - 1;
  const pr = postReturn === undefined ? undefined : g.st.funcs.push(postReturn as never) - 1;
  return compileLift(fn(params, result), { memory: 0, realloc: 0, callee, postReturn: pr }, 'test:x/run#go')(g.st) as Fn;
}

/** Writes a string into guest memory, returning [ptr, len]. */
function put(g: FakeGuest, s: string): [number, number] {
  const bytes = new TextEncoder().encode(s);
  const p = reserve(g, bytes.length, 1);
  g.bytes().set(bytes, p);
  return [p, bytes.length];
}

test('lift_scalar_args_pass_flat_and_result_returns_flat', () => {
  const g = fakeGuest();
  const add = lift(g, [t.u32, t.u32], t.u32, (a, b) => ((a as number) + (b as number)) | 0);
  assert.equal(add(1, 2), 3);
  assert.equal(add(2 ** 32 - 1, 0), 2 ** 32 - 1, 'the i32 -1 comes back as u32');
  assert.throws(() => add(-1, 0), TypeError);
  assert.throws(() => add(1), TypeError);
});

test('lift_i64_and_f32_params', () => {
  const g = fakeGuest();
  let core: unknown[] = [];
  const f = lift(g, [t.s64, t.f32, t.bool, t.char], undefined, (...a) => {
    core = a;
  });
  f(-5n, 1.5, true, '😀');
  assert.deepEqual(core, [-5n, 1.5, 1, 0x1f600]);
});

test('lift_string_arg_is_allocated_with_realloc_exactly', () => {
  const g = fakeGuest();
  let got = '';
  const f = lift(g, [t.string], undefined, (p, n) => {
    got = new TextDecoder().decode(g.bytes().slice(p as number, (p as number) + (n as number)));
  });
  f('héllo');
  assert.equal(got, 'héllo');
  assert.deepEqual(g.allocs.at(-1)?.size, 6);
  f('x'.repeat(1000) + '€');
  assert.equal(got, 'x'.repeat(1000) + '€');
  assert.deepEqual(g.allocs.at(-1)?.size, 1003);
});

test('lift_string_result_is_read_before_post_return', () => {
  const g = fakeGuest();
  const calls: string[] = [];
  const f = lift(
    g,
    [],
    t.string,
    () => {
      const [p, n] = put(g, 'from guest');
      const rp = reserve(g, 8, 4);
      g.view().setUint32(rp, p, true);
      g.view().setUint32(rp + 4, n, true);
      calls.push('call');
      return rp;
    },
    (rp) => {
      // post-return frees (here: scribbles over) what the result pointed to
      const p = g.view().getUint32(rp as number, true);
      g.bytes().fill(0x21, p, p + 10);
      calls.push('post-return');
    },
  );
  assert.equal(f(), 'from guest');
  assert.deepEqual(calls, ['call', 'post-return']);
});

test('lift_post_return_receives_the_flat_result', () => {
  const g = fakeGuest();
  const seen: unknown[][] = [];
  const f = lift(
    g,
    [],
    t.u64,
    () => 7n,
    (...a) => {
      seen.push(a);
    },
  );
  assert.equal(f(), 7n);
  const h = lift(
    g,
    [],
    undefined,
    () => undefined,
    (...a) => {
      seen.push(a);
    },
  );
  h();
  assert.deepEqual(seen, [[7n], []]);
});

test('lift_result_err_throws_component_error_with_payload', () => {
  const g = fakeGuest();
  let disc = 1;
  // result<string, variant> needs more than one core value: the export returns a pointer to it
  const run2 = lift(g, [], t.result(t.string, t.variant({ denied: t.string, failed: undefined })), () => {
    const rp = reserve(g, 16, 4);
    const dv = g.view();
    if (disc === 0) {
      const [p, n] = put(g, 'ok!');
      dv.setUint8(rp, 0);
      dv.setUint32(rp + 4, p, true);
      dv.setUint32(rp + 8, n, true);
    } else {
      const [p, n] = put(g, 'no network');
      dv.setUint8(rp, 1);
      dv.setUint8(rp + 4, 0);
      dv.setUint32(rp + 8, p, true);
      dv.setUint32(rp + 12, n, true);
    }
    return rp;
  });
  disc = 0;
  assert.equal(run2(), 'ok!');
  disc = 1;
  assert.throws(run2, (e: unknown) => {
    assert.ok(e instanceof ComponentError);
    assert.ok(e instanceof Error && Object.hasOwn(e, 'payload'));
    assert.deepEqual((e as ComponentError).payload, { tag: 'denied', val: 'no network' });
    return true;
  });
});

test('lift_result_without_payloads', () => {
  const g = fakeGuest();
  let r = 0;
  const run = lift(g, [], t.result(), () => r);
  assert.equal(run(), undefined);
  r = 1;
  assert.throws(run, (e: unknown) => e instanceof ComponentError && e.payload === undefined);
  r = 2;
  assert.throws(run, { name: 'RuntimeError', message: /invalid result discriminant 2/ });
});

test('lift_component_error_shape', () => {
  const s = new ComponentError('boom');
  assert.equal(s.message, 'boom');
  assert.equal(s.payload, 'boom');
  assert.ok(Object.hasOwn(s, 'payload'));
  const o = new ComponentError({ tag: 'x' });
  assert.match(o.message, /see error.payload/);
  assert.deepEqual(Object.keys(o).includes('payload'), true);
});

test('lift_many_params_are_stored_as_a_tuple', () => {
  // 9 × (u32, u8) = 18 flat values → one pointer to a tuple; (u32, u8) pairs at 8-byte strides
  const g = fakeGuest();
  const params = Array.from({ length: 9 }, () => t.tuple(t.u32, t.u8));
  let read: number[] = [];
  const f = lift(g, params, undefined, (...core) => {
    assert.equal(core.length, 1);
    const p = core[0] as number;
    const dv = g.view();
    read = Array.from({ length: 9 }, (_, i) => dv.getUint32(p + 8 * i, true) + dv.getUint8(p + 8 * i + 4));
  });
  f(...Array.from({ length: 9 }, (_, i) => [i * 100, i]));
  assert.deepEqual(
    read,
    Array.from({ length: 9 }, (_, i) => i * 101),
  );
  assert.deepEqual(g.allocs.at(-1), { align: 4, size: 72, ptr: g.allocs.at(-1)?.ptr });
});

test('lift_traps_on_bad_guest_results', () => {
  const g = fakeGuest();
  const size = g.memory.buffer.byteLength;
  const s = lift(g, [], t.string, () => size - 4);
  assert.throws(s, { name: 'RuntimeError', message: /outside guest memory/ });
  const bad = reserve(g, 8, 4);
  g.view().setUint32(bad, size - 1, true);
  g.view().setUint32(bad + 4, 2, true);
  const s2 = lift(g, [], t.string, () => bad);
  assert.throws(s2, { name: 'RuntimeError', message: /outside guest memory/ });
  const e = lift(g, [], t.enum('a', 'b', 'c'), () => 3);
  assert.throws(e, { name: 'RuntimeError', message: /invalid enum discriminant 3/ });
  const v = lift(g, [], t.variant({ a: t.u8, b: undefined }), () => {
    const rp = reserve(g, 2, 1);
    g.view().setUint8(rp, 9);
    return rp;
  });
  // variant { a(u8), b } flattens to 2 values, so it comes back through memory
  assert.throws(v, { name: 'RuntimeError', message: /invalid variant discriminant 9/ });
});

test('lift_variant_flat_coercions', () => {
  // variant { a(f32), b(s64), c(u32) } flattens to [i32, i64] in a single flat param list
  const g = fakeGuest();
  let core: unknown[] = [];
  const v = t.variant({ a: t.f32, b: t.s64, c: t.u32 });
  const f = lift(g, [v], undefined, (...a) => {
    core = a;
  });
  f({ tag: 'a', val: 1.5 });
  const bits = new Int32Array(new Float32Array([1.5]).buffer)[0] as number;
  assert.deepEqual(core, [0, BigInt(bits)]);
  f({ tag: 'c', val: 2 ** 32 - 1 });
  assert.equal(core[0], 2);
  assert.equal(BigInt.asUintN(32, core[1] as bigint), 2n ** 32n - 1n);
  // and back: a lowered import receiving the same flat values lifts the same value
  let seen: unknown;
  const imp = compileLower(
    fn([v], undefined),
    { kind: 'function' },
    {},
    'imp',
  )(g.st, (x: unknown) => {
    seen = x;
  }) as Fn;
  imp(0, BigInt(bits));
  assert.deepEqual(seen, { tag: 'a', val: 1.5 });
  imp(1, -3n);
  assert.deepEqual(seen, { tag: 'b', val: -3n });
  imp(2, 0xffffffffn);
  assert.deepEqual(seen, { tag: 'c', val: 2 ** 32 - 1 });
});

test('lift_borrow_param_is_rejected_at_compile_time', () => {
  assert.throws(() => compileLift(fn([t.borrow(0)], undefined), { callee: 0 }, 'x'), /borrow/);
});

test('lift_missing_memory_or_realloc_option_is_a_compile_error', () => {
  assert.throws(() => compileLift(fn([t.string], undefined), { callee: 0 }, 'needs-mem'), /memory/);
  assert.throws(() => compileLift(fn([t.string], undefined), { callee: 0, memory: 0 }, 'needs-realloc'), /realloc/);
  assert.throws(() => compileLower(fn([], t.string), { kind: 'function' }, { memory: 0 }, 'needs-realloc'), /realloc/);
});

test('lift_identical_signatures_compile_once', () => {
  const before = compiledCount();
  const type = fn([t.record({ 'cache-probe-field': t.u16 })], t.u16);
  compileLift(type, { callee: 3 }, 'one');
  compileLift(type, { callee: 3 }, 'two');
  assert.equal(compiledCount(), before + 1);
  compileLift(type, { callee: 4 }, 'three');
  assert.equal(compiledCount(), before + 2);
});

test('lift_labels_name_the_function_in_errors_even_when_shared', () => {
  const g = fakeGuest();
  const type = fn([t.u8], undefined);
  g.st.funcs.push((() => {}) as never);
  const a = compileLift(type, { callee: 1 }, 'first-label')(g.st) as Fn;
  const b = compileLift(type, { callee: 1 }, 'second-label')(g.st) as Fn;
  assert.throws(() => a(300), /first-label/);
  assert.throws(() => b(300), /second-label/);
});

test('drop_removes_the_handle_and_disposes', () => {
  const g = fakeGuest();
  const disposeSym = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('dispose');
  let disposed = 0;
  const h = g.st.tables[1]!.insert({ [disposeSym]: () => disposed++ });
  const plain = g.st.tables[1]!.insert({});
  const drop = resourceDrop(1)(g.st);
  drop(h);
  assert.equal(disposed, 1);
  assert.throws(() => g.st.tables[1]!.get(h), TypeError);
  drop(plain);
  assert.throws(() => drop(plain), { name: 'TypeError', message: /handle 2/ });
});
