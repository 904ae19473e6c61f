/**
 * Mounts for components in a worker (vfs-proxy.ts, vfs-proxy-owner.ts): the
 * probe fixture, sent to a worker by `inWorker`, reads and writes the
 * owner's MemoryVfs through the bridge, and every case's outcome (status,
 * exit code, stdout, denials, fs usage) is the one the same call gets on the
 * main thread: the worker wraps the proxy exactly as the main thread wraps
 * the real Vfs, so policy cannot differ between the two paths.
 *
 * Workers come from node:worker_threads through a few lines of adapter
 * (runtimes/node's is not a dependency of this package): the worker module
 * is written for the Web shape, `self.onmessage` and `postMessage`.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { HostWorker, HostWorkers, Limits, Mount, RunOutcome, Vfs, VfsFile } from '@airlock/core';
import { DEFAULT_LIMITS, VfsError } from '@airlock/core';
import { MemoryVfs } from '@airlock/wasi';
import { createComponentEngine } from './engine.js';
import { report, text, toolOf } from './harness.test.js';
import { sendSync } from './http-bridge.js';
import { type FsRequest, ProxyVfs } from './vfs-proxy.js';
import { VfsProxyOwner } from './vfs-proxy-owner.js';

const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
let handler = null;
globalThis.self = globalThis;
globalThis.postMessage = (m) => parentPort.postMessage(m);
Object.defineProperty(globalThis, 'onmessage', {
  get: () => handler,
  set: (fn) => { handler = fn; parentPort.onmessage = (event) => fn(event); },
});
import(workerData.url);
`;

const nodeWorkers: HostWorkers = {
  spawn(moduleUrl: URL): HostWorker {
    const w = new Worker(BOOTSTRAP, { eval: true, workerData: { url: moduleUrl.href } });
    let terminating = false;
    return {
      postMessage: (m) => w.postMessage(m),
      onMessage: (l) => void w.on('message', l),
      onError: (l) => {
        w.on('error', l);
        w.on('exit', (code) => terminating || l(new Error(`worker exited with code ${code}`)));
      },
      terminate: async () => {
        terminating = true;
        await w.terminate();
      },
    };
  },
};

const direct = createComponentEngine();
const inWorker = createComponentEngine({ workers: nodeWorkers, inWorker: () => true });
after(() => inWorker.close());

const probeTool = toolOf('probe');

function workspace(): MemoryVfs {
  return new MemoryVfs().writeFile('notes.txt', 'notes').mkdirp('a/b').symlink('up-file', '../outside.txt').symlink('ok-link', 'notes.txt');
}
const data = (): MemoryVfs => new MemoryVfs().writeFile('secret.txt', 'secret').mkdirp('d');

interface Ran {
  readonly out: RunOutcome;
  readonly ws: MemoryVfs;
  readonly data: MemoryVfs;
}

async function runOn(engine: typeof direct, op: Record<string, unknown>, limits: Partial<Limits>, wrap = (v: Vfs) => v): Promise<Ran> {
  const ws = workspace();
  const d = data();
  const mounts: Mount[] = [
    { path: '/workspace', vfs: wrap(ws), access: 'read-write' },
    { path: '/data', vfs: wrap(d), access: 'read' },
  ];
  const prepared = await engine.prepare(probeTool);
  const out = await prepared.run({
    callId: 'worker-mounts',
    input: new TextEncoder().encode(JSON.stringify(op)),
    args: [],
    env: {},
    mounts,
    limits: { ...DEFAULT_LIMITS, ...limits },
  });
  return { out, ws, data: d };
}

/** The parts of an outcome that must not depend on which thread ran the call. */
const comparable = (o: RunOutcome): unknown => ({
  status: o.status,
  exitCode: o.exitCode,
  limit: o.limit,
  stdout: text(o.stdout),
  denials: o.denials,
  fsReadBytes: o.usage.fsReadBytes,
  fsWriteBytes: o.usage.fsWriteBytes,
});

/** Run `op` on both paths with fresh mounts; assert the outcomes agree and return the worker's. */
async function both(op: Record<string, unknown>, limits: Partial<Limits> = {}): Promise<Ran> {
  const main = await runOn(direct, op, limits);
  const worker = await runOn(inWorker, op, limits);
  assert.deepEqual(comparable(worker.out), comparable(main.out));
  assert.deepEqual(worker.ws.list(), main.ws.list());
  assert.deepEqual(worker.data.list(), main.data.list());
  return worker;
}

const denied = (out: RunOutcome, errno: string): void =>
  assert.ok(
    out.denials?.some((d) => d.errno === errno),
    `expected a ${errno} denial, got ${JSON.stringify(out.denials)}`,
  );

test('worker mounts: a granted read returns the owner file bytes and counts fsReadBytes', async () => {
  const { out } = await both({ op: 'read', path: '/workspace/notes.txt' });
  assert.equal(report(out).data, 'notes');
  assert.equal(out.usage.fsReadBytes, 5);
  assert.equal(report((await both({ op: 'read', path: '/data/secret.txt' })).out).data, 'secret');
  assert.equal(report((await both({ op: 'read', path: '/workspace/ok-link' })).out).data, 'notes');
});

test('worker mounts: a listing crosses the bridge sorted and whole', async () => {
  const { out } = await both({ op: 'list', path: '/workspace' });
  assert.equal(report(out).data, 'a\nnotes.txt\nok-link\nup-file');
});

test('worker mounts: a write to a read-write mount lands in the owner Vfs and counts fsWriteBytes', async () => {
  const { out, ws } = await both({ op: 'write', path: '/workspace/new.txt', text: 'hello' });
  assert.equal(report(out).ok, true);
  assert.equal(text(ws.readFile('new.txt') ?? new Uint8Array()), 'hello');
  assert.equal(out.usage.fsWriteBytes, 5);
});

test('worker mounts: mkdir, rename and unlink on a read-write mount act on the owner Vfs', async () => {
  assert.ok((await both({ op: 'mkdir', path: '/workspace/made' })).ws.list().includes('made/'));
  const renamed = await both({ op: 'rename', path: '/workspace/notes.txt', to: '/workspace/a/moved.txt' });
  assert.equal(text(renamed.ws.readFile('a/moved.txt') ?? new Uint8Array()), 'notes');
  assert.equal((await both({ op: 'unlink', path: '/workspace/notes.txt' })).ws.readFile('notes.txt'), undefined);
});

const readOnly: ReadonlyArray<[string, Record<string, unknown>]> = [
  ['write to an existing file', { op: 'write', path: '/data/secret.txt', text: 'x' }],
  ['create a file', { op: 'create', path: '/data/new.txt', text: 'x' }],
  ['unlink a file', { op: 'unlink', path: '/data/secret.txt' }],
  ['mkdir', { op: 'mkdir', path: '/data/newdir' }],
];

for (const [what, op] of readOnly) {
  test(`worker mounts: read-only mount, ${what} → EROFS denial as on the main thread, owner unchanged`, async () => {
    const { out, data: d } = await both(op);
    assert.equal(report(out).ok, false);
    denied(out, 'EROFS');
    assert.deepEqual(d.list(), data().list());
    assert.equal(text(d.readFile('secret.txt') ?? new Uint8Array()), 'secret');
  });
}

const escapes: ReadonlyArray<[string, Record<string, unknown>]> = [
  ['dot-dot at the mount root', { op: 'read', path: '/workspace/..' }],
  ['dot-dot into the sibling mount', { op: 'read', path: '/workspace/../data/secret.txt' }],
  ['a pre-existing symlink to ../outside', { op: 'read', path: '/workspace/up-file' }],
  ['create through dot-dot', { op: 'write', path: '/workspace/../evil.txt', text: 'x' }],
];

for (const [attack, op] of escapes) {
  test(`worker mounts: ${attack} → ENOTCAPABLE denial as on the main thread`, async () => {
    const { out, ws } = await both(op);
    assert.equal(report(out).ok, false);
    assert.equal(report(out).data, null);
    denied(out, 'ENOTCAPABLE');
    assert.deepEqual(ws.list(), workspace().list());
  });
}

test('worker mounts: the write quota stops a write past fsWriteBytes, as on the main thread', async () => {
  const { out } = await both({ op: 'write', path: '/workspace/big.txt', text: 'x'.repeat(5000) }, { fsWriteBytes: 1000 });
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'fs-write');
});

/** A Vfs wrapper counting the files it opens and closes (on the owner's thread). */
function counting(inner: Vfs, counts: { opened: number; closed: number }, onRead?: () => void): Vfs {
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key !== 'open') {
        const v = Reflect.get(target, key, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return (path: readonly string[], flags: Parameters<Vfs['open']>[1]): VfsFile => {
        const f = target.open(path, flags);
        counts.opened++;
        return {
          read: (into, position) => {
            onRead?.();
            return f.read(into, position);
          },
          write: (from, position) => f.write(from, position),
          size: () => f.size(),
          truncate: (n) => f.truncate(n),
          sync: () => f.sync(),
          close: () => {
            counts.closed++;
            f.close();
          },
        };
      };
    },
  });
}

test('worker mounts: a call killed at its wall limit while a file is open leaves no file open on the owner', async () => {
  const counts = { opened: 0, closed: 0 };
  // The owner's read blocks past the deadline (+ the kill grace): the worker
  // is waiting in the bridge with the file open when the owner kills it.
  const stall = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
  const { out } = await runOn(inWorker, { op: 'read', path: '/workspace/notes.txt' }, { wallMs: 200 }, (v) => counting(v, counts, stall));
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'wall-time');
  assert.equal(counts.opened, 1);
  assert.equal(counts.closed, 1);
});

test('worker mounts: a normal call closes what it opened (through the guest, not the clean-up)', async () => {
  const counts = { opened: 0, closed: 0 };
  const { out } = await runOn(inWorker, { op: 'read', path: '/workspace/notes.txt' }, {}, (v) => counting(v, counts));
  assert.equal(report(out).data, 'notes');
  assert.deepEqual(counts, { opened: 1, closed: 1 });
});

// The proxy pair without a worker: `post` serves the request at once, so
// `sendSync` finds it answered and never waits. A tiny buffer forces chunks.

function pair(mounts: Vfs[], room: number): { vfs: (i: number) => ProxyVfs; owner: VfsProxyOwner } {
  const sab = new SharedArrayBuffer(8 + 4 + 4096 + room);
  const owner = new VfsProxyOwner(mounts, sab);
  const call = (req: FsRequest, payload?: Uint8Array) => sendSync(sab, (m) => owner.serve(m as FsRequest), req, payload);
  return { vfs: (i) => new ProxyVfs(call, i, room), owner };
}

test('vfs proxy: reads and writes larger than the buffer room go in chunks, whole', () => {
  const mem = new MemoryVfs();
  const { vfs, owner } = pair([mem], 100);
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
  const f = vfs(0).open(['big.bin'], { read: true, write: true, create: true });
  assert.equal(f.write(bytes, 0), 1000);
  assert.deepEqual(mem.readFile('big.bin'), bytes);
  const into = new Uint8Array(1200);
  assert.equal(f.read(into, 0), 1000, 'a read past the end is short, by the real count');
  assert.deepEqual(into.subarray(0, 1000), bytes);
  assert.equal(f.size(), 1000);
  f.truncate(10);
  assert.equal(vfs(0).lstat(['big.bin']).size, 10);
  f.close();
  assert.equal(owner.openFiles, 0);
});

test('vfs proxy: an owner VfsError comes back as the same code and message; any other failure is EIO', () => {
  const broken = {
    lstat: () => {
      throw new Error('/host/secret/path exploded');
    },
  } as unknown as Vfs;
  const { vfs } = pair([new MemoryVfs(), broken], 100);
  assert.throws(
    () => vfs(0).lstat(['missing']),
    (e: unknown) => e instanceof VfsError && e.code === 'ENOENT',
  );
  let direct: unknown;
  try {
    new MemoryVfs().lstat(['missing']);
  } catch (e) {
    direct = e;
  }
  assert.throws(
    () => vfs(0).lstat(['missing']),
    (e: unknown) => e instanceof VfsError && e.message === (direct as VfsError).message,
  );
  assert.throws(
    () => vfs(1).lstat(['x']),
    (e: unknown) => e instanceof VfsError && e.code === 'EIO' && !e.message.includes('/host'),
  );
});

test('vfs proxy: a mount index or handle the call was not given is EBADF, and nothing is served after closeAll', () => {
  const mem = new MemoryVfs().writeFile('a.txt', 'a');
  const { vfs, owner } = pair([mem], 100);
  const isBadf = (e: unknown): boolean => e instanceof VfsError && e.code === 'EBADF';
  assert.throws(() => vfs(1).lstat(['a.txt']), isBadf);
  assert.throws(() => vfs(-1).lstat(['a.txt']), isBadf);
  const f = vfs(0).open(['a.txt'], { read: true, write: false });
  f.close();
  assert.throws(() => f.size(), isBadf, 'a closed handle is gone');
  const g = vfs(0).open(['a.txt'], { read: true, write: false });
  assert.equal(owner.openFiles, 1);
  owner.closeAll();
  assert.equal(owner.openFiles, 0);
  assert.throws(() => g.size(), isBadf);
  assert.throws(() => vfs(0).lstat(['a.txt']), isBadf);
});
