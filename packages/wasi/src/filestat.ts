/**
 * Filestat values for the guest.
 *
 * browser_wasi_shim 0.4.2's `Filestat.write_bytes` writes atim/mtim/ctim at
 * offsets 38/46/52 instead of 40/48/56 (the preview1 layout), which
 * corrupts the size field's top bytes and every timestamp. We subclass it
 * and write the layout the spec gives. Times are whole milliseconds: no
 * clock precision beyond what the guest's clock gives (see clock.ts).
 */
import type { VfsNodeType, VfsStat } from '@airlock/core';
import { wasi } from '@bjorn3/browser_wasi_shim';

export class Filestat extends wasi.Filestat {
  override write_bytes(view: DataView, ptr: number): void {
    view.setBigUint64(ptr, this.dev, true);
    view.setBigUint64(ptr + 8, this.ino, true);
    view.setUint8(ptr + 16, this.filetype);
    view.setBigUint64(ptr + 24, this.nlink, true);
    view.setBigUint64(ptr + 32, this.size, true);
    view.setBigUint64(ptr + 40, this.atim, true);
    view.setBigUint64(ptr + 48, this.mtim, true);
    view.setBigUint64(ptr + 56, this.ctim, true);
  }
}

export function filetypeOf(type: VfsNodeType): number {
  switch (type) {
    case 'file':
      return wasi.FILETYPE_REGULAR_FILE;
    case 'dir':
      return wasi.FILETYPE_DIRECTORY;
    case 'symlink':
      return wasi.FILETYPE_SYMBOLIC_LINK;
    default:
      return wasi.FILETYPE_UNKNOWN;
  }
}

export function toFilestat(stat: VfsStat): Filestat {
  const out = new Filestat(stat.ino, filetypeOf(stat.type), BigInt(stat.size));
  const ns = BigInt(Math.floor(stat.mtimeMs)) * 1_000_000n;
  out.nlink = 1n;
  out.atim = ns;
  out.mtim = ns;
  out.ctim = ns;
  return out;
}
