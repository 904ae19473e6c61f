/**
 * DirectoryFd: a directory inside one mount, as a browser_wasi_shim `Fd`.
 *
 * A directory fd is the guest's capability: every path the guest passes
 * with it is resolved by `resolveInMount` from this directory, inside this
 * mount, and only then handed to the mount's Vfs. The preopen for a mount is
 * a DirectoryFd at the mount root that also answers `fd_prestat_get` with
 * the mount's guest path (that is how wasi-libc learns its preopens).
 *
 * Why not browser_wasi_shim's `PreopenDirectory`: it works on its own
 * in-memory inode tree, so a host-backed Vfs cannot sit under it; its rename
 * and link go through `Inode` objects; it has no notion of read-only mounts,
 * quotas or denials to audit; and its symlink handling is not ours to audit.
 * Owning the fd means owning the policy.
 *
 * Mutations on a read-only mount fail with EROFS from the ReadOnlyVfs
 * wrapper (see mount.ts); this class does not need to know the access mode.
 */

import type { Vfs, VfsStat } from '@airlock/core';
import { VfsError } from '@airlock/core';
import { Fd, wasi } from '@bjorn3/browser_wasi_shim';
import { ERRNO } from './errno.js';
import { FileFd } from './fd-file.js';
import { filetypeOf, toFilestat } from './filestat.js';
import { ReadOnlyVfs } from './read-only-vfs.js';
import { resolveInMount, wantsDirectory } from './resolve.js';
import { DIR_RIGHTS, INHERITING_RIGHTS, RIGHT_FD_READ, RIGHT_FD_WRITE } from './rights.js';
import type { SandboxContext } from './sandbox-context.js';

/** One mount as the guest sees it. */
export interface MountView {
  /** Absolute guest path of the mount root, e.g. `/workspace`. */
  readonly guestPath: string;
  /** The Vfs, already wrapped for access and quota (mount.ts). */
  readonly vfs: Vfs;
}

/** preview1 `lookupflags::symlink_follow` (the shim does not export it). */
const LOOKUP_SYMLINK_FOLLOW = 1;

type Result<K extends string, V> = { ret: number } & { [k in K]: V | null };

export class DirectoryFd extends Fd {
  #listing: { name: string; type: number; ino: bigint }[] | undefined;

  constructor(
    readonly mount: MountView,
    /** This directory's components from the mount root. */
    readonly path: readonly string[],
    readonly ctx: SandboxContext,
    /** Set for preopens: the name `fd_prestat_dir_name` reports. */
    readonly preopenName: string | null = null,
  ) {
    super();
  }

  /** The guest-visible form of `raw` relative to this directory, for audit. */
  guestPathOf(raw: string): string {
    if (raw.startsWith('/')) return raw;
    const root = this.mount.guestPath.replace(/\/+$/, '');
    return [root, ...this.path, raw].join('/');
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat } {
    const stat = new wasi.Fdstat(wasi.FILETYPE_DIRECTORY, 0);
    stat.fs_rights_base = DIR_RIGHTS;
    stat.fs_rights_inherited = INHERITING_RIGHTS;
    return { ret: 0, fdstat: stat };
  }

  override fd_filestat_get(): Result<'filestat', wasi.Filestat> {
    return this.#attempt('fd_filestat_get', '.', 'filestat', () => toFilestat(this.mount.vfs.lstat(this.path)));
  }

  override fd_prestat_get(): Result<'prestat', wasi.Prestat> {
    if (this.preopenName === null) return { ret: ERRNO.EBADF, prestat: null };
    return { ret: 0, prestat: wasi.Prestat.dir(this.preopenName) };
  }

  override fd_readdir_single(cookie: bigint): Result<'dirent', wasi.Dirent> {
    return this.#attempt('fd_readdir', '.', 'dirent', () => {
      // Snapshot the listing when a read starts, so cookies stay meaningful
      // while the guest walks it (and the walk is not quadratic).
      if (cookie === 0n || this.#listing === undefined) this.#listing = this.#list();
      const entry = this.#listing[Number(cookie)];
      return entry === undefined ? null : new wasi.Dirent(cookie + 1n, entry.ino, entry.name, entry.type);
    });
  }

  override path_filestat_get(flags: number, path: string): Result<'filestat', wasi.Filestat> {
    return this.#attempt('path_filestat_get', path, 'filestat', () => {
      const followFinal = (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      return toFilestat(this.mount.vfs.lstat(this.#resolve(path, followFinal)));
    });
  }

  override path_open(
    dirflags: number,
    path: string,
    oflags: number,
    rightsBase: bigint,
    _rightsInheriting: bigint,
    fdflags: number,
  ): Result<'fd_obj', Fd> {
    return this.#attempt('path_open', path, 'fd_obj', () => {
      const create = (oflags & wasi.OFLAGS_CREAT) !== 0;
      const exclusive = create && (oflags & wasi.OFLAGS_EXCL) !== 0;
      const truncate = (oflags & wasi.OFLAGS_TRUNC) !== 0;
      const directory = (oflags & wasi.OFLAGS_DIRECTORY) !== 0;
      const write = (rightsBase & RIGHT_FD_WRITE) !== 0n;
      // No read or write right at all: a plain open for reading.
      const read = (rightsBase & RIGHT_FD_READ) !== 0n || !write;
      // O_CREAT|O_EXCL never follows a final symlink (POSIX).
      const follow = (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0 && !exclusive;
      const resolved = this.#resolve(path, follow);
      const stat = this.#statOrNull(resolved);

      if (stat?.type === 'dir') {
        if (exclusive) throw new VfsError('EEXIST');
        if (write || truncate) throw new VfsError('EISDIR');
        return new DirectoryFd(this.mount, resolved, this.ctx);
      }
      if (stat === null && !create) throw new VfsError('ENOENT');
      if (directory) throw new VfsError(stat === null ? 'ENOENT' : 'ENOTDIR');
      if (stat === null && wantsDirectory(path)) throw new VfsError('EISDIR');
      if (stat?.type === 'symlink') throw new VfsError('ELOOP');

      const file = this.mount.vfs.open(resolved, { read, write, create, exclusive, truncate });
      const after = this.mount.vfs.lstat(resolved);
      return new FileFd(
        {
          file,
          guestPath: this.guestPathOf(path),
          ino: after.ino,
          mtimeMs: after.mtimeMs,
          readable: read,
          writable: write,
          append: (fdflags & wasi.FDFLAGS_APPEND) !== 0,
        },
        this.ctx,
      );
    });
  }

  override path_create_directory(path: string): number {
    return this.#mutate('path_create_directory', path, () => this.mount.vfs.mkdir(this.#resolveForChange(path, false)));
  }

  override path_remove_directory(path: string): number {
    return this.#mutate('path_remove_directory', path, () => this.mount.vfs.rmdir(this.#resolveForChange(path, false)));
  }

  override path_unlink_file(path: string): number {
    return this.#mutate('path_unlink_file', path, () => this.mount.vfs.unlink(this.#resolveForChange(path, false)));
  }

  override path_readlink(path: string): Result<'data', string> {
    return this.#attempt('path_readlink', path, 'data', () => this.mount.vfs.readlink(this.#resolve(path, false)));
  }

  /** path_rename; `target` is the fd of the new path's directory (EXDEV across mounts). */
  rename(oldPath: string, target: DirectoryFd, newPath: string): number {
    const op = 'path_rename';
    let from: string[];
    let to: string[];
    try {
      from = this.#resolveForChange(oldPath, false);
    } catch (e) {
      return this.#fail(op, oldPath, e);
    }
    try {
      to = target.#resolveForChange(newPath, false);
    } catch (e) {
      return target.#fail(op, newPath, e);
    }
    if (target.mount.vfs !== this.mount.vfs) {
      // Moving out of (or into) a read-only mount is a refused write, and is
      // recorded as one; between two writable mounts it is just EXDEV.
      if (this.mount.vfs instanceof ReadOnlyVfs || target.mount.vfs instanceof ReadOnlyVfs) {
        return this.#mutate(op, oldPath, () => {
          throw new VfsError('EROFS', 'rename across mounts out of or into a read-only mount');
        });
      }
      return ERRNO.EXDEV;
    }
    return this.#mutate(op, oldPath, () => this.mount.vfs.rename(from, to));
  }

  // ---- internals ---------------------------------------------------------

  #resolve(path: string, followFinal: boolean): string[] {
    return resolveInMount(this.mount.vfs, path, { followFinal, base: this.path });
  }

  /** Resolve a path to change; the mount root itself is never removable or renamable. */
  #resolveForChange(path: string, followFinal: boolean): string[] {
    const resolved = this.#resolve(path, followFinal);
    if (resolved.length === 0) throw new VfsError('EPERM', 'the mount root cannot be changed');
    return resolved;
  }

  #statOrNull(path: readonly string[]): VfsStat | null {
    try {
      return this.mount.vfs.lstat(path);
    } catch (e) {
      if (e instanceof VfsError && e.code === 'ENOENT') return null;
      throw e;
    }
  }

  #list(): { name: string; type: number; ino: bigint }[] {
    const vfs = this.mount.vfs;
    const self = vfs.lstat(this.path).ino;
    // The parent of a mount root is shown as the root itself: nothing above
    // the mount is ever named.
    const parent = this.path.length === 0 ? self : vfs.lstat(this.path.slice(0, -1)).ino;
    const out = [
      { name: '.', type: wasi.FILETYPE_DIRECTORY, ino: self },
      { name: '..', type: wasi.FILETYPE_DIRECTORY, ino: parent },
    ];
    for (const d of vfs.readdir(this.path)) {
      out.push({ name: d.name, type: filetypeOf(d.type), ino: vfs.lstat([...this.path, d.name]).ino });
    }
    return out;
  }

  #attempt<K extends string, V>(op: string, path: string, key: K, fn: () => V | null): Result<K, V> {
    try {
      return { ret: 0, [key]: fn() } as Result<K, V>;
    } catch (e) {
      return { ret: this.#fail(op, path, e), [key]: null } as Result<K, V>;
    }
  }

  #mutate(op: string, path: string, fn: () => void): number {
    try {
      fn();
      return 0;
    } catch (e) {
      return this.#fail(op, path, e);
    }
  }

  #fail(op: string, path: string, e: unknown): number {
    return this.ctx.fail(op, this.guestPathOf(path), e);
  }
}
