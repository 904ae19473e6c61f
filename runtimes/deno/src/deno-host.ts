/**
 * The Deno Host: the core's view of a Deno process (DESIGN.md §3, "Host").
 *
 * Two `node:` built-ins, both part of Deno itself (no npm download):
 * `node:crypto` because the Host contract wants a synchronous SHA-256 (the
 * audit chain hashes on the hot path) and WebCrypto's `digest` is async
 * only; `node:path` for `resolve`/`dirname`, which must follow the host's
 * path rules (Windows included) and which the Deno namespace does not offer.
 */

import { createHash, randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { Host, HostClock, HostCrypto, HostFs, HostStorage, HostWorkers } from '@airlock/core';
import { openDenoLog } from './append-log.js';
import { denoGlobals } from './deno-api.js';
import { denoRootVfs } from './deno-vfs.js';
import { spawnDenoWorker } from './worker.js';

/**
 * Which abilities the host offers. Every one defaults to on; turn one off to
 * hand the core a host without it (it then reports HOST_UNSUPPORTED).
 */
export interface DenoHostOptions {
  readonly fs?: boolean;
  readonly storage?: boolean;
  readonly workers?: boolean;
}

export function createDenoHost(opts: DenoHostOptions = {}): Host {
  const { deno, Worker } = denoGlobals();
  const clock: HostClock = {
    now: () => Date.now(),
    monotonic: () => performance.now(),
  };
  const crypto: HostCrypto = {
    sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
    randomBytes: (length) => new Uint8Array(randomBytes(length)),
  };
  const fs: HostFs = {
    root: (path) => denoRootVfs(deno, path),
    readFile: (path) => deno.readFileSync(path),
    resolve: (base, path) => resolve(base, path),
    dirname: (path) => dirname(path),
    exists(path) {
      try {
        deno.statSync(path); // follows links, like Node's existsSync
        return true;
      } catch {
        return false;
      }
    },
  };
  const storage: HostStorage = { openLog: (path) => openDenoLog(deno, path) };
  const workers: HostWorkers = { spawn: (url) => spawnDenoWorker(Worker, url) };
  return {
    name: 'deno',
    clock,
    crypto,
    ...(opts.fs === false ? {} : { fs }),
    ...(opts.storage === false ? {} : { storage }),
    ...(opts.workers === false ? {} : { workers }),
  };
}
