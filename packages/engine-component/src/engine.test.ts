/**
 * The component engine: what a tool sees (env, args, stdio, no ambient
 * capability), isolation between calls, typed tools, and misuse errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, isAirlockError } from '@airlock/core';
import { MemoryVfs } from '@airlock/wasi';
import { createComponentEngine } from './engine.js';
import { componentBytes, engine, report, runComponent, text, toolOf } from './harness.test.js';

test('component env: a granted variable is visible', async () => {
  const out = await runComponent('probe', { input: '{"op":"env","name":"A"}', env: { A: 'granted' } });
  assert.equal(report(out).data, 'granted');
});

test('component env: nothing but the granted variables (no host env leaks in)', async () => {
  for (const name of ['HOME', 'PATH', 'USER', 'AIRLOCK_ROOT']) {
    const out = await runComponent('probe', { input: JSON.stringify({ op: 'env', name }), env: { A: 'x' } });
    assert.equal(report(out).data, null, `${name} leaked`);
  }
});

test('component: no mounts means no file system at all (no ambient host fs)', async () => {
  for (const path of ['/etc/passwd', '/', '/workspace/notes.txt', '.']) {
    const out = await runComponent('probe', { input: JSON.stringify({ op: 'read', path }) });
    assert.equal(report(out).ok, false, `${path} was readable`);
  }
  const list = await runComponent('probe', { input: '{"op":"list","path":"/"}' });
  assert.equal(report(list).ok, false);
});

test('component: the command component word-count reads a granted mount', async () => {
  const ws = new MemoryVfs().writeFile('notes/todo.md', 'one two\nthree\n');
  const out = await runComponent('word-count', {
    input: '{"path":"/workspace/notes/todo.md"}',
    mounts: [{ path: '/workspace', vfs: ws, access: 'read' }],
  });
  assert.equal(out.status, 'ok', out.message);
  assert.deepEqual(JSON.parse(text(out.stdout)), { path: '/workspace/notes/todo.md', lines: 2, words: 3, bytes: 14 });
  assert.equal(out.usage.fsReadBytes, 14);
});

test('component: a command that fails exits non-zero with its JSON error', async () => {
  const out = await runComponent('word-count', { input: '{"path":"/workspace/missing"}' });
  assert.equal(out.status, 'failed');
  assert.equal(out.exitCode, 1);
  assert.ok(text(out.stdout).includes('"error"'));
});

test('component: stdout past outputBytes is the limit `output`', async () => {
  const out = await runComponent('probe', { input: '{"op":"print","bytes":5000}', limits: { outputBytes: 1000 } });
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'output');
});

test('component isolation: a second call of a typed tool sees none of the first call’s globals', async () => {
  const first = await runComponent('call-counter', { input: '"a"' });
  const second = await runComponent('call-counter', { input: '"bb"' });
  assert.deepEqual(JSON.parse(text(first.stdout)), { calls: 1, inputBytes: 3 });
  assert.deepEqual(JSON.parse(text(second.stdout)), { calls: 1, inputBytes: 4 });
});

test('component isolation: a file written in one call’s private mount is not in the next call’s', async () => {
  const a = new MemoryVfs();
  const b = new MemoryVfs();
  await runComponent('probe', {
    input: '{"op":"write","path":"/workspace/x.txt","text":"from a"}',
    mounts: [{ path: '/workspace', vfs: a, access: 'read-write' }],
  });
  const out = await runComponent('probe', {
    input: '{"op":"read","path":"/workspace/x.txt"}',
    mounts: [{ path: '/workspace', vfs: b, access: 'read-write' }],
  });
  assert.equal(report(out).errnoName, 'ENOENT');
});

test('component typed tool: ok is the output, err is a failed run with the tool convention’s error JSON', async () => {
  const ok = await runComponent('call-counter', { input: '"x"' });
  assert.equal(ok.status, 'ok');
  const err = await runComponent('call-counter', { input: '"fail"' });
  assert.equal(err.status, 'failed');
  assert.deepEqual(JSON.parse(text(err.stdout)), { error: { code: 'asked-to-fail', message: 'the input asked this tool to fail' } });
});

test('component typed tool: describe returns the descriptor, command tools have none', async () => {
  const typed = await engine.prepare(toolOf('call-counter'));
  assert.equal(typed.componentKind, 'typed');
  const d = await typed.describe();
  assert.equal(d?.name, 'call-counter');
  assert.deepEqual(JSON.parse(d?.inputSchema ?? ''), { type: 'string' });
  const command = await engine.prepare(toolOf('probe'));
  assert.equal(command.componentKind, 'command');
  assert.equal(await command.describe(), undefined);
});

test('component typed tool: a return value past outputBytes is the limit `output`', async () => {
  const out = await runComponent('call-counter', { input: '"x"', limits: { outputBytes: 5 } });
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'output');
});

async function rejects(bytes: Uint8Array, pattern: RegExp): Promise<void> {
  await assert.rejects(
    () => engine.prepare(toolOf('bad', bytes)),
    (e) => isAirlockError(e, 'WASM_INVALID') && pattern.test(e.message),
  );
}

test('component misuse: bytes that are not Wasm → WASM_INVALID', async () => {
  await rejects(new TextEncoder().encode('#!/bin/sh\necho hi\n'), /magic bytes/);
});

test('component misuse: a core module → WASM_INVALID saying to use wasip1 or jco new', async () => {
  await rejects(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), /core WebAssembly module.*wasip1/);
});

test('component misuse: a truncated component → WASM_INVALID from the validator', async () => {
  await rejects(componentBytes('probe').subarray(0, 5000), /not a valid component/);
});

test('component misuse: the wrong engine kind is refused', async () => {
  const tool = toolOf('probe');
  await assert.rejects(
    () => engine.prepare({ ...tool, manifest: { ...tool.manifest, engine: 'wasip1' } }),
    (e) => isAirlockError(e, 'ARGS_INVALID'),
  );
});

test('component: a failed prepare is not cached, the next good one works', async () => {
  await rejects(new Uint8Array([1, 2, 3]), /magic/);
  const out = await runComponent('call-counter', { input: '"x"' });
  assert.equal(out.status, 'ok');
});

test('glue: our own by default (nothing to transpile; the rewritten core modules are cached); glue "jco" transpiles once and a second engine hits the cache', async () => {
  const store = new Map<string, Uint8Array>();
  const sets: string[] = [];
  const cache = {
    get: (k: string) => store.get(k),
    set: (k: string, v: Uint8Array) => {
      sets.push(k);
      store.set(k, v);
    },
  };
  const phases: string[] = [];
  const progress = (e: { phase: string }): void => void phases.push(e.phase);
  const ours = await createComponentEngine({ cache, progress }).prepare(toolOf('call-counter'));
  assert.equal(ours.glue, 'airlock');
  assert.deepEqual(phases, [], 'our glue has nothing to transpile (and a 49 KB rewrite is too quick for a progress line)');
  assert.equal(sets.length, 1, 'the rewritten core modules are cached');
  assert.match(sets[0] ?? '', /airlock-glue\/\d+-meter-\d+\/pool-\d+-mp$/);
  const oursAgain = await createComponentEngine({ cache, progress }).prepare(toolOf('call-counter'));
  assert.equal(sets.length, 1, 'a second engine reads the rewritten modules instead of rewriting');
  const jco = await createComponentEngine({ glue: 'jco', cache, progress }).prepare(toolOf('call-counter'));
  assert.equal(jco.glue, 'jco');
  assert.deepEqual([phases, sets.length], [['transpile', 'done'], 2]);
  const again = await createComponentEngine({ glue: 'jco', cache, progress }).prepare(toolOf('call-counter'));
  assert.deepEqual(phases, ['transpile', 'done'], 'a second engine reads the cache instead of transpiling');
  // Every one gives the same answer.
  const req = { callId: 't', input: new TextEncoder().encode('"abc"'), args: [], env: {}, mounts: [], limits: DEFAULT_LIMITS };
  for (const p of [ours, oursAgain, jco, again]) assert.deepEqual(JSON.parse(text((await p.run(req)).stdout)), { calls: 1, inputBytes: 5 });
});

test('glue cache: a corrupt or foreign entry is a miss, never a crash', async () => {
  const store = new Map<string, Uint8Array>();
  const cache = { get: (k: string) => store.get(k), set: (k: string, v: Uint8Array) => void store.set(k, v) };
  await createComponentEngine({ cache }).prepare(toolOf('call-counter'));
  const [key, entry] = [...store][0] as [string, Uint8Array];
  for (const bad of [entry.subarray(0, entry.length - 1), new Uint8Array([1, 2, 3]), new TextEncoder().encode('{"magic":"x"}')]) {
    store.set(key, bad);
    const p = await createComponentEngine({ cache }).prepare(toolOf('call-counter'));
    const out = await p.run({ callId: 't', input: new TextEncoder().encode('"a"'), args: [], env: {}, mounts: [], limits: DEFAULT_LIMITS });
    assert.equal(out.status, 'ok');
  }
});

/**
 * call-counter with its first `canon lift` switched from UTF-8 to UTF-16
 * strings (one option byte in the top-level canon section): valid, but
 * outside our glue's subset, so the engine falls back to jco's glue.
 */
function utf16Variant(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes);
  let at = 8;
  const leb = (): number => {
    let r = 0;
    let shift = 0;
    for (;;) {
      const b = out[at++] as number;
      r |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return r;
      shift += 7;
    }
  };
  while (at < out.length) {
    const id = out[at++];
    const size = leb();
    const end = at + size;
    if (id === 8) {
      leb(); // item count; the first item, if a lift: 0x00 0x00 corefunc opts type
      if (out[at] === 0x00 && out[at + 1] === 0x00) {
        at += 2;
        leb(); // core func
        const n = leb();
        for (let i = 0; i < n; i++) {
          const opt = out[at] as number;
          if (opt === 0x00) {
            out[at] = 0x01; // utf8 → utf16
            return out;
          }
          at++;
          if (opt >= 0x03 && opt <= 0x05) leb(); // memory, realloc, post-return take an index
        }
      }
    }
    at = end;
  }
  throw new Error('no canon lift with a utf8 option found');
}

test('glue fallback: a component outside our subset (UTF-16 strings) runs on jco’s glue', async () => {
  const tool = toolOf('call-counter-utf16', utf16Variant(componentBytes('call-counter')));
  const prepared = await createComponentEngine().prepare(tool);
  assert.equal(prepared.glue, 'jco');
  const out = await prepared.run({
    callId: 't',
    input: new TextEncoder().encode('"x"'),
    args: [],
    env: {},
    mounts: [],
    limits: DEFAULT_LIMITS,
  });
  assert.ok(['ok', 'error'].includes(out.status), `a run, not a crash: ${out.status} ${out.message}`);
  const plain = await createComponentEngine().prepare(toolOf('call-counter'));
  assert.equal(plain.glue, 'airlock');
});
