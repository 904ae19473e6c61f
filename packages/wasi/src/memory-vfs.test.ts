import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VfsError } from '@airlock/core';
import { MemoryVfs } from './memory-vfs.js';

const code = (c: string) => (e: unknown) => e instanceof VfsError && e.code === c;
const rw = { read: true, write: true } as const;

test('MemoryVfs: a written file reads back', () => {
  const vfs = new MemoryVfs().writeFile('a/b.txt', 'hello');
  const f = vfs.open(['a', 'b.txt'], { read: true, write: false });
  const buf = new Uint8Array(10);
  assert.equal(f.read(buf, 0), 5);
  assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), 'hello');
});

test('MemoryVfs: inode numbers are stable across rename', () => {
  const vfs = new MemoryVfs().writeFile('x', '1');
  const ino = vfs.lstat(['x']).ino;
  vfs.rename(['x'], ['y']);
  assert.equal(vfs.lstat(['y']).ino, ino);
});

test('MemoryVfs: inode numbers are never reused', () => {
  const vfs = new MemoryVfs().writeFile('x', '1');
  const ino = vfs.lstat(['x']).ino;
  vfs.unlink(['x']);
  vfs.writeFile('x', '2');
  assert.notEqual(vfs.lstat(['x']).ino, ino);
});

test('MemoryVfs: lstat and open do not follow symlinks', () => {
  const vfs = new MemoryVfs().writeFile('t', 'x').symlink('l', 't');
  assert.equal(vfs.lstat(['l']).type, 'symlink');
  assert.equal(vfs.readlink(['l']), 't');
  assert.throws(() => vfs.open(['l'], rw), code('ELOOP'));
});

test('MemoryVfs: symlink targets are stored verbatim, even absolute ones', () => {
  const vfs = new MemoryVfs().symlink('l', '/etc/passwd');
  assert.equal(vfs.readlink(['l']), '/etc/passwd');
});

test('MemoryVfs: bad components are refused (defence in depth)', () => {
  const vfs = new MemoryVfs();
  for (const bad of [['..'], ['.'], [''], ['a/b'], ['a\0']]) assert.throws(() => vfs.lstat(bad), code('EINVAL'));
});

test('MemoryVfs: create exclusive on an existing file is EEXIST', () => {
  const vfs = new MemoryVfs().writeFile('x', '1');
  assert.throws(() => vfs.open(['x'], { ...rw, create: true, exclusive: true }), code('EEXIST'));
});

test('MemoryVfs: open without create on a missing file is ENOENT', () => {
  assert.throws(() => new MemoryVfs().open(['x'], rw), code('ENOENT'));
});

test('MemoryVfs: truncate on open empties the file', () => {
  const vfs = new MemoryVfs().writeFile('x', 'abc');
  vfs.open(['x'], { ...rw, truncate: true }).close();
  assert.equal(vfs.lstat(['x']).size, 0);
});

test('MemoryVfs: a read-only handle cannot write', () => {
  const f = new MemoryVfs().writeFile('x', 'abc').open(['x'], { read: true, write: false });
  assert.throws(() => f.write(new Uint8Array(1), 0), code('EBADF'));
});

test('MemoryVfs: writing past the end zero-fills the gap', () => {
  const vfs = new MemoryVfs().writeFile('x', 'ab');
  vfs.open(['x'], rw).write(new Uint8Array([67]), 4);
  assert.deepEqual([...(vfs.readFile('x') ?? [])], [97, 98, 0, 0, 67]);
});

test('MemoryVfs: an unlinked open file stays usable', () => {
  const vfs = new MemoryVfs().writeFile('x', 'abc');
  const f = vfs.open(['x'], rw);
  vfs.unlink(['x']);
  assert.equal(f.size(), 3);
});

test('MemoryVfs: rmdir of a non-empty directory is ENOTEMPTY', () => {
  const vfs = new MemoryVfs().writeFile('d/x', '1');
  assert.throws(() => vfs.rmdir(['d']), code('ENOTEMPTY'));
});

test('MemoryVfs: unlink of a directory is EISDIR', () => {
  assert.throws(() => new MemoryVfs().mkdirp('d').unlink(['d']), code('EISDIR'));
});

test('MemoryVfs: a directory cannot move into itself', () => {
  const vfs = new MemoryVfs().mkdirp('d/e');
  assert.throws(() => vfs.rename(['d'], ['d', 'e', 'f']), code('EINVAL'));
});

test('MemoryVfs: the root cannot be removed or renamed', () => {
  const vfs = new MemoryVfs();
  assert.throws(() => vfs.rmdir([]), code('EPERM'));
  assert.throws(() => vfs.rename([], ['x']), code('EPERM'));
});

test('MemoryVfs: readdir lists names and types', () => {
  const vfs = new MemoryVfs().writeFile('f', '').mkdirp('d').symlink('l', 'f');
  assert.deepEqual(
    vfs.readdir([]).sort((a, b) => a.name.localeCompare(b.name)),
    [
      { name: 'd', type: 'dir' },
      { name: 'f', type: 'file' },
      { name: 'l', type: 'symlink' },
    ],
  );
});
