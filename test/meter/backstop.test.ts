/**
 * Every way a preview1 guest can overrun its wall time is stopped on the
 * main thread, without a worker (docs/decisions/0011-preview1-wall-time.md):
 *
 * - compute that never calls the host: fuel (checked at every function entry
 *   and loop header);
 * - endless cheap host calls: the deadline check before every host call;
 * - blocking inside a host call: none of our host calls can block. A sleep
 *   (poll_oneoff) past the deadline is refused at once and a shorter one
 *   ends by the deadline; stdin is a buffer; files are opened O_NONBLOCK and
 *   anything but a regular file (a FIFO, a device) is refused.
 *
 * Each is reported as its limit with usage, and the same engine runs the next
 * call normally. And determinism: two runs of one call use identical fuel.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_LIMITS, type Limits, type Mount, type RunOutcome, type Tool } from '@airlock/core';
import { createWasip1Engine } from '@airlock/engine-wasip1';
import { createNodeHost } from '@airlock/runtime-node';
import { ERRNO } from '@airlock/wasi';
import wabtInit from 'wabt';
import { ROOT } from './corpus.js';

const wabt = await wabtInit();
const toBinary = (name: string, source: string): Uint8Array => {
  const m = wabt.parseWat(`${name}.wat`, source, {});
  const b = m.toBinary({}).buffer;
  m.destroy();
  return b;
};
const fixture = (name: string): Uint8Array => toBinary(name, readFileSync(new URL(`test/fixtures/wat/${name}.wat`, ROOT), 'utf8'));

function tool(name: string, artifact: Uint8Array): Tool {
  return {
    manifest: {
      name,
      version: '0.0.0',
      description: name,
      engine: 'wasip1',
      artifact: `${name}.wasm`,
      inputSchema: true,
      capabilities: {},
      limits: {},
      args: [],
    },
    artifact,
    digest: createHash('sha256').update(artifact).digest('hex'),
  };
}

const engine = createWasip1Engine();
async function run(name: string, artifact: Uint8Array, limits: Partial<Limits>, input = '', mounts: Mount[] = []): Promise<RunOutcome> {
  const prepared = await engine.prepare(tool(name, artifact));
  return prepared.run({
    callId: 'backstop',
    input: new TextEncoder().encode(input),
    args: [],
    env: {},
    mounts,
    limits: { ...DEFAULT_LIMITS, ...limits },
  });
}

/** The host is healthy after a limit: the same engine runs a normal call. */
async function healthy(): Promise<void> {
  const r = await run('hello', fixture('hello'), {});
  assert.equal(r.status, 'ok', r.message);
  assert.equal(new TextDecoder().decode(r.stdout), 'hello, world\n');
}

const HUGE_FUEL = 1e15;

describe('preview1 wall-clock backstop without a worker (decision 0011)', () => {
  test('a guest that spins without host calls is stopped by fuel, long before its wall time', async () => {
    const r = await run('compute-loop', fixture('compute-loop'), { fuel: 5_000_000, wallMs: 60_000 });
    assert.equal(r.status, 'limit');
    assert.equal(r.limit, 'fuel');
    assert.ok(r.usage.fuel !== null && r.usage.fuel > 5_000_000, `fuel used ${r.usage.fuel}`);
    assert.match(r.message ?? '', /fuel limit of 5000000 exhausted/);
    await healthy();
  });

  test('a guest making endless cheap host calls is stopped at a host call by its wall time', async () => {
    const r = await run('spin', fixture('spin'), { fuel: HUGE_FUEL, wallMs: 150 });
    assert.equal(r.status, 'limit', r.message);
    assert.equal(r.limit, 'wall-time');
    assert.match(r.message ?? '', /wall time limit of 150 ms exceeded/);
    assert.ok(r.usage.wallMs >= 150 && r.usage.wallMs < 150 + 1000, `stopped after ${r.usage.wallMs} ms`);
    assert.ok(r.usage.fuel !== null && r.usage.fuel > 0, 'fuel used is still reported');
    await healthy();
  });

  test('a sleep (poll_oneoff) past the deadline is refused at once', async () => {
    const r = await run('sleep', fixture('sleep'), { fuel: HUGE_FUEL, wallMs: 1000 });
    assert.equal(r.status, 'limit');
    assert.equal(r.limit, 'wall-time');
    assert.match(r.message ?? '', /a sleep would pass the wall time limit of 1000 ms/);
    assert.ok(r.usage.wallMs < 500, `refused after ${r.usage.wallMs} ms, not slept`);
    await healthy();
  });

  test('a sleep within the deadline ends on time; a loop of such sleeps ends at the deadline', async () => {
    // One 30 ms poll_oneoff, then exit 0; with $loop set, sleep forever.
    const src = (loop: boolean) => `(module
      (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (i32.store8 (i32.const 8) (i32.const 0))
        (i32.store (i32.const 16) (i32.const 1))
        (i64.store (i32.const 24) (i64.const 30000000))
        ${loop ? '(loop $l (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))) (br $l))' : '(drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))'}))`;
    const once = await run('nap', toBinary('nap', src(false)), { fuel: HUGE_FUEL, wallMs: 1000 });
    assert.equal(once.status, 'ok', once.message);
    assert.ok(once.usage.wallMs >= 29, `slept ${once.usage.wallMs} ms`);
    const forever = await run('naps', toBinary('naps', src(true)), { fuel: HUGE_FUEL, wallMs: 200 });
    assert.equal(forever.status, 'limit');
    assert.equal(forever.limit, 'wall-time');
    assert.ok(forever.usage.wallMs <= 200 + 500, `stopped after ${forever.usage.wallMs} ms`);
    await healthy();
  });

  test('a FIFO in a mounted host directory is refused, never waited on (Node host, O_NONBLOCK)', {
    skip: process.platform === 'win32',
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-fifo-'));
    try {
      execFileSync('mkfifo', [join(dir, 'pipe')]);
      writeFileSync(join(dir, 'plain'), 'plain file');
      const mounts: Mount[] = [{ path: '/workspace', vfs: createNodeHost().fs!.root(dir), access: 'read' }];
      const t0 = performance.now();
      const r = await run('probe', fixture('probe'), { fuel: HUGE_FUEL, wallMs: 2000 }, 'o\npipe', mounts);
      assert.ok(performance.now() - t0 < 1500, 'the open did not block');
      assert.equal(r.status, 'failed', r.message);
      assert.equal(r.exitCode, ERRNO.EACCES, 'the FIFO is not a regular file: EACCES');
      const ok = await run('probe', fixture('probe'), { fuel: HUGE_FUEL, wallMs: 2000 }, 'o\nplain', mounts);
      assert.equal(ok.exitCode, 0);
      assert.equal(new TextDecoder().decode(ok.stdout), 'plain file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('determinism: two runs of the same call use identical fuel (ok and fuel-limited)', async () => {
    const compute = fixture('compute');
    const a = await run('compute', compute, { fuel: 100_000_000 });
    const b = await createWasip1Engine()
      .prepare(tool('compute', compute))
      .then((p) =>
        p.run({
          callId: 'again',
          input: new Uint8Array(0),
          args: [],
          env: {},
          mounts: [],
          limits: { ...DEFAULT_LIMITS, fuel: 100_000_000 },
        }),
      );
    assert.equal(a.status, 'ok', a.message);
    assert.equal(b.status, 'ok', b.message);
    assert.ok(a.usage.fuel !== null && a.usage.fuel > 0);
    assert.equal(b.usage.fuel, a.usage.fuel, 'same fuel on a fresh engine');
    assert.deepEqual(b.stdout, a.stdout);
    const c = await run('recurse', fixture('recurse'), { fuel: 3_000_000 });
    const d = await run('recurse', fixture('recurse'), { fuel: 3_000_000 });
    assert.equal(c.limit, 'fuel');
    assert.equal(d.usage.fuel, c.usage.fuel, 'a fuel trap happens at the same point');
  });
});
