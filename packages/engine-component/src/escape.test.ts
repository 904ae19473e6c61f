/**
 * Escape tests for components: the preview1 escape cases (engine-wasip1's
 * escape.test.ts), run by the probe fixture made a WASI 0.2 component with
 * jco's preview1 adapter, so every file-system call goes through our
 * wasi:filesystem host. Each names the attack and expects a refusal the
 * guest sees as an errno, a denial in the outcome for the audit log, and
 * nothing changed in either mount.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Mount, RunOutcome } from '@airlock/core';
import { MemoryVfs } from '@airlock/wasi';
import { report, runComponent, text } from './harness.test.js';

function workspace(): MemoryVfs {
  return new MemoryVfs()
    .writeFile('notes.txt', 'notes')
    .writeFile('sub/inner.txt', 'inner')
    .mkdirp('a/b')
    .symlink('ok-link', 'notes.txt')
    .symlink('ok-dir-link', 'sub')
    .symlink('up-file', '../outside.txt')
    .symlink('abs-file', '/etc/passwd')
    .symlink('up-dir', '..')
    .symlink('abs-dir', '/')
    .symlink('sub/escape-mid', '../../')
    .symlink('dangle', '../created-outside.txt')
    .symlink('loop-a', 'loop-b')
    .symlink('loop-b', 'loop-a');
}

const data = (): MemoryVfs => new MemoryVfs().writeFile('secret.txt', 'secret').mkdirp('d');

interface World {
  readonly ws: MemoryVfs;
  readonly data: MemoryVfs;
}

async function probe(op: Record<string, unknown>): Promise<{ out: RunOutcome; world: World }> {
  const ws = workspace();
  const d = data();
  const mounts: Mount[] = [
    { path: '/workspace', vfs: ws, access: 'read-write' },
    { path: '/data', vfs: d, access: 'read' },
  ];
  const out = await runComponent('probe', { input: JSON.stringify(op), mounts });
  return { out, world: { ws, data: d } };
}

function assertUnchanged(world: World): void {
  assert.deepEqual(world.ws.list(), workspace().list());
  assert.deepEqual(world.data.list(), data().list());
  assert.equal(text(world.data.readFile('secret.txt') ?? new Uint8Array()), 'secret');
  assert.equal(text(world.ws.readFile('notes.txt') ?? new Uint8Array()), 'notes');
}

function assertDenied(out: RunOutcome, errno: string, op: string): void {
  const r = report(out);
  assert.equal(r.ok, false, `the guest's operation succeeded: ${text(out.stdout)}`);
  assert.equal(r.data, null);
  const hit = out.denials?.find((d) => d.op === op && d.errno === errno);
  assert.ok(hit, `expected a ${op} ${errno} denial, got ${JSON.stringify(out.denials)}`);
}

// [attack, probe op, path, extra, denial errno, denial op]
const escapes: ReadonlyArray<[string, string, string, Record<string, unknown>, string, string]> = [
  ['dot-dot at the mount root', 'read', '/workspace/..', {}, 'ENOTCAPABLE', 'open-at'],
  ['dot-dot after a directory (a/../..)', 'read', '/workspace/a/../../x', {}, 'ENOTCAPABLE', 'open-at'],
  ['dot-dot deeper than the walk down', 'read', '/workspace/a/b/../../../x', {}, 'ENOTCAPABLE', 'open-at'],
  ['dot-dot into a sibling mount', 'read', '/workspace/../data/secret.txt', {}, 'ENOTCAPABLE', 'open-at'],
  ['pre-existing file symlink to ../outside', 'read', '/workspace/up-file', {}, 'ENOTCAPABLE', 'open-at'],
  ['pre-existing file symlink to an absolute path', 'read', '/workspace/abs-file', {}, 'ENOTCAPABLE', 'open-at'],
  ['pre-existing directory symlink to ..', 'read', '/workspace/up-dir/x', {}, 'ENOTCAPABLE', 'open-at'],
  ['pre-existing directory symlink to /', 'read', '/workspace/abs-dir/etc/passwd', {}, 'ENOTCAPABLE', 'open-at'],
  ['directory symlink in the middle of a path', 'read', '/workspace/sub/escape-mid/etc/passwd', {}, 'ENOTCAPABLE', 'open-at'],
  ['listing the parent of the mount root', 'list', '/workspace/..', {}, 'ENOTCAPABLE', 'open-at'],
  ['create through dot-dot', 'write', '/workspace/../evil.txt', { text: 'x' }, 'ENOTCAPABLE', 'open-at'],
  ['create through a dangling symlink that points outside', 'write', '/workspace/dangle', { text: 'x' }, 'ENOTCAPABLE', 'open-at'],
  ['truncate a sibling mount file through dot-dot', 'write', '/workspace/../data/secret.txt', { text: '' }, 'ENOTCAPABLE', 'open-at'],
  ['mkdir through dot-dot', 'mkdir', '/workspace/../evil', {}, 'ENOTCAPABLE', 'create-directory-at'],
  ['unlink through a directory symlink to outside', 'unlink', '/workspace/up-dir/notes.txt', {}, 'ENOTCAPABLE', 'unlink-file-at'],
  ['rename out of the mount', 'rename', '/workspace/notes.txt', { to: '/workspace/../notes.txt' }, 'ENOTCAPABLE', 'rename-at'],
  ['guest-created symlink to a host path', 'symlink', '/workspace/new-link', { to: '/etc/passwd' }, 'EPERM', 'symlink-at'],
  ['guest-created symlink with a harmless target', 'symlink', '/workspace/new-link', { to: 'notes.txt' }, 'EPERM', 'symlink-at'],
];

for (const [attack, op, path, extra, errno, hostOp] of escapes) {
  test(`component escape: ${attack} → refused, ${errno} denial recorded, nothing changed`, async () => {
    const { out, world } = await probe({ op, path, ...extra });
    assertDenied(out, errno, hostOp);
    assertUnchanged(world);
  });
}

const readOnly: ReadonlyArray<[string, Record<string, unknown>, string]> = [
  ['write to an existing file', { op: 'write', path: '/data/secret.txt', text: 'x' }, 'open-at'],
  ['create a file', { op: 'create', path: '/data/new.txt', text: 'x' }, 'open-at'],
  ['truncate a file', { op: 'truncate', path: '/data/secret.txt', bytes: 0 }, 'open-at'],
  ['unlink a file', { op: 'unlink', path: '/data/secret.txt' }, 'unlink-file-at'],
  ['mkdir', { op: 'mkdir', path: '/data/newdir' }, 'create-directory-at'],
  ['rename inside the mount', { op: 'rename', path: '/data/secret.txt', to: '/data/moved.txt' }, 'rename-at'],
  ['rename into the writable mount', { op: 'rename', path: '/data/secret.txt', to: '/workspace/stolen.txt' }, 'rename-at'],
];

for (const [attack, input, hostOp] of readOnly) {
  test(`component read-only mount: ${attack} → EROFS denial, nothing changed`, async () => {
    const { out, world } = await probe(input);
    assertDenied(out, 'EROFS', hostOp);
    assertUnchanged(world);
  });
}

test('component: an absolute path outside every mount never reaches the host', async () => {
  const { out, world } = await probe({ op: 'read', path: '/etc/passwd' });
  assert.equal(report(out).ok, false);
  assert.equal(report(out).data, null);
  assertUnchanged(world);
});

test('component: reading a granted mount works, and a read-only mount is readable', async () => {
  assert.equal(report((await probe({ op: 'read', path: '/workspace/notes.txt' })).out).data, 'notes');
  assert.equal(report((await probe({ op: 'read', path: '/data/secret.txt' })).out).data, 'secret');
});

test('component: symlinks and dot-dot that stay inside the mount are followed', async () => {
  assert.equal(report((await probe({ op: 'read', path: '/workspace/ok-link' })).out).data, 'notes');
  assert.equal(report((await probe({ op: 'read', path: '/workspace/ok-dir-link/inner.txt' })).out).data, 'inner');
  assert.equal(report((await probe({ op: 'read', path: '/workspace/a/b/../../sub/./inner.txt' })).out).data, 'inner');
});

test('component: a symlink loop is ELOOP, not a denial', async () => {
  const { out } = await probe({ op: 'read', path: '/workspace/loop-a' });
  assert.equal(report(out).errnoName, 'ELOOP');
  assert.equal(out.denials, undefined);
});

test('component: trailing slash on a file (notes.txt/) is ENOTDIR', async () => {
  const { out } = await probe({ op: 'read', path: '/workspace/notes.txt/' });
  assert.equal(report(out).errnoName, 'ENOTDIR');
});

test('component: a write lands in the read-write mount and nowhere else', async () => {
  const { out, world } = await probe({ op: 'write', path: '/workspace/new.txt', text: 'hello' });
  assert.equal(report(out).ok, true);
  assert.equal(text(world.ws.readFile('new.txt') ?? new Uint8Array()), 'hello');
  assert.deepEqual(world.data.list(), data().list());
});

test('component: the write quota stops a write past fsWriteBytes', async () => {
  const ws = workspace();
  const out = await runComponent('probe', {
    input: JSON.stringify({ op: 'write', path: '/workspace/big.txt', text: 'x'.repeat(5000) }),
    mounts: [{ path: '/workspace', vfs: ws, access: 'read-write' }],
    limits: { fsWriteBytes: 1000 },
  });
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'fs-write');
});
