/**
 * The owner half of a worker's mounts (vfs-proxy.ts is the worker half):
 * answers one call's `fs` requests by calling the raw Vfs of the mounts
 * granted to *that* call, and keeps the table of files it opened for it.
 *
 * The worker names a mount by its index in the call's `RunRequest.mounts`
 * and a file by a handle this table gave out; anything else is EBADF, so a
 * worker can never reach a Vfs its call was not granted. Policy (read-only,
 * quota, path resolution) was already applied in the worker, by the same
 * wrappers as on the main thread; this side performs and reports.
 *
 * When the call ends — normally, or by the worker being killed at the wall
 * limit while files are open — `closeAll` closes every file still open and
 * refuses any late request, so no handle outlives its call.
 */
import { type Vfs, VfsError, type VfsFile, type VfsOpenFlags } from '@airlock/core';
import { answer, payloadRoom, requestPayload } from './http-bridge.js';
import type { FsAnswer, FsRequest, WireStat } from './vfs-proxy.js';

const isPath = (p: unknown): p is string[] => Array.isArray(p) && p.every((c) => typeof c === 'string');

export class VfsProxyOwner {
  readonly #files = new Map<number, VfsFile>();
  #next = 1;
  #closed = false;

  constructor(
    /** The raw Vfs of each granted mount, by index in `RunRequest.mounts`. */
    readonly mounts: readonly Vfs[],
    readonly sab: SharedArrayBuffer,
  ) {}

  /** Files opened for this call and not closed yet. */
  get openFiles(): number {
    return this.#files.size;
  }

  /** Perform one request and write its answer into the bridge. */
  serve(m: FsRequest): void {
    let reply: { header: FsAnswer; payload?: Uint8Array };
    try {
      reply = this.#perform(m);
    } catch (e) {
      // A VfsError crosses as itself; any other failure (a bug, a host
      // error) is EIO without its message, which may name host paths.
      const err = e instanceof VfsError ? e : new VfsError('EIO');
      reply = { header: { error: { code: err.code, message: err.message } } };
    }
    if (!answer(this.sab, reply.header, reply.payload))
      answer(this.sab, { error: { code: 'EIO', message: 'EIO: the answer does not fit the bridge buffer' } });
  }

  /** Close every file still open and refuse what comes later (the call is over). */
  closeAll(): void {
    this.#closed = true;
    for (const f of this.#files.values()) {
      try {
        f.close();
      } catch {
        // Closing is best effort: the call is over either way.
      }
    }
    this.#files.clear();
  }

  #vfs(index: unknown): Vfs {
    const v = typeof index === 'number' ? this.mounts[index] : undefined;
    if (v === undefined) throw new VfsError('EBADF', 'EBADF: no such mount in this call');
    return v;
  }

  #file(handle: unknown): VfsFile {
    const f = typeof handle === 'number' ? this.#files.get(handle) : undefined;
    if (f === undefined) throw new VfsError('EBADF', 'EBADF: no such open file in this call');
    return f;
  }

  #perform(m: FsRequest): { header: FsAnswer; payload?: Uint8Array } {
    if (this.#closed) throw new VfsError('EBADF', 'EBADF: the call has ended');
    const ok = (value?: unknown): { header: FsAnswer } => ({ header: value === undefined ? {} : { value } });
    if ('mount' in m) {
      const vfs = this.#vfs(m.mount);
      if (m.op === 'rename') {
        if (!isPath(m.from) || !isPath(m.to)) throw new VfsError('EINVAL');
        vfs.rename(m.from, m.to);
        return ok();
      }
      if (!isPath(m.path)) throw new VfsError('EINVAL');
      switch (m.op) {
        case 'lstat': {
          const s = vfs.lstat(m.path);
          const wire: WireStat = { type: s.type, size: s.size, mtimeMs: s.mtimeMs, ino: String(s.ino) };
          return ok(wire);
        }
        case 'readlink':
          return ok(vfs.readlink(m.path));
        case 'readdir':
          return ok(vfs.readdir(m.path).map((d) => ({ name: d.name, type: d.type })));
        case 'open': {
          const f = vfs.open(m.path, m.flags as VfsOpenFlags);
          const handle = this.#next++;
          this.#files.set(handle, f);
          return ok(handle);
        }
        case 'mkdir':
          vfs.mkdir(m.path);
          return ok();
        case 'unlink':
          vfs.unlink(m.path);
          return ok();
        case 'rmdir':
          vfs.rmdir(m.path);
          return ok();
      }
    }
    const f = this.#file(m.handle);
    switch (m.op) {
      case 'read': {
        const into = new Uint8Array(Math.max(0, Math.min(m.length, payloadRoom(this.sab))));
        const n = f.read(into, m.position);
        return { header: { value: n }, payload: into.subarray(0, n) };
      }
      case 'write':
        return ok(f.write(requestPayload(this.sab, m.payloadBytes ?? 0), m.position));
      case 'size':
        return ok(f.size());
      case 'truncate':
        f.truncate(m.length);
        return ok();
      case 'sync':
        f.sync();
        return ok();
      case 'close':
        this.#files.delete(m.handle);
        f.close();
        return ok();
    }
    throw new VfsError('EINVAL', `EINVAL: unknown fs operation`);
  }
}
