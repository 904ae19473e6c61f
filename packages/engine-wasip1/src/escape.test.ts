/**
 * Escape tests: each names the attack and expects the guest to get an errno
 * (the probe exits with it) and, for a sandbox refusal, a denial in the
 * outcome for the audit log. The probe (test/fixtures/wat/probe.wat) does
 * one file-system call chosen by its stdin, on fd 3, the first preopen.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Mount, RunOutcome } from '@airlock/core';
import { ERRNO, type ErrnoName, MemoryVfs } from '@airlock/wasi';
import { runTool, text } from './harness.test.js';

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

function data(): MemoryVfs {
  return new MemoryVfs().writeFile('secret.txt', 'secret').mkdirp('d');
}

interface World {
  readonly ws: MemoryVfs;
  readonly data: MemoryVfs;
  readonly before: { ws: string[]; data: string[] };
}

/** Run the probe with `/workspace` (read-write) at fd 3 and `/data` (read-only) at fd 4, or swapped. */
async function probe(input: string, readOnlyFirst = false): Promise<{ out: RunOutcome; world: World }> {
  const ws = workspace();
  const d = data();
  const wsMount: Mount = { path: '/workspace', vfs: ws, access: 'read-write' };
  const dataMount: Mount = { path: '/data', vfs: d, access: 'read' };
  const out = await runTool('probe', { input, mounts: readOnlyFirst ? [dataMount, wsMount] : [wsMount, dataMount] });
  return { out, world: { ws, data: d, before: { ws: workspace().list(), data: data().list() } } };
}

function assertDenied(out: RunOutcome, errno: ErrnoName, op: string, path?: string): void {
  assert.equal(out.exitCode, ERRNO[errno], `guest got errno ${out.exitCode}, expected ${errno}`);
  const hit = out.denials?.find((d) => d.op === op && d.errno === errno && (path === undefined || d.path === path));
  assert.ok(hit, `expected a ${op} ${errno} denial, got ${JSON.stringify(out.denials)}`);
}

function assertUnchanged(world: World): void {
  assert.deepEqual(world.ws.list(), world.before.ws);
  assert.deepEqual(world.data.list(), world.before.data);
  assert.equal(text(world.data.readFile('secret.txt') ?? new Uint8Array()), 'secret');
  assert.equal(text(world.ws.readFile('notes.txt') ?? new Uint8Array()), 'notes');
}

const escapes: ReadonlyArray<[attack: string, input: string, errno: ErrnoName, op: string]> = [
  ['dot-dot at the mount root', 'o\n..', 'ENOTCAPABLE', 'path_open'],
  ['dot-dot after a directory (a/../..)', 'o\na/../..', 'ENOTCAPABLE', 'path_open'],
  ['dot then dot-dot (./../x)', 'o\n./../x', 'ENOTCAPABLE', 'path_open'],
  ['dot-dot deeper than the walk down (a/b/../../../x)', 'o\na/b/../../../x', 'ENOTCAPABLE', 'path_open'],
  ['dot-dot into a sibling mount (../data/secret.txt)', 'o\n../data/secret.txt', 'ENOTCAPABLE', 'path_open'],
  ['absolute path to a host file', 'o\n/etc/passwd', 'ENOTCAPABLE', 'path_open'],
  ['absolute path naming the mount itself', 'o\n/workspace/notes.txt', 'ENOTCAPABLE', 'path_open'],
  ['pre-existing file symlink to ../outside', 'o\nup-file', 'ENOTCAPABLE', 'path_open'],
  ['pre-existing file symlink to an absolute path', 'o\nabs-file', 'ENOTCAPABLE', 'path_open'],
  ['pre-existing directory symlink to ..', 'o\nup-dir/x', 'ENOTCAPABLE', 'path_open'],
  ['pre-existing directory symlink to /', 'o\nabs-dir/etc/passwd', 'ENOTCAPABLE', 'path_open'],
  ['directory symlink in the middle of a path', 'o\nsub/escape-mid/etc/passwd', 'ENOTCAPABLE', 'path_open'],
  ['symlink to outside, not followed but statted', 'S\nup-file', 'ENOTCAPABLE', 'path_filestat_get'],
  ['listing the parent of the mount root', 'd\n..', 'ENOTCAPABLE', 'path_open'],
  ['NUL byte hiding a suffix (notes.txt\\0../..)', 'o\nnotes.txt\0../..', 'EINVAL', 'path_open'],
  ['create through dot-dot', 'c\n../evil.txt', 'ENOTCAPABLE', 'path_open'],
  ['create through a dangling symlink that points outside', 'c\ndangle', 'ENOTCAPABLE', 'path_open'],
  ['create with a NUL byte in the name', 'c\nnew\0file', 'EINVAL', 'path_open'],
  ['truncate a sibling mount file through dot-dot', 't\n../data/secret.txt', 'ENOTCAPABLE', 'path_open'],
  ['mkdir through dot-dot', 'm\n../evil', 'ENOTCAPABLE', 'path_create_directory'],
  ['unlink through a directory symlink to outside', 'u\nup-dir/notes.txt', 'ENOTCAPABLE', 'path_unlink_file'],
  ['rename out of the mount', 'R\nnotes.txt\n../notes.txt', 'ENOTCAPABLE', 'path_rename'],
  ['rename from outside into the mount', 'R\n../data/secret.txt\nstolen.txt', 'ENOTCAPABLE', 'path_rename'],
  ['remove the mount root', 'r\n.', 'EPERM', 'path_remove_directory'],
  ['guest-created symlink (path_symlink)', 's\n/etc/passwd\nnew-link', 'EPERM', 'path_symlink'],
  ['guest-created symlink with a harmless target', 's\nnotes.txt\nnew-link', 'EPERM', 'path_symlink'],
  ['guest-created hard link (path_link)', 'l\nnotes.txt\nnew-link', 'EPERM', 'path_link'],
];

for (const [attack, input, errno, op] of escapes) {
  test(`escape: ${attack} → ${errno}, denial recorded, nothing changed`, async () => {
    const { out, world } = await probe(input);
    assertDenied(out, errno, op);
    assert.equal(out.stdout.length, 0);
    assertUnchanged(world);
  });
}

const readOnly: ReadonlyArray<[attack: string, input: string, op: string]> = [
  ['write to an existing file', 'w\nsecret.txt', 'path_open'],
  ['create a file', 'c\nnew.txt', 'path_open'],
  ['create a file exclusively', 'e\nnew.txt', 'path_open'],
  ['truncate a file', 't\nsecret.txt', 'path_open'],
  ['unlink a file', 'u\nsecret.txt', 'path_unlink_file'],
  ['mkdir', 'm\nnewdir', 'path_create_directory'],
  ['rmdir', 'r\nd', 'path_remove_directory'],
  ['rename inside the mount', 'R\nsecret.txt\nmoved.txt', 'path_rename'],
];

for (const [attack, input, op] of readOnly) {
  test(`read-only mount: ${attack} → EROFS, denial recorded, nothing changed`, async () => {
    const { out, world } = await probe(input, true);
    assertDenied(out, 'EROFS', op);
    assertUnchanged(world);
  });
}

test('the denial names the guest path and operation', async () => {
  const { out } = await probe('o\na/../..');
  assert.deepEqual(out.denials, [{ op: 'path_open', path: '/workspace/a/../..', errno: 'ENOTCAPABLE' }]);
});

test('a NUL byte is shown escaped in the denial record', async () => {
  const { out } = await probe('o\nx\0y');
  assert.equal(out.denials?.[0]?.path, '/workspace/x\\0y');
});

test('read-only mount: reading is allowed', async () => {
  const { out } = await probe('o\nsecret.txt', true);
  assert.equal(out.status, 'ok');
  assert.equal(text(out.stdout), 'secret');
  assert.equal(out.denials, undefined);
});

test('rename from a writable mount into a read-only one is a refused write, recorded', async () => {
  const { out, world } = await probe('X\nnotes.txt\nstolen.txt');
  assert.equal(out.exitCode, ERRNO.EROFS);
  assert.equal(out.denials?.[0]?.errno, 'EROFS');
  assertUnchanged(world);
});

test('a symlink that stays inside the mount is followed', async () => {
  const { out } = await probe('o\nok-link');
  assert.equal(text(out.stdout), 'notes');
});

test('a directory symlink that stays inside the mount is followed', async () => {
  const { out } = await probe('o\nok-dir-link/inner.txt');
  assert.equal(text(out.stdout), 'inner');
});

test('dot-dot that stays inside the mount is allowed', async () => {
  const { out } = await probe('o\na/b/../../sub/./inner.txt');
  assert.equal(text(out.stdout), 'inner');
});

test('a symlink loop is ELOOP, not a denial', async () => {
  const { out } = await probe('o\nloop-a');
  assert.equal(out.exitCode, ERRNO.ELOOP);
  assert.equal(out.denials, undefined);
});

test('trailing slash on a file (notes.txt/) is ENOTDIR', async () => {
  const { out } = await probe('o\nnotes.txt/');
  assert.equal(out.exitCode, ERRNO.ENOTDIR);
});

test('creating a file with a trailing slash (new/) is EISDIR and creates nothing', async () => {
  const { out, world } = await probe('c\nnew/');
  assert.equal(out.exitCode, ERRNO.EISDIR);
  assertUnchanged(world);
});

test('unlink with a trailing slash on a file (notes.txt/) is ENOTDIR', async () => {
  const { out, world } = await probe('u\nnotes.txt/');
  assert.equal(out.exitCode, ERRNO.ENOTDIR);
  assertUnchanged(world);
});

test('opening a symlink without following it is ELOOP', async () => {
  const { out } = await probe('n\nok-link');
  assert.equal(out.exitCode, ERRNO.ELOOP);
});

test('readlink shows an escaping target verbatim but does not follow it', async () => {
  const { out } = await probe('L\nabs-file');
  assert.equal(out.status, 'ok');
  assert.equal(text(out.stdout), '/etc/passwd');
});

test('listing the mount root shows its entries and no name above it', async () => {
  const { out } = await probe('d\n.');
  assert.equal(out.status, 'ok');
  const listing = text(out.stdout);
  for (const name of ['notes.txt', 'sub', 'ok-link']) assert.ok(listing.includes(name), name);
  assert.ok(!listing.includes('workspace'));
});
