// Memory pooling: a reused memory is zeroed, a grown one is never reused,
// and no call sees another call's bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, type PreparedTool } from '@airlock/core';
import { MemoryPool, Wasm, type WasmMemoryDescriptor } from '@airlock/wasi';
import { createWasip1Engine } from './engine.js';
import { text, toolOf } from './harness.test.js';

/** Count `new WebAssembly.Memory` calls made while `fn` runs. */
async function countingMemories<T>(fn: () => Promise<T>): Promise<{ result: T; created: number }> {
  const api = Wasm as unknown as { Memory: typeof Wasm.Memory };
  const Original = api.Memory;
  let created = 0;
  api.Memory = class extends Original {
    constructor(d: WasmMemoryDescriptor) {
      super(d);
      created++;
    }
  };
  try {
    return { result: await fn(), created };
  } finally {
    api.Memory = Original;
  }
}

const run = (p: PreparedTool, input: string) =>
  p.run({ callId: input, input: new TextEncoder().encode(input), args: [], env: {}, mounts: [], limits: DEFAULT_LIMITS });

test('pool: call 2 reuses call 1 memory and sees none of its bytes', async () => {
  const prepared = await createWasip1Engine().prepare(toolOf('memory-secret'));
  const { result, created } = await countingMemories(async () => {
    const write = await run(prepared, 'w');
    assert.equal(write.status, 'ok', write.message);
    return run(prepared, 's');
  });
  assert.equal(created, 1, 'the second call got the pooled memory');
  assert.equal(result.status, 'ok', result.message);
  assert.equal(text(result.stdout), '"clean 00000000"');
});

test('pool: a memory that grew is dropped; the next call starts fresh and clean', async () => {
  const prepared = await createWasip1Engine().prepare(toolOf('memory-secret'));
  const { result, created } = await countingMemories(async () => {
    const grow = await run(prepared, 'g');
    assert.equal(grow.status, 'ok', grow.message);
    assert.equal(grow.usage.peakMemoryBytes, 3 * 65536);
    return run(prepared, 's');
  });
  assert.equal(created, 2, 'the grown memory was not reused');
  assert.equal(text(result.stdout), '"clean 00000000"');
  assert.equal(result.usage.peakMemoryBytes, 2 * 65536);
});

test('pool: the control: the scan finds the secret when it is there', async () => {
  // Without this the tests above could pass with a scan that never matches.
  const { instance } = (await (
    Wasm as unknown as { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: Record<string, unknown> } }> }
  ).instantiate(toolOf('memory-secret').artifact, {
    wasi_snapshot_preview1: {
      fd_read: (_fd: number, iov: number, _n: number, nread: number) => {
        const view = new DataView(memory().buffer);
        new Uint8Array(memory().buffer)[view.getUint32(iov, true)] = 's'.charCodeAt(0);
        view.setUint32(nread, 1, true);
        return 0;
      },
      fd_write: (_fd: number, iov: number, _n: number, _written: number) => {
        const view = new DataView(memory().buffer);
        out = text(new Uint8Array(memory().buffer, view.getUint32(iov, true), view.getUint32(iov + 4, true)));
        return 0;
      },
    },
  })) as { instance: { exports: Record<string, unknown> } };
  let out = '';
  const memory = () => instance.exports['memory'] as { buffer: ArrayBuffer };
  new BigUint64Array(memory().buffer)[1000] = 0x5e0c7e75ec7e7a11n;
  (instance.exports['_start'] as () => void)();
  assert.equal(out, '"found 00000008"');
});

test('pool: concurrent calls never share a memory', async () => {
  const prepared = await createWasip1Engine().prepare(toolOf('memory-secret'));
  const outs = await Promise.all(Array.from({ length: 8 }, (_, i) => run(prepared, i % 2 ? 's' : 'w')));
  for (const [i, o] of outs.entries()) if (i % 2) assert.equal(text(o.stdout), '"clean 00000000"');
  for (let i = 0; i < 4; i++) assert.equal(text((await run(prepared, 's')).stdout), '"clean 00000000"');
});

test('pool: give zeroes a memory before keeping it, and keeps at most perKey', () => {
  const pool = new MemoryPool(1);
  const a = pool.take(1, 4);
  new Uint8Array(a.buffer).fill(0x77);
  assert.equal(pool.give(a, 1, 4), true);
  assert.ok(new Uint8Array(a.buffer).every((b) => b === 0));
  assert.equal(pool.give(new Wasm.Memory({ initial: 1, maximum: 4 }), 1, 4), false, 'full');
  assert.equal(pool.idle, 1);
});

test('pool: a grown memory is not kept; other shapes get their own memories', () => {
  const pool = new MemoryPool(4);
  const a = pool.take(1, 4);
  a.grow(1);
  assert.equal(pool.give(a, 1, 4), false);
  const b = pool.take(1, 4);
  assert.equal(pool.give(b, 1, 4), true);
  assert.notEqual(pool.take(1, 8), b, 'a different cap is a different key');
  assert.equal(pool.take(1, 4), b);
});
