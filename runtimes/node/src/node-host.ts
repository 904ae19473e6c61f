/**
 * The Node Host: the core's view of a Node process (DESIGN.md §3, "Host").
 * Each ability is a thin translation of a Node API; nothing here decides
 * what a tool may do (that is policy and grants).
 */

import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Host, HostClock, HostCrypto, HostFs, HostSecrets, HostStorage, HostWorkers } from '@airlock/core';
import { openNodeLog } from './append-log.js';
import { createNodeNet } from './node-net.js';
import { nodeRootVfs } from './node-vfs.js';
import { spawnNodeWorker } from './worker.js';

/**
 * Which abilities the host offers. Every one defaults to on; turn one off to
 * hand the core a host without it (it then reports HOST_UNSUPPORTED).
 */
export interface NodeHostOptions {
  readonly fs?: boolean;
  readonly storage?: boolean;
  readonly workers?: boolean;
  /** Outbound HTTP for egress grants (only ever used through @airlock/egress's checks). */
  readonly net?: boolean;
  /** Secret values for net grants, read from this process's environment. */
  readonly secrets?: boolean;
}

const clock: HostClock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

const crypto: HostCrypto = {
  sha256,
  randomBytes: (length) => copy(randomBytes(length)),
};

const fs: HostFs = {
  root: (path) => nodeRootVfs(path),
  readFile: (path) => copy(readFileSync(path)),
  resolve: (base, path) => resolve(base, path),
  dirname: (path) => dirname(path),
  exists: (path) => existsSync(path),
};

/** Read at each call, so a rotated variable takes effect without a restart. */
const secrets: HostSecrets = { read: (ref) => process.env[ref.env] };
const net = createNodeNet();

const storage: HostStorage = { openLog: (path) => openNodeLog(path) };
const workers: HostWorkers = { spawn: (url) => spawnNodeWorker(url) };

/** A plain Uint8Array (not a Buffer, whose methods differ) with the same bytes. */
// `crypto.hash` (Node ≥ 20.12) is the one-shot digest: no Hash object, and
// its Buffer is already a fresh Uint8Array, so no copy. The audit chain
// hashes twice per record, on the hot path.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Uint8Array }).hash;
function sha256(data: Uint8Array): Uint8Array {
  return oneShot ? oneShot('sha256', data, 'buffer') : copy(createHash('sha256').update(data).digest());
}

function copy(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer);
}

export function createNodeHost(opts: NodeHostOptions = {}): Host {
  return {
    name: 'node',
    clock,
    crypto,
    ...(opts.fs === false ? {} : { fs }),
    ...(opts.storage === false ? {} : { storage }),
    ...(opts.workers === false ? {} : { workers }),
    ...(opts.net === false ? {} : { net }),
    ...(opts.secrets === false ? {} : { secrets }),
  };
}
