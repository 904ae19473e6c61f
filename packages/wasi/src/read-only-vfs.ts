/**
 * A read-only view of a Vfs: what a `read` mount gets.
 *
 * Every mutation, and every open that asks to write, create or truncate,
 * throws EROFS before the inner Vfs is touched, so a read-only mount is
 * read-only whatever the inner Vfs would allow. Files opened through it are
 * wrapped too (defence in depth: an inner Vfs that ignored `write: false`
 * still could not be written through this view).
 */
import type { Vfs, VfsDirent, VfsFile, VfsOpenFlags, VfsStat } from '@airlock/core';
import { VfsError } from '@airlock/core';

const rofs = (): never => {
  throw new VfsError('EROFS', 'read-only mount');
};

export class ReadOnlyVfs implements Vfs {
  constructor(readonly inner: Vfs) {}

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
    if (flags.write || flags.create || flags.truncate) rofs();
    const file = this.inner.open(path, { read: flags.read, write: false });
    return {
      read: (into, position) => file.read(into, position),
      write: rofs,
      size: () => file.size(),
      truncate: rofs,
      sync: () => file.sync(),
      close: () => file.close(),
    };
  }
  mkdir(_path: readonly string[]): void {
    rofs();
  }
  unlink(_path: readonly string[]): void {
    rofs();
  }
  rmdir(_path: readonly string[]): void {
    rofs();
  }
  rename(_from: readonly string[], _to: readonly string[]): void {
    rofs();
  }
}
