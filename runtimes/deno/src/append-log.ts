/**
 * A durable append-only log on one host file, on Deno. Async file calls, so
 * a `syncData` (fdatasync) does not block the event loop; operations are
 * queued so a `sync()` covers every `append()` issued before it.
 *
 * One writer per log: opening takes the log's lock file first (the same
 * protocol as on Node) and refuses with AUDIT_LOCKED, touching nothing,
 * when another writer holds it; `close` releases it.
 */

import { dirname } from 'node:path';
import type { AppendLog } from '@airlock/core';
import { acquireLogLock, type LogLock } from '@airlock/runtime-node';
import { type DenoApi, type DenoFsFile, SEEK_START } from './deno-api.js';
import { denoLockHost } from './deno-lock-host.js';

export async function openDenoLog(deno: DenoApi, path: string): Promise<AppendLog> {
  const dir = dirname(path);
  await deno.mkdir(dir, { recursive: true });
  const lock = acquireLogLock(denoLockHost(deno), path); // before the log is touched, even created
  try {
    let file: DenoFsFile;
    let created = false;
    try {
      file = await deno.open(path, { read: true, append: true, createNew: true });
      created = true;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      file = await deno.open(path, { read: true, append: true });
    }
    // A new file's directory entry is durable only once its directory is synced.
    if (created) await syncDir(deno, dir);
    return new DenoAppendLog(file, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function syncDir(deno: DenoApi, dir: string): Promise<void> {
  let d: DenoFsFile | undefined;
  try {
    d = await deno.open(dir, { read: true });
    await d.sync();
  } catch {
    // Not every platform can open or fsync a directory (Windows).
  } finally {
    d?.close();
  }
}

class DenoAppendLog implements AppendLog {
  #file: DenoFsFile | undefined;
  #lock: LogLock;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: DenoFsFile, lock: LogLock) {
    this.#file = file;
    this.#lock = lock;
  }

  #enqueue<T>(op: (file: DenoFsFile) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      const file = this.#file;
      if (file === undefined) throw new Error('append log is closed');
      return op(file);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  readAll(): Promise<Uint8Array> {
    return this.#enqueue(async (file) => {
      const { size } = await file.stat();
      const out = new Uint8Array(size);
      await file.seek(0, SEEK_START); // reads only: O_APPEND writes still go to the end
      let done = 0;
      while (done < size) {
        const n = await file.read(out.subarray(done));
        if (n === null || n === 0) break;
        done += n;
      }
      return done === size ? out : out.subarray(0, done);
    });
  }

  append(data: Uint8Array): Promise<void> {
    const copy = data.slice(); // the caller may reuse its buffer before we write
    return this.#enqueue(async (file) => {
      let done = 0;
      while (done < copy.byteLength) done += await file.write(copy.subarray(done));
    });
  }

  sync(): Promise<void> {
    return this.#enqueue((file) => file.syncData());
  }

  truncate(length: number): Promise<void> {
    if (!Number.isSafeInteger(length) || length < 0) return Promise.reject(new RangeError(`bad log length ${length}`));
    return this.#enqueue(async (file) => {
      await file.truncate(length);
      await file.syncData();
    });
  }

  /** Close after every queued operation, then release the lock; closing twice is fine. */
  close(): Promise<void> {
    const run = this.#queue.then(() => {
      const file = this.#file;
      this.#file = undefined;
      try {
        file?.close();
      } finally {
        this.#lock.release();
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
