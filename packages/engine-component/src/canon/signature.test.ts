import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isAirlockError } from '@airlock/core';
import { coreInfo, funcTypeOf } from './core-info.js';
import { elideFixups } from './fixup.js';
import { type LiftPlan, type LowerPlan, link, type Plan } from './link.js';
import { parseComponent } from './parse.js';
import { checkSignatures } from './signature.js';
import type { FuncType } from './types.js';

const EXAMPLES = ['call-counter', 'word-count', 'probe', 'runaway'];
const planOf = (name: string): Plan =>
  link(parseComponent(readFileSync(new URL(`../../../../examples/components/${name}/${name}.wasm`, import.meta.url))));

/** `f` with one more parameter, a u64: one more i64 in its flat core signature. */
const withU64 = (f: FuncType): FuncType => ({ ...f, params: [...f.params, { name: 'extra', type: { kind: 'u64' } }] });

/** Asserts WASM_INVALID whose message matches every pattern. */
const refused = (plan: Plan, ...patterns: RegExp[]): void =>
  assert.throws(
    () => checkSignatures(plan, 'tampered'),
    (e: unknown) => {
      assert.ok(isAirlockError(e, 'WASM_INVALID'), `not WASM_INVALID: ${String(e)}`);
      assert.match(e.message, /^tool "tampered": /);
      for (const p of patterns) assert.match(e.message, p);
      return true;
    },
  );

const callLift = (p: Plan): number => {
  const e = p.exports.find(([n]) => n === 'call')?.[1];
  assert.ok(e?.k === 'func');
  return e.lift;
};
const replaceLift = (p: Plan, i: number, f: (l: LiftPlan) => LiftPlan): Plan => ({
  ...p,
  lifts: p.lifts.map((l, k) => (k === i ? f(l) : l)),
});
const replaceLower = (p: Plan, i: number, f: (l: LowerPlan) => LowerPlan): Plan => ({
  ...p,
  lowers: p.lowers.map((l, k) => (k === i ? f(l) : l)),
});

test('signatures: every example component agrees with the canonical ABI, before and after fixup elision', () => {
  for (const name of EXAMPLES) {
    const plan = planOf(name);
    assert.doesNotThrow(() => checkSignatures(plan, name), name);
    assert.doesNotThrow(() => checkSignatures(elideFixups(plan), name), `${name} after elision`);
  }
});

test('signatures: a lifted export whose component type has another flat signature is refused, naming it', () => {
  const p = planOf('call-counter');
  const tampered = replaceLift(p, callLift(p), (l) => ({ ...l, type: withU64(l.type) }));
  refused(tampered, /the core function "call" lifted as call\(input: string, extra: u64\)/, /has type \(i32, i32\) -> \(i32\)/);
  refused(tampered, /expected \(i32, i32, i64\) -> \(i32\)/);
});

test('signatures: a lowered import the core module declares with another type is refused, naming it', () => {
  const p = planOf('call-counter');
  const stat = p.lowers.findIndex((l) => l.name === '[method]descriptor.stat');
  assert.ok(stat >= 0);
  const tampered = replaceLower(p, stat, (l) => ({ ...l, type: withU64(l.type) }));
  refused(
    tampered,
    /\[method\]descriptor\.stat/,
    /lowered from wasi:filesystem\/types#\[method\]descriptor\.stat\(self: borrow<descriptor>, extra: u64\)/,
  );
  refused(tampered, /expected \(i32, i64, i32\) -> \(\)/);
});

test('signatures: a realloc option naming a function of another type is refused, naming it', () => {
  const p = planOf('call-counter');
  const call = callLift(p);
  const callee = p.lifts[call]?.opts.callee;
  assert.ok(callee !== undefined);
  // Point `call`'s realloc at the lifted `call` core function itself: (i32, i32) -> (i32).
  const tampered = replaceLift(p, call, (l) => ({ ...l, opts: { ...l.opts, realloc: callee } }));
  refused(tampered, /the core function "call", realloc of call\(/, /expected \(i32, i32, i32, i32\) -> \(i32\)/);
});

test('signatures: a post-return that does not take the lift’s core results is refused', () => {
  const p = planOf('call-counter');
  const call = callLift(p);
  const realloc = p.lifts[call]?.opts.realloc;
  assert.ok(realloc !== undefined);
  const tampered = replaceLift(p, call, (l) => ({ ...l, opts: { ...l.opts, postReturn: realloc } }));
  refused(tampered, /post-return of call\(/, /expected \(i32\) -> \(\)/);
});

test('signatures: resource.drop bound to an import of another type is refused', () => {
  const p = planOf('call-counter');
  // Bind `get-stdin` (a lowered () -> (i32)) to a resource.drop instead.
  const steps = p.steps.map((s) =>
    s.k !== 'instantiate'
      ? s
      : {
          ...s,
          args: s.args.map(([ns, a]): [string, typeof a] => [
            ns,
            a.k === 'bundle' ? { k: 'bundle', items: a.items.map(([n, it]) => [n, n === 'get-stdin' ? { k: 'drop', table: 0 } : it]) } : a,
          ]),
        },
  );
  refused({ ...p, steps }, /the core import "wasi:cli\/stdin@[^"]+" "get-stdin"/, /resource\.drop/, /expected \(i32\) -> \(\)/);
});

test('signatures: a module the core reader does not understand is skipped (V8 validates it)', () => {
  const p = planOf('call-counter');
  const call = callLift(p);
  const tampered = replaceLift(p, call, (l) => ({ ...l, type: withU64(l.type) }));
  const callee = p.funcs[p.lifts[call]?.opts.callee ?? -1];
  const step = p.steps[callee?.inst ?? -1];
  assert.ok(step?.k === 'instantiate');
  const modules = p.modules.map((m, i) => (i === step.module ? new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 9]) : m));
  assert.doesNotThrow(() => checkSignatures({ ...tampered, modules }, 'unread'));
});

test('coreInfo: function types by function index; GC types are unknown without shifting later indices', () => {
  // (type (rec (struct))) (type (func (param i32 i64) (result f32)))
  // (import "m" "f" (func (type 1))) (func (type 1)) … no code: enough for the reader.
  const types = [1, 0x0b, 2, 0x4e, 1, 0x5f, 0, 0x60, 2, 0x7f, 0x7e, 1, 0x7d];
  const imports = [2, 0x07, 1, 1, 0x6d, 1, 0x66, 0x00, 1];
  const funcs = [3, 0x02, 1, 1];
  const info = coreInfo(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...imports, ...funcs]));
  assert.ok(info);
  assert.equal(info.types[0], undefined, 'a rec group is not a plain function type');
  assert.deepEqual(info.types[1], { params: ['i32', 'i64'], results: ['f32'] });
  assert.deepEqual(info.funcTypes, [1, 1]);
  assert.deepEqual(funcTypeOf(info, 0), { params: ['i32', 'i64'], results: ['f32'] });
  assert.equal(funcTypeOf(info, 2), undefined);
});
