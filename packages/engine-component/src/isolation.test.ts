/**
 * Fresh instances share no state: what the glue transform (glue.ts) and any
 * later change to how instances are made must keep true. Two instances of
 * the same loaded component are made side by side, below the engine's
 * `run`, so that one can be used after the other exists:
 *
 * - call-counter: a second call on the *same* instance sees `calls: 2` (the
 *   test can see shared state), a second instance sees `calls: 1`;
 * - probe: a file descriptor the first instance opened (a preopen, handle N
 *   in its descriptor table) answers `stat` there and is an invalid handle
 *   in a second instance (its own table is empty: it has no mounts);
 * - through the engine, interleaved calls of both tools each see a fresh
 *   instance.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '@airlock/core';
import { defaultClock, MemoryVfs, mountVfs, RunGuard, WriteQuota } from '@airlock/wasi';
import { CallResources, instantiate } from './engine.js';
import { prepareGlue } from './glue.js';
import { componentBytes, report, runComponent, text } from './harness.test.js';
import { dataUrlLoader, type LoadedComponent, loadAirlock, loadJco } from './load.js';
import { CallContext } from './preview2/call-context.js';
import { buildImports, ExitSignal } from './preview2/host.js';
import { transpile } from './transpile.js';

type Glue = 'airlock' | 'jco';
const GLUES: readonly Glue[] = ['airlock', 'jco'];
const loaded = new Map<string, Promise<LoadedComponent>>();
/** The component loaded with our glue (canon/) or jco's; every isolation case runs with both. */
const loadedComponent = (name: string, glue: Glue): Promise<LoadedComponent> => {
  let p = loaded.get(`${glue}:${name}`);
  if (p === undefined) {
    p =
      glue === 'jco'
        ? transpile(componentBytes(name), name).then((t) => loadJco(t, name, `isolation-${name}`, dataUrlLoader))
        : loadAirlock(componentBytes(name), name).then((c) => {
            assert.ok(c !== undefined, `${name} links with our glue`);
            assert.equal(c.glue.kind, 'airlock');
            return c;
          });
    loaded.set(`${glue}:${name}`, p);
  }
  return p;
};

interface Fresh {
  readonly exports: Record<string, unknown>;
  readonly memory: () => { buffer: ArrayBuffer } | undefined;
  /** The imports jco handed the core module that imports wasi:filesystem/types (the preview1 adapter). */
  readonly fsImports: Record<string, unknown> | undefined;
  close(): void;
}

async function fresh(c: LoadedComponent, stdin: string, withMount: boolean): Promise<Fresh> {
  const guard = new RunGuard(defaultClock, 5_000, DEFAULT_LIMITS.memoryBytes);
  const ctx = new CallContext({ guard, outputBytes: 1 << 20, stderrBytes: 1 << 16, stdoutIsDiagnostics: c.kind === 'typed' });
  const ws = new MemoryVfs().writeFile('a.txt', 'hello');
  const imports = buildImports(ctx, {
    args: ['t'],
    env: {},
    stdin: new TextEncoder().encode(stdin),
    mounts: withMount
      ? [{ guestPath: '/workspace', vfs: mountVfs({ path: '/workspace', vfs: ws, access: 'read' }, new WriteQuota(0)), id: 1 }]
      : [],
    realtime: Date.now,
  });
  let fsImports: Record<string, unknown> | undefined;
  const spied: LoadedComponent = {
    ...c,
    generated: {
      instantiate: (get, imps, instantiateCore) =>
        c.generated.instantiate(get, imps, (module, coreImports) => {
          const key = Object.keys(coreImports ?? {}).find((k) => k.startsWith('wasi:filesystem/types@'));
          if (key !== undefined) fsImports = coreImports?.[key] as Record<string, unknown>;
          return instantiateCore!(module, coreImports);
        }),
    },
  };
  const res = new CallResources(c, DEFAULT_LIMITS);
  const inst = await instantiate(spied, imports, guard, res);
  return {
    exports: inst.exports,
    memory: inst.memory,
    fsImports,
    close: () => {
      ctx.close();
      res.release();
    },
  };
}

test('glue transform: the JSPI probe and the JCO_DEBUG test of every example are rewritten', async () => {
  for (const name of ['call-counter', 'probe', 'word-count']) {
    const c = await loadedComponent(name, 'jco');
    assert.equal(c.glue.kind, 'jco');
    const js = c.glue.kind === 'jco' ? c.glue.js : '';
    const g = prepareGlue(js);
    assert.ok(g.promisingRewrites >= 1, `${name}: no rewrite`);
    assert.equal(g.debugRewrites, 1, `${name}: the JCO_DEBUG test`);
    assert.ok(!g.js.includes('process?.env?.JCO_DEBUG) {'), `${name}: a per-call env read is left`);
    assert.equal(g.js.match(/WebAssembly\.promising\(/g)?.length, 1, `${name}: only the helper calls WebAssembly.promising`);
    // Up to the first rewrite, the text is jco's.
    assert.ok(g.js.startsWith(js.slice(0, js.indexOf('JCO_DEBUG') - 50)));
  }
  assert.deepEqual(prepareGlue('const x = 1;'), { js: 'const x = 1;', promisingRewrites: 0, debugRewrites: 0 });
});

for (const glue of GLUES) {
  test(`isolation (${glue} glue): two instances of call-counter side by side count separately`, async () => {
    const c = await loadedComponent('call-counter', glue);
    const a = await fresh(c, '', false);
    const b = await fresh(c, '', false);
    try {
      const call = (f: Fresh, input: string) => JSON.parse((f.exports['call'] as (s: string) => string)(input)) as { calls: number };
      assert.equal(call(a, '"x"').calls, 1);
      assert.equal(call(a, '"x"').calls, 2, 'the same instance keeps its global (so the test can see sharing)');
      assert.equal(call(b, '"x"').calls, 1, 'a second instance saw the first one’s global');
      assert.notEqual(a.memory(), b.memory(), 'two live instances share a memory');
    } finally {
      a.close();
      b.close();
    }
  });

  test(`isolation (${glue} glue): a file handle opened by one probe instance is not usable in another`, async () => {
    const c = await loadedComponent('probe', glue);
    const a = await fresh(c, '{"op":"read","path":"/workspace/a.txt"}', true);
    const b = await fresh(c, '{"op":"env","name":"X"}', false);
    try {
      const runOf = (f: Fresh) => Object.entries(f.exports).find(([k]) => k.startsWith('wasi:cli/run@'))?.[1] as { run(): void };
      for (const f of [a, b]) {
        try {
          runOf(f).run();
        } catch (e) {
          // The probe ends with exit(code); what matters here is the descriptors it opened.
          if (!(e instanceof ExitSignal)) throw e;
        }
      }
      const stat = (f: Fresh, handle: number): 'ok' | 'err' | 'trap' => {
        const mem = f.memory();
        assert.ok(mem && f.fsImports, 'spy saw the adapter');
        const retptr = mem.buffer.byteLength - 1024;
        new Uint8Array(mem.buffer, retptr, 256).fill(0xaa);
        try {
          (f.fsImports['[method]descriptor.stat'] as (h: number, p: number) => void)(handle, retptr);
        } catch {
          return 'trap';
        }
        return new Uint8Array(mem.buffer)[retptr] === 0 ? 'ok' : 'err';
      };
      const live = [1, 2, 3, 4, 5, 6, 7, 8].filter((h) => stat(a, h) === 'ok');
      assert.ok(live.length >= 1, 'the first instance has an open descriptor (its preopen)');
      for (const h of live) assert.equal(stat(b, h), 'trap', `descriptor handle ${h} of the first instance answered in the second`);
    } finally {
      a.close();
      b.close();
    }
  });
}

test('isolation through the engine: interleaved calls of call-counter and the probe each see a fresh instance', async () => {
  const ws = new MemoryVfs().writeFile('a.txt', 'hello');
  const mounts = [{ path: '/workspace', vfs: ws, access: 'read' as const }];
  for (let i = 0; i < 3; i++) {
    const [x, p, y] = await Promise.all([
      runComponent('call-counter', { input: '"a"' }),
      runComponent('probe', { input: '{"op":"read","path":"/workspace/a.txt"}', mounts }),
      runComponent('call-counter', { input: '"bb"' }),
    ]);
    assert.deepEqual(JSON.parse(text(x.stdout)), { calls: 1, inputBytes: 3 });
    assert.deepEqual(JSON.parse(text(y.stdout)), { calls: 1, inputBytes: 4 });
    assert.equal(report(p).data, 'hello');
    // A probe call without the mount sees nothing of the previous call's open files.
    const none = await runComponent('probe', { input: '{"op":"read","path":"/workspace/a.txt"}' });
    assert.equal(report(none).ok, false);
  }
});
