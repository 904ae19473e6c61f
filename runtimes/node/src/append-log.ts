/**
 * A durable append-only log on one host file, for the audit sink.
 *
 * Everything goes through `node:fs/promises`, so an fsync runs on libuv's
 * thread pool and never blocks the event loop. Operations are queued one
 * after another: a `sync()` issued after an `append()` covers it even when
 * the caller did not await the append.
 *
 * One writer per log: opening takes the log's lock file first (log-lock.ts)
 * and refuses with AUDIT_LOCKED, touching nothing, when another writer
 * holds it; `close` releases it.
 */

import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AppendLog } from '@airlock/core';
import { acquireLogLock, type LogLock } from './log-lock.js';
import { nodeLockHost } from './node-lock-host.js';

export async function openNodeLog(path: string): Promise<AppendLog> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const lock = acquireLogLock(nodeLockHost, path); // before the log is touched, even created
  try {
    let created = false;
    let handle: FileHandle;
    try {
      handle = await open(path, 'ax+'); // O_APPEND | O_CREAT | O_EXCL | O_RDWR
      created = true;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      handle = await open(path, 'a+');
    }
    // A new file's directory entry is durable only once its directory is synced.
    if (created) await syncDir(dir);
    return new NodeAppendLog(handle, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function syncDir(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; nothing more to do there.
  } finally {
    await h?.close();
  }
}

class NodeAppendLog implements AppendLog {
  #handle: FileHandle | undefined;
  #lock: LogLock;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(handle: FileHandle, lock: LogLock) {
    this.#handle = handle;
    this.#lock = lock;
  }

  /** Run `op` after every operation queued before it; a failure does not stop later ones. */
  #enqueue<T>(op: (h: FileHandle) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      const h = this.#handle;
      if (h === undefined) throw new Error('append log is closed');
      return op(h);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  readAll(): Promise<Uint8Array> {
    return this.#enqueue(async (h) => {
      const { size } = await h.stat();
      const out = new Uint8Array(size);
      let done = 0;
      while (done < size) {
        const { bytesRead } = await h.read(out, done, size - done, done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === size ? out : out.subarray(0, done);
    });
  }

  append(data: Uint8Array): Promise<void> {
    const copy = data.slice(); // the caller may reuse its buffer before we write
    return this.#enqueue(async (h) => {
      let done = 0;
      while (done < copy.byteLength) {
        const { bytesWritten } = await h.write(copy, done, copy.byteLength - done);
        done += bytesWritten;
      }
    });
  }

  sync(): Promise<void> {
    return this.#enqueue((h) => h.datasync());
  }

  truncate(length: number): Promise<void> {
    if (!Number.isSafeInteger(length) || length < 0) return Promise.reject(new RangeError(`bad log length ${length}`));
    return this.#enqueue(async (h) => {
      await h.truncate(length);
      await h.datasync();
    });
  }

  /** Close after every queued operation, then release the lock; closing twice is fine. */
  close(): Promise<void> {
    const run = this.#queue.then(async () => {
      const h = this.#handle;
      this.#handle = undefined;
      try {
        await h?.close();
      } finally {
        this.#lock.release();
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
