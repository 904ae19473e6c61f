/**
 * The worker half of a mount: a `Vfs` whose every method is a synchronous
 * request over the call's bridge (http-bridge.ts) to the owning thread,
 * where the mount's real Vfs lives (vfs-proxy-owner.ts answers).
 *
 * Why a proxy and not a copy: a mount is a host object (a directory on
 * disk, an in-memory tree) on the owner's thread, and a worker cannot call
 * it. The proxy sits *under* the same wrappers as on the main thread
 * (`mountVfs`: ReadOnlyVfs, WriteQuotaVfs) and under the same resolver, so
 * access control, `..` and symlink defences, the quota, usage counters and
 * denials all run in our code in the worker, unchanged; the owner only
 * performs already-checked operations on the mount it was told by index.
 *
 * Open files are numbered handles on the owner. Bytes travel in the shared
 * buffer, at most `room` per round trip: a larger read or write is split
 * into chunks, and a chunk that comes back short ends the loop (a short
 * count is legal for `VfsFile.read` and `write`).
 */
import { type Vfs, type VfsDirent, VfsError, type VfsErrorCode, type VfsFile, type VfsOpenFlags, type VfsStat } from '@airlock/core';
import type { Frame } from './http-bridge.js';

type PathOp = 'lstat' | 'readlink' | 'readdir' | 'mkdir' | 'unlink' | 'rmdir';

/** One fs request as posted to the owner (`type: 'fs'`). */
export type FsRequest = { readonly type: 'fs'; readonly payloadBytes?: number } & (
  | { readonly op: PathOp; readonly mount: number; readonly path: readonly string[] }
  | { readonly op: 'open'; readonly mount: number; readonly path: readonly string[]; readonly flags: VfsOpenFlags }
  | { readonly op: 'rename'; readonly mount: number; readonly from: readonly string[]; readonly to: readonly string[] }
  | { readonly op: 'read'; readonly handle: number; readonly position: number; readonly length: number }
  | { readonly op: 'write'; readonly handle: number; readonly position: number }
  | { readonly op: 'truncate'; readonly handle: number; readonly length: number }
  | { readonly op: 'size' | 'sync' | 'close'; readonly handle: number }
);

/** An `lstat` answer: `ino` as a decimal string (JSON has no bigint). */
export interface WireStat {
  readonly type: VfsStat['type'];
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: string;
}

/** What an fs answer's header holds: a value, or the VfsError the owner's call threw. */
export type FsAnswer = { readonly value?: unknown } | { readonly error: { readonly code: VfsErrorCode; readonly message: string } };

/** Send one fs request (with an optional payload) and block for the answer. */
export type FsCall = (request: FsRequest, payload?: Uint8Array) => Frame;

/** The answer's value, or its error thrown again as the same VfsError. */
function answered(frame: Frame): unknown {
  const h = frame.header as FsAnswer;
  if ('error' in h) throw new VfsError(h.error.code, h.error.message);
  return h.value;
}

export class ProxyVfs implements Vfs {
  constructor(
    readonly call: FsCall,
    /** The mount's index in this call's `RunRequest.mounts`. */
    readonly mount: number,
    /** Most bytes one round trip carries (`payloadRoom` of the buffer). */
    readonly room: number,
  ) {}

  #path(op: PathOp, path: readonly string[]): unknown {
    return answered(this.call({ type: 'fs', op, mount: this.mount, path: [...path] }));
  }

  lstat(path: readonly string[]): VfsStat {
    const s = this.#path('lstat', path) as WireStat;
    return { type: s.type, size: s.size, mtimeMs: s.mtimeMs, ino: BigInt(s.ino) };
  }
  readlink(path: readonly string[]): string {
    return this.#path('readlink', path) as string;
  }
  readdir(path: readonly string[]): VfsDirent[] {
    return this.#path('readdir', path) as VfsDirent[];
  }
  open(path: readonly string[], flags: VfsOpenFlags): VfsFile {
    const handle = answered(this.call({ type: 'fs', op: 'open', mount: this.mount, path: [...path], flags: { ...flags } })) as number;
    return new ProxyFile(this.call, handle, this.room);
  }
  mkdir(path: readonly string[]): void {
    this.#path('mkdir', path);
  }
  unlink(path: readonly string[]): void {
    this.#path('unlink', path);
  }
  rmdir(path: readonly string[]): void {
    this.#path('rmdir', path);
  }
  rename(from: readonly string[], to: readonly string[]): void {
    answered(this.call({ type: 'fs', op: 'rename', mount: this.mount, from: [...from], to: [...to] }));
  }
}

/** An open file on the owner, named by its handle. */
class ProxyFile implements VfsFile {
  constructor(
    readonly call: FsCall,
    readonly handle: number,
    readonly room: number,
  ) {}

  read(into: Uint8Array, position: number): number {
    let done = 0;
    // At least one round trip, even for zero bytes: the owner's file still
    // answers for it (EBADF on a file not open for reading, as direct).
    do {
      const length = Math.min(into.length - done, this.room);
      const frame = this.call({ type: 'fs', op: 'read', handle: this.handle, position: position + done, length });
      answered(frame);
      const got = frame.payload.subarray(0, length);
      into.set(got, done);
      done += got.length;
      if (got.length < length) break;
    } while (done < into.length);
    return done;
  }
  write(from: Uint8Array, position: number): number {
    let done = 0;
    do {
      const chunk = from.subarray(done, done + this.room);
      const n = answered(this.call({ type: 'fs', op: 'write', handle: this.handle, position: position + done }, chunk)) as number;
      done += n;
      if (n < chunk.length) break;
    } while (done < from.length);
    return done;
  }
  size(): number {
    return answered(this.call({ type: 'fs', op: 'size', handle: this.handle })) as number;
  }
  truncate(length: number): void {
    answered(this.call({ type: 'fs', op: 'truncate', handle: this.handle, length }));
  }
  sync(): void {
    answered(this.call({ type: 'fs', op: 'sync', handle: this.handle }));
  }
  close(): void {
    answered(this.call({ type: 'fs', op: 'close', handle: this.handle }));
  }
}
