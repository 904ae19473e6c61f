import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Component, Definition } from './ast.js';
import { coreInfo } from './core-info.js';
import { elideFixups } from './fixup.js';
import { hostCallOf, link, type Plan, Unsupported, unversioned } from './link.js';
import { parseComponent } from './parse.js';

const example = (name: string): Uint8Array =>
  readFileSync(new URL(`../../../../examples/components/${name}/${name}.wasm`, import.meta.url));
const planOf = (name: string): Plan => link(parseComponent(example(name)));

test('link: call-counter (typed tool, reactor adapter) becomes 4 core modules, lowered WASI imports and two lifted exports', () => {
  const p = planOf('call-counter');
  assert.equal(p.modules.length, 4);
  assert.deepEqual(
    p.steps.map((s) => s.k),
    ['instantiate', 'instantiate', 'instantiate', 'instantiate'],
  );
  assert.deepEqual(
    p.exports.map(([n, e]) => [n, e.k]),
    [
      ['describe', 'func'],
      ['call', 'func'],
    ],
  );
  // airlock:tool/types has only types: nothing for the host to provide.
  assert.ok(!p.imports.includes('airlock:tool/types'));
  assert.ok(p.imports.includes('wasi:filesystem/types'));
  const stat = p.lowers.find((l) => l.name === '[method]descriptor.stat');
  assert.ok(stat);
  assert.deepEqual(stat.call, { kind: 'method', name: 'stat' });
  assert.equal(stat.iface, 'wasi:filesystem/types');
  assert.equal(stat.opts.memory, 0);
  assert.equal(stat.type.params[0]?.type.kind, 'borrow');
  const dirs = p.lowers.find((l) => l.name === 'get-directories');
  assert.ok(dirs?.opts.realloc !== undefined, 'get-directories returns a list: it needs a realloc');
  const callExport = p.exports.find(([n]) => n === 'call')?.[1];
  assert.ok(callExport?.k === 'func');
  const call = p.lifts[callExport.lift];
  assert.deepEqual(call?.type.params, [{ name: 'input', type: { kind: 'string' } }]);
  assert.equal(call?.type.result?.kind, 'result');
  assert.ok(call?.opts.realloc !== undefined && call.opts.memory !== undefined);
  // One handle table per imported resource type, each once.
  const names = p.tables.map((t) => t.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.includes('descriptor') && names.includes('output-stream'));
});

test('link: a command exports wasi:cli/run through wit-component’s nested shim component', () => {
  const p = planOf('word-count');
  assert.equal(p.exports.length, 1);
  const [name, e] = p.exports[0] as Plan['exports'][number];
  assert.equal(name, 'wasi:cli/run@0.2.12');
  assert.equal(e.k, 'instance');
  assert.deepEqual(e.k === 'instance' ? e.funcs.map(([n]) => n) : [], ['run']);
});

test('fixup elision: no fixup and no shim instance; host functions go to the adapter directly, the main module calls the adapter through forwarders', () => {
  for (const name of ['call-counter', 'word-count', 'probe', 'runaway']) {
    const p = planOf(name);
    const e = elideFixups(p);
    const fills = e.steps.filter((s) => s.k === 'fill');
    assert.equal(fills.length, 1, `${name}: one fixup elided`);
    const fill = fills[0];
    assert.ok(fill?.k === 'fill');
    // Only Wasm functions (adapter exports) stay behind the table.
    for (const [, fn] of fill.entries) assert.equal(fn.k, 'export');
    // The adapter now imports the lowered functions themselves, not shim forwarders.
    const lowersUsed = e.steps.flatMap((s) => (s.k === 'instantiate' ? s.args : [])).flatMap(([, a]) => (a.k === 'bundle' ? a.items : []));
    assert.ok(lowersUsed.filter(([, it]) => it.k === 'lower').length >= 5, `${name}: lowered imports wired directly`);
    if (name === 'call-counter') assert.ok(fill.start !== undefined, 'the reactor’s _initialize runs where the fixup ran it');
    // The shim is gone too: the main module reaches the adapter through JS forwarders to exports made later.
    assert.equal(e.steps.filter((s) => s.k === 'skip').length, 1, `${name}: the shim instance is skipped`);
    const late = lowersUsed.filter(([, it]) => it.k === 'late');
    assert.ok(late.length >= 1, `${name}: the main module imports late forwarders`);
    for (const [, it] of late) assert.ok(it.k === 'late' && e.steps[it.inst]?.k === 'instantiate');
  }
});

test('fixup elision: a module that is not exactly a fixup is left alone', () => {
  const p = planOf('call-counter');
  // Make the fixup's shim a module with something else in it (the main module): no elision.
  const shimStep = p.steps.findIndex((s) => s.k === 'instantiate' && s.args.length === 0);
  assert.ok(shimStep >= 0);
  const mainIndex = 0;
  const broken: Plan = {
    ...p,
    steps: p.steps.map((s, i) => (i === shimStep && s.k === 'instantiate' ? { ...s, module: mainIndex } : s)),
  };
  assert.ok(elideFixups(broken).steps.every((s) => s.k === 'instantiate'));
});

test('coreInfo: reads the shim’s forwarders and the fixup’s element segment', () => {
  const p = planOf('call-counter');
  const infos = p.modules.map((m) => coreInfo(m));
  const shim = infos.find(
    (i) => i !== undefined && i.imports.length === 0 && i.forwarders.length > 0 && i.forwarders.every((k) => k !== undefined),
  );
  assert.ok(shim, 'a shim with forwarders only');
  assert.deepEqual(
    shim.forwarders,
    shim.forwarders.map((_, k) => k),
  );
  const fixup = infos.find((i) => i !== undefined && i.definedFuncs === 0 && (i.elems?.length ?? 0) > 0);
  assert.ok(fixup?.elems?.[0]?.offset === 0);
  assert.equal(coreInfo(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 2, 9])), undefined, 'a truncated module is not understood');
});

test('hostCallOf: jco’s JS names for WIT functions', () => {
  assert.deepEqual(hostCallOf('get-directories'), { call: { kind: 'function' }, hostKey: 'getDirectories' });
  assert.deepEqual(hostCallOf('[method]descriptor.read-via-stream'), {
    call: { kind: 'method', name: 'readViaStream' },
    hostKey: undefined,
  });
  assert.deepEqual(hostCallOf('[static]fields.from-list'), { call: { kind: 'static', name: 'fromList' }, hostKey: 'Fields' });
  assert.deepEqual(hostCallOf('[constructor]outgoing-request'), { call: { kind: 'constructor' }, hostKey: 'OutgoingRequest' });
  assert.equal(unversioned('wasi:io/streams@0.2.12'), 'wasi:io/streams');
  assert.equal(unversioned('airlock:tool/types'), 'airlock:tool/types');
});

const component = (...definitions: Definition[]): Component => ({ definitions });

test('link: what our glue does not run is Unsupported (the engine then uses jco)', () => {
  const cases: [string, Component][] = [
    ['a guest-defined resource', component({ tag: 'type', type: { tag: 'resource', rep: 'i32' } })],
    ['an async built-in', component({ tag: 'canon-unsupported', opcode: 0x09 })],
    ['a start function', component({ tag: 'start' })],
    ['an async function type', component({ tag: 'type', type: { tag: 'func', async: true, params: [] } })],
    ['error-context', component({ tag: 'type', type: { tag: 'defined', type: { kind: 'prim', prim: 'error-context' } } })],
    ['a stream', component({ tag: 'type', type: { tag: 'defined', type: { kind: 'unsupported', opcode: 0x66 } } })],
    ['an imported core module', component({ tag: 'import', name: 'm', desc: { sort: 'module', type: 0 } })],
    [
      'UTF-16 strings',
      component(
        { tag: 'core-module', bytes: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) },
        { tag: 'core-instance-instantiate', module: 0, args: [] },
        { tag: 'alias-core-export', sort: 'func', instance: 0, name: 'f' },
        { tag: 'type', type: { tag: 'func', async: false, params: [] } },
        { tag: 'canon-lift', coreFunc: 0, opts: [{ tag: 'utf16' }], type: 0 },
      ),
    ],
    ['an index out of range', component({ tag: 'canon-lift', coreFunc: 3, opts: [], type: 0 })],
  ];
  for (const [what, c] of cases) assert.throws(() => link(c), Unsupported, what);
});
