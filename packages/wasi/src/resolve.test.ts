import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VfsError } from '@airlock/core';
import { PathDenied } from './denial.js';
import { MemoryVfs } from './memory-vfs.js';
import { MAX_SYMLINK_HOPS, resolveInMount } from './resolve.js';

const vfs = new MemoryVfs()
  .writeFile('a/b/c.txt', 'c')
  .writeFile('f.txt', 'f')
  .symlink('to-f', 'f.txt')
  .symlink('to-a', 'a')
  .symlink('a/up', '..')
  .symlink('a/out', '../..')
  .symlink('abs', '/a');

const follow = { followFinal: true } as const;
const denied = (errno: string) => (e: unknown) => e instanceof PathDenied && e.errno === errno;
const fails = (c: string) => (e: unknown) => e instanceof VfsError && e.code === c;

test('resolve: plain components', () => {
  assert.deepEqual(resolveInMount(vfs, 'a/b/c.txt', follow), ['a', 'b', 'c.txt']);
});

test('resolve: `.` and empty components are folded', () => {
  assert.deepEqual(resolveInMount(vfs, './a//b/./c.txt', follow), ['a', 'b', 'c.txt']);
});

test('resolve: `.` alone is the base', () => {
  assert.deepEqual(resolveInMount(vfs, '.', { followFinal: true, base: ['a'] }), ['a']);
});

test('resolve: `..` inside the mount pops', () => {
  assert.deepEqual(resolveInMount(vfs, 'a/b/../b/c.txt', follow), ['a', 'b', 'c.txt']);
});

test('resolve: `..` above the root is ENOTCAPABLE', () => {
  assert.throws(() => resolveInMount(vfs, 'a/../..', follow), denied('ENOTCAPABLE'));
});

test('resolve: `..` from a directory fd may climb to the mount root, not past it', () => {
  assert.deepEqual(resolveInMount(vfs, '../f.txt', { followFinal: true, base: ['a'] }), ['f.txt']);
  assert.throws(() => resolveInMount(vfs, '../../f.txt', { followFinal: true, base: ['a'] }), denied('ENOTCAPABLE'));
});

test('resolve: an absolute path is ENOTCAPABLE', () => {
  assert.throws(() => resolveInMount(vfs, '/a', follow), denied('ENOTCAPABLE'));
});

test('resolve: a NUL byte is EINVAL', () => {
  assert.throws(() => resolveInMount(vfs, 'f.txt\0x', follow), denied('EINVAL'));
});

test('resolve: the empty path is ENOENT', () => {
  assert.throws(() => resolveInMount(vfs, '', follow), fails('ENOENT'));
});

test('resolve: a final symlink is followed only when asked', () => {
  assert.deepEqual(resolveInMount(vfs, 'to-f', follow), ['f.txt']);
  assert.deepEqual(resolveInMount(vfs, 'to-f', { followFinal: false }), ['to-f']);
});

test('resolve: a symlink in the middle is always followed', () => {
  assert.deepEqual(resolveInMount(vfs, 'to-a/b/c.txt', { followFinal: false }), ['a', 'b', 'c.txt']);
});

test('resolve: a relative target is resolved from the link directory', () => {
  assert.deepEqual(resolveInMount(vfs, 'a/up/f.txt', follow), ['f.txt']);
});

test('resolve: a target climbing above the root is ENOTCAPABLE', () => {
  assert.throws(() => resolveInMount(vfs, 'a/out/x', follow), denied('ENOTCAPABLE'));
});

test('resolve: an absolute target is ENOTCAPABLE', () => {
  assert.throws(() => resolveInMount(vfs, 'abs', follow), denied('ENOTCAPABLE'));
});

test('resolve: a missing last component is returned for create', () => {
  assert.deepEqual(resolveInMount(vfs, 'a/new.txt', follow), ['a', 'new.txt']);
});

test('resolve: a missing middle component is ENOENT', () => {
  assert.throws(() => resolveInMount(vfs, 'nope/x', follow), fails('ENOENT'));
});

test('resolve: a file used as a directory is ENOTDIR', () => {
  assert.throws(() => resolveInMount(vfs, 'f.txt/x', follow), fails('ENOTDIR'));
});

test('resolve: a trailing slash on a file is ENOTDIR', () => {
  assert.throws(() => resolveInMount(vfs, 'f.txt/', { followFinal: false }), fails('ENOTDIR'));
});

test('resolve: a trailing slash follows a final symlink to a directory', () => {
  assert.deepEqual(resolveInMount(vfs, 'to-a/', { followFinal: false }), ['a']);
});

test(`resolve: more than ${MAX_SYMLINK_HOPS} hops is ELOOP`, () => {
  const chain = new MemoryVfs().writeFile('end', 'x');
  for (let i = 0; i <= MAX_SYMLINK_HOPS; i++) chain.symlink(`l${i}`, i === 0 ? 'end' : `l${i - 1}`);
  assert.deepEqual(resolveInMount(chain, `l${MAX_SYMLINK_HOPS - 1}`, follow), ['end']);
  assert.throws(() => resolveInMount(chain, `l${MAX_SYMLINK_HOPS}`, follow), fails('ELOOP'));
});
