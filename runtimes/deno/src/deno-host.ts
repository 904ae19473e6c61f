/**
 * The Deno Host: the core's view of a Deno process (DESIGN.md §3, "Host").
 *
 * Two `node:` built-ins, both part of Deno itself (no npm download):
 * `node:crypto` because the Host contract wants a synchronous SHA-256 (the
 * audit chain hashes on the hot path) and WebCrypto's `digest` is async
 * only; `node:path` for `resolve`/`dirname`, which must follow the host's
 * path rules (Windows included) and which the Deno namespace does not offer.
 *
 * The network is `createNodeNet` from @airlock/runtime-node, unchanged: Deno
 * 2's `node:http`/`node:https` honour the socket's `lookup` hook, so the
 * egress address check runs on the address actually connected to, as on
 * Node (docs/decisions/0007; the escape corpus's fetch cases run on both).
 * Secrets come from `Deno.env`, read per call.
 */

import { createHash, randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { Host, HostClock, HostCrypto, HostFs, HostSecrets, HostStorage, HostWorkers } from '@airlock/core';
import { createNodeNet } from '@airlock/runtime-node';
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
  /** Outbound requests (Host.net), through node:http's lookup hook. */
  readonly net?: boolean;
  /** Secrets from the process environment (Host.secrets). */
  readonly secrets?: boolean;
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
  const secrets: HostSecrets = {
    read(ref) {
      try {
        return deno.env.get(ref.env);
      } catch {
        return undefined; // not allowed to read it (--allow-env): the secret is unset, the request denied
      }
    },
  };
  return {
    name: 'deno',
    clock,
    crypto,
    ...(opts.fs === false ? {} : { fs }),
    ...(opts.storage === false ? {} : { storage }),
    ...(opts.workers === false ? {} : { workers }),
    ...(opts.net === false ? {} : { net: createNodeNet() }),
    ...(opts.secrets === false ? {} : { secrets }),
  };
}
