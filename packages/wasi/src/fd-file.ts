/**
 * FileFd: an open regular file, as a browser_wasi_shim `Fd` over a `VfsFile`.
 *
 * The fd owns its position (like a POSIX open file description); the
 * VfsFile only does positioned reads and writes. Bytes read and written are
 * counted in the run's context for usage. Reads are served in chunks of at
 * most 16 MiB so that a guest asking for a 4 GiB read cannot make the host
 * allocate 4 GiB (a short read is always allowed).
 *
 * Operations the base `Fd` does not grant stay ENOTSUP (deny by default).
 */
import type { VfsFile } from '@airlock/core';
import { Fd, wasi } from '@bjorn3/browser_wasi_shim';
import { ERRNO } from './errno.js';
import { Filestat } from './filestat.js';
import { FILE_READ_RIGHTS, FILE_WRITE_RIGHTS } from './rights.js';
import type { SandboxContext } from './sandbox-context.js';

/** Largest single read served, bytes. */
export const MAX_READ_CHUNK = 16 * 1024 * 1024;

export interface FileFdOptions {
  readonly file: VfsFile;
  /** Guest-visible path, for denial records. */
  readonly guestPath: string;
  readonly ino: bigint;
  readonly mtimeMs: number;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly append: boolean;
}

export class FileFd extends Fd {
  #position = 0;
  #append: boolean;
  readonly #o: FileFdOptions;

  constructor(
    options: FileFdOptions,
    readonly ctx: SandboxContext,
  ) {
    super();
    this.#o = options;
    this.#append = options.append;
  }

  override fd_read(size: number): { ret: number; data: Uint8Array } {
    const r = this.#read(size, this.#position, 'fd_read');
    this.#position += r.data.length;
    return r;
  }

  override fd_pread(size: number, offset: bigint): { ret: number; data: Uint8Array } {
    return this.#read(size, Number(offset), 'fd_pread');
  }

  override fd_write(data: Uint8Array): { ret: number; nwritten: number } {
    const at = this.#append ? this.#o.file.size() : this.#position;
    const r = this.#write(data, at, 'fd_write');
    if (r.ret === 0) this.#position = at + r.nwritten;
    return r;
  }

  override fd_pwrite(data: Uint8Array, offset: bigint): { ret: number; nwritten: number } {
    return this.#write(data, Number(offset), 'fd_pwrite');
  }

  override fd_seek(offset: bigint, whence: number): { ret: number; offset: bigint } {
    let base: number;
    if (whence === wasi.WHENCE_SET) base = 0;
    else if (whence === wasi.WHENCE_CUR) base = this.#position;
    else if (whence === wasi.WHENCE_END) base = this.#o.file.size();
    else return { ret: ERRNO.EINVAL, offset: BigInt(this.#position) };
    const next = BigInt(base) + offset;
    if (next < 0n || next > BigInt(Number.MAX_SAFE_INTEGER)) return { ret: ERRNO.EINVAL, offset: BigInt(this.#position) };
    this.#position = Number(next);
    return { ret: 0, offset: next };
  }

  override fd_tell(): { ret: number; offset: bigint } {
    return { ret: 0, offset: BigInt(this.#position) };
  }

  override fd_filestat_get(): { ret: number; filestat: Filestat } {
    const stat = new Filestat(this.#o.ino, wasi.FILETYPE_REGULAR_FILE, BigInt(this.#o.file.size()));
    const ns = BigInt(Math.floor(this.#o.mtimeMs)) * 1_000_000n;
    stat.nlink = 1n;
    stat.atim = stat.mtim = stat.ctim = ns;
    return { ret: 0, filestat: stat };
  }

  override fd_filestat_set_size(size: bigint): number {
    if (!this.#o.writable) return ERRNO.EBADF;
    try {
      this.#o.file.truncate(Number(size));
      return 0;
    } catch (e) {
      return this.ctx.fail('fd_filestat_set_size', this.#o.guestPath, e);
    }
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat } {
    const stat = new wasi.Fdstat(wasi.FILETYPE_REGULAR_FILE, this.#append ? wasi.FDFLAGS_APPEND : 0);
    stat.fs_rights_base = (this.#o.readable ? FILE_READ_RIGHTS : 0n) | (this.#o.writable ? FILE_WRITE_RIGHTS : 0n);
    return { ret: 0, fdstat: stat };
  }

  override fd_fdstat_set_flags(flags: number): number {
    this.#append = (flags & wasi.FDFLAGS_APPEND) !== 0;
    return 0;
  }

  override fd_sync(): number {
    try {
      this.#o.file.sync();
      return 0;
    } catch (e) {
      return this.ctx.fail('fd_sync', this.#o.guestPath, e);
    }
  }

  override fd_close(): number {
    try {
      this.#o.file.close();
      return 0;
    } catch (e) {
      return this.ctx.fail('fd_close', this.#o.guestPath, e);
    }
  }

  #read(size: number, at: number, op: string): { ret: number; data: Uint8Array } {
    if (!this.#o.readable) return { ret: ERRNO.EBADF, data: new Uint8Array(0) };
    try {
      const want = Math.max(0, Math.min(size, MAX_READ_CHUNK, this.#o.file.size() - at));
      const data = new Uint8Array(want);
      const n = want === 0 ? 0 : this.#o.file.read(data, at);
      this.ctx.fsReadBytes += n;
      return { ret: 0, data: data.subarray(0, n) };
    } catch (e) {
      return { ret: this.ctx.fail(op, this.#o.guestPath, e), data: new Uint8Array(0) };
    }
  }

  #write(data: Uint8Array, at: number, op: string): { ret: number; nwritten: number } {
    if (!this.#o.writable) return { ret: ERRNO.EBADF, nwritten: 0 };
    try {
      const n = this.#o.file.write(data, at);
      this.ctx.fsWriteBytes += n;
      return { ret: 0, nwritten: n };
    } catch (e) {
      return { ret: this.ctx.fail(op, this.#o.guestPath, e), nwritten: 0 };
    }
  }
}
