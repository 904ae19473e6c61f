import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputFd, StdinFd } from './fd-stdio.js';
import { LimitTrap } from './limit-trap.js';

test('stdin: reads the input then EOF', () => {
  const fd = new StdinFd(new Uint8Array([1, 2, 3]));
  assert.deepEqual([...fd.fd_read(2).data], [1, 2]);
  assert.deepEqual([...fd.fd_read(2).data], [3]);
  assert.equal(fd.fd_read(2).data.length, 0);
});

test('stdout: past the cap throws the output limit and keeps the prefix', () => {
  const fd = new OutputFd(4, 'trap');
  fd.fd_write(new Uint8Array([1, 2, 3]));
  assert.throws(
    () => fd.fd_write(new Uint8Array([4, 5])),
    (e: unknown) => e instanceof LimitTrap && e.kind === 'output',
  );
  assert.deepEqual([...fd.bytes()], [1, 2, 3, 4]);
});

test('stderr: past the cap is dropped, flagged and reported as written', () => {
  const fd = new OutputFd(4, 'drop');
  assert.equal(fd.fd_write(new Uint8Array(6)).nwritten, 6);
  assert.equal(fd.bytes().length, 4);
  assert.equal(fd.truncated, true);
  assert.equal(fd.attempted, 6);
});
