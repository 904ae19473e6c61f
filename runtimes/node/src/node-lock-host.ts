/**
 * The log lock's primitives on Node (see log-lock.ts for the protocol).
 * Synchronous on purpose: taking a lock is a few tiny file calls once per
 * open, and the exit hook must be synchronous anyway.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { LockHost } from './log-lock.js';

const code = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

export const nodeLockHost: LockHost = {
  createExclusive(path, text) {
    try {
      writeFileSync(path, text, { flag: 'wx' }); // O_CREAT | O_EXCL
      return true;
    } catch (error) {
      if (code(error) === 'EEXIST') return false;
      throw error;
    }
  },
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      if (code(error) === 'ENOENT') return undefined;
      throw error;
    }
  },
  rename(from, to) {
    try {
      renameSync(from, to);
      return true;
    } catch (error) {
      if (code(error) === 'ENOENT') return false;
      throw error;
    }
  },
  link(existing, path) {
    try {
      linkSync(existing, path);
      return true;
    } catch (error) {
      if (code(error) === 'EEXIST') return false;
      throw error;
    }
  },
  remove: (path) => rmSync(path, { force: true }),
  processState(pid) {
    try {
      process.kill(pid, 0); // signal 0: the existence and permission check only
      return 'alive';
    } catch (error) {
      if (code(error) === 'ESRCH') return 'dead';
      return code(error) === 'EPERM' ? 'alive' : 'unknown'; // EPERM: it runs, as another user
    }
  },
  onExit(fn) {
    process.on('exit', fn);
    return () => process.off('exit', fn);
  },
  pid: process.pid,
  hostname: hostname(),
  processStart: performance.timeOrigin,
  now: () => Date.now(),
  token: () => randomBytes(8).toString('hex'),
};
