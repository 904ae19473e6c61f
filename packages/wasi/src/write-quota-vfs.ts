/**
 * A write quota: `Limits.fsWriteBytes` for one call, shared by all of the
 * call's read-write mounts ("bytes a call may write in total").
 *
 * What counts: every byte written, plus any gap a write or truncate opens
 * past the end of a file (a 1-byte write at offset 1 GiB, or ftruncate to
 * 1 GiB, costs 1 GiB: that is what a memory or disk backend must hold).
 * Bytes are counted per call, not net of deletions, so writing, deleting and
 * writing again cannot exceed the quota either.
 *
 * A write that would pass the quota is refused whole with EDQUOT and nothing
 * is written; the quota remembers it was exceeded so the engine can report
 * the limit `fs-write` even when the guest swallows the errno.
 */
import type { Vfs, VfsDirent, VfsFile, VfsOpenFlags, VfsStat } from '@airlock/core';
import { VfsError } from '@airlock/core';

export class WriteQuota {
  #used = 0;
  #exceeded = false;
  constructor(readonly limit: number) {}

  /** Bytes charged so far. */
  get used(): number {
    return this.#used;
  }

  /** True once any write was refused for quota. */
  get exceeded(): boolean {
    return this.#exceeded;
  }

  /** Charge `bytes` or throw EDQUOT (charging nothing). */
  charge(bytes: number): void {
    if (bytes <= 0) return;
    if (this.#used + bytes > this.limit) {
      this.#exceeded = true;
      throw new VfsError('EDQUOT', `write quota of ${this.limit} bytes exceeded`);
    }
    this.#used += bytes;
  }
}

export class WriteQuotaVfs implements Vfs {
  constructor(
    readonly inner: Vfs,
    readonly quota: WriteQuota,
  ) {}

  lstat(path: readonly string[]): VfsStat {
    return this.inner.lstat(path);
  }
  readlink(path: readonly string[]): string {
    return this.inner.readlink(path);
  }
  readdir(path: readonly string[]): VfsDirent[] {
    return this.inner.readdir(path);
  }
  open(path: readonly string[], flags: VfsOpenFlags): VfsFile {
    const file = this.inner.open(path, flags);
    const quota = this.quota;
    return {
      read: (into, position) => file.read(into, position),
      write(from, position) {
        quota.charge(Math.max(from.length, position + from.length - file.size()));
        return file.write(from, position);
      },
      size: () => file.size(),
      truncate(length) {
        quota.charge(length - file.size());
        file.truncate(length);
      },
      sync: () => file.sync(),
      close: () => file.close(),
    };
  }
  mkdir(path: readonly string[]): void {
    this.inner.mkdir(path);
  }
  unlink(path: readonly string[]): void {
    this.inner.unlink(path);
  }
  rmdir(path: readonly string[]): void {
    this.inner.rmdir(path);
  }
  rename(from: readonly string[], to: readonly string[]): void {
    this.inner.rename(from, to);
  }
}
