import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VfsError } from '@airlock/core';
import { MemoryVfs } from './memory-vfs.js';
import { ReadOnlyVfs } from './read-only-vfs.js';
import { WriteQuota, WriteQuotaVfs } from './write-quota-vfs.js';

const code = (c: string) => (e: unknown) => e instanceof VfsError && e.code === c;
const bytes = (n: number) => new Uint8Array(n);

test('read-only: every mutation is EROFS', () => {
  const ro = new ReadOnlyVfs(new MemoryVfs().writeFile('f', 'x').mkdirp('d'));
  assert.throws(() => ro.mkdir(['n']), code('EROFS'));
  assert.throws(() => ro.unlink(['f']), code('EROFS'));
  assert.throws(() => ro.rmdir(['d']), code('EROFS'));
  assert.throws(() => ro.rename(['f'], ['g']), code('EROFS'));
});

test('read-only: opening for write, create or truncate is EROFS', () => {
  const ro = new ReadOnlyVfs(new MemoryVfs().writeFile('f', 'x'));
  assert.throws(() => ro.open(['f'], { read: true, write: true }), code('EROFS'));
  assert.throws(() => ro.open(['n'], { read: true, write: false, create: true }), code('EROFS'));
  assert.throws(() => ro.open(['f'], { read: true, write: false, truncate: true }), code('EROFS'));
});

test('read-only: a file opened for reading cannot be written through the wrapper', () => {
  const inner = new MemoryVfs().writeFile('f', 'x');
  const file = new ReadOnlyVfs(inner).open(['f'], { read: true, write: false });
  assert.throws(() => file.write(bytes(1), 0), code('EROFS'));
  assert.throws(() => file.truncate(0), code('EROFS'));
  assert.equal(inner.lstat(['f']).size, 1);
});

test('quota: writes within the quota are counted', () => {
  const quota = new WriteQuota(10);
  const f = new WriteQuotaVfs(new MemoryVfs(), quota).open(['f'], { read: true, write: true, create: true });
  f.write(bytes(4), 0);
  f.write(bytes(4), 0);
  assert.equal(quota.used, 8);
  assert.equal(quota.exceeded, false);
});

test('quota: a write past the quota is EDQUOT and writes nothing', () => {
  const quota = new WriteQuota(10);
  const f = new WriteQuotaVfs(new MemoryVfs(), quota).open(['f'], { read: true, write: true, create: true });
  f.write(bytes(8), 0);
  assert.throws(() => f.write(bytes(3), 8), code('EDQUOT'));
  assert.equal(f.size(), 8);
  assert.equal(quota.exceeded, true);
});

test('quota: a write far past the end is charged for the gap', () => {
  const f = new WriteQuotaVfs(new MemoryVfs(), new WriteQuota(1024)).open(['f'], { read: true, write: true, create: true });
  assert.throws(() => f.write(bytes(1), 1 << 30), code('EDQUOT'));
});

test('quota: growing a file with truncate is charged', () => {
  const f = new WriteQuotaVfs(new MemoryVfs(), new WriteQuota(1024)).open(['f'], { read: true, write: true, create: true });
  assert.throws(() => f.truncate(1 << 30), code('EDQUOT'));
  f.truncate(100);
  f.truncate(0);
  assert.equal(f.size(), 0);
});

test('quota: deleting does not give bytes back', () => {
  const quota = new WriteQuota(10);
  const vfs = new WriteQuotaVfs(new MemoryVfs(), quota);
  vfs.open(['a'], { read: false, write: true, create: true }).write(bytes(8), 0);
  vfs.unlink(['a']);
  assert.throws(() => vfs.open(['b'], { read: false, write: true, create: true }).write(bytes(8), 0), code('EDQUOT'));
});

test('quota: one quota is shared by every mount of a call', () => {
  const quota = new WriteQuota(10);
  new WriteQuotaVfs(new MemoryVfs(), quota).open(['a'], { read: false, write: true, create: true }).write(bytes(6), 0);
  const other = new WriteQuotaVfs(new MemoryVfs(), quota).open(['b'], { read: false, write: true, create: true });
  assert.throws(() => other.write(bytes(6), 0), code('EDQUOT'));
});
