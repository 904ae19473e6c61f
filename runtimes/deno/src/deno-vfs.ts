/**
 * A Vfs over one real host directory that never follows a symlink, on Deno.
 *
 * Same contract and same walk as the Node runtime (every intermediate
 * component is `lstat`ed from the root down; a symlink there is ELOOP, a
 * non-directory ENOTDIR), with one difference: `Deno.openSync` has no
 * O_NOFOLLOW. So `open` also `lstat`s the final component and refuses a
 * symlink or non-regular file, opens without create or truncate, and then
 * compares the open file's identity (dev + ino from `file.statSync()`) with
 * that `lstat`. If anything on the path was swapped for a symlink in between,
 * the open file is a different one: it is closed unread and the call fails
 * with ELOOP. Truncation happens only after that check.
 *
 * Residual race (TOCTOU), narrower than "none": a swap that is undone again
 * between the open and the re-check still leaves the open file a different
 * one, so it is caught; but the open itself has already happened when a swap
 * is caught (opening a FIFO or device planted outside could block or have
 * side effects), and a file created by `open`
 * with `create` can land outside if an intermediate directory is swapped
 * between the walk and the create (it is then left there, empty, and the call
 * fails). `readdir`, `mkdir`, `unlink`, `rmdir` and `rename` have the Node
 * runtime's window. See docs/decisions/0005-host-file-access.md.
 */
import {
  assertComponents,
  type Vfs,
  type VfsDirent,
  VfsError,
  type VfsFile,
  type VfsNodeType,
  type VfsOpenFlags,
  type VfsStat,
} from '@airlock/core';
import { type DenoApi, type DenoDirEntry, type DenoFileInfo, type DenoFsFile, SEEK_START } from './deno-api.js';
import { toVfsError, vfsCall } from './errno.js';

/** Open a Vfs over `dir` (a trusted host path; symlinks in it are resolved once, here). */
export function denoRootVfs(deno: DenoApi, dir: string): Vfs {
  const root = vfsCall([], () => deno.realPathSync(dir));
  const st = vfsCall([], () => deno.lstatSync(root));
  if (!st.isDirectory) throw new VfsError('ENOTDIR', `mount root is not a directory: ${dir}`);
  return new DenoRootVfs(deno, root);
}

function typeOf(st: DenoFileInfo | DenoDirEntry): VfsNodeType {
  if (st.isFile) return 'file';
  if (st.isDirectory) return 'dir';
  if (st.isSymlink) return 'symlink';
  return 'other';
}

function sameFile(a: DenoFileInfo, b: DenoFileInfo): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.ino !== null;
}

class DenoRootVfs implements Vfs {
  readonly #deno: DenoApi;
  readonly #root: string;

  constructor(deno: DenoApi, root: string) {
    this.#deno = deno;
    this.#root = root;
  }

  /** lstat, or undefined when nothing is there. */
  #lstat(host: string, path: readonly string[]): DenoFileInfo | undefined {
    try {
      return this.#deno.lstatSync(host);
    } catch (error) {
      const e = toVfsError(error, path.join('/'));
      if (e.code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /**
   * Check that the first `count` components of `path` are real directories
   * (not symlinks) and return the host path of the whole of `path`.
   */
  #walk(path: readonly string[], count: number): string {
    assertComponents(path);
    let host = this.#root;
    for (let i = 0; i < count; i++) {
      host = `${host}/${path[i]}`;
      const st = this.#lstat(host, path);
      if (st?.isDirectory) continue;
      const at = path.slice(0, i + 1).join('/');
      if (st === undefined) throw new VfsError('ENOENT', `ENOENT: /${at}`);
      if (st.isSymlink) throw new VfsError('ELOOP', `ELOOP: /${at} is a symlink`);
      throw new VfsError('ENOTDIR', `ENOTDIR: /${at}`);
    }
    for (let i = count; i < path.length; i++) host = `${host}/${path[i]}`;
    return host;
  }

  #parent(path: readonly string[]): string {
    return this.#walk(path, Math.max(0, path.length - 1));
  }

  #notRoot(path: readonly string[], code: 'EPERM' | 'EEXIST'): void {
    if (path.length === 0) throw new VfsError(code, `${code}: the root cannot be changed`);
  }

  lstat(path: readonly string[]): VfsStat {
    const host = this.#parent(path);
    const st = vfsCall(path, () => this.#deno.lstatSync(host));
    return { type: typeOf(st), size: st.size, mtimeMs: st.mtime?.getTime() ?? 0, ino: BigInt(st.ino ?? 0) };
  }

  readlink(path: readonly string[]): string {
    const host = this.#parent(path);
    return vfsCall(path, () => this.#deno.readLinkSync(host));
  }

  readdir(path: readonly string[]): VfsDirent[] {
    const host = this.#walk(path, path.length);
    const entries = vfsCall(path, () => Array.from(this.#deno.readDirSync(host)));
    return entries.map((e) => ({ name: e.name, type: typeOf(e) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  open(path: readonly string[], flags: VfsOpenFlags): VfsFile {
    const host = this.#parent(path);
    const where = path.join('/');
    if (path.length === 0) throw new VfsError('EISDIR', 'EISDIR: /');
    if (flags.truncate && !flags.write) throw new VfsError('EINVAL', 'EINVAL: truncate needs write access');
    // Deno refuses an open that neither reads nor writes; such an open reads.
    const access = { read: flags.read || !flags.write, write: flags.write };
    const before = this.#lstat(host, path);
    if (before === undefined) {
      if (!flags.create) throw new VfsError('ENOENT', `ENOENT: /${where}`);
      // O_CREAT | O_EXCL never follows a symlink at the final component.
      let created: DenoFsFile | undefined;
      try {
        created = this.#deno.openSync(host, { ...access, write: true, createNew: true });
      } catch (error) {
        const e = toVfsError(error, where);
        if (e.code !== 'EEXIST' || flags.exclusive) throw e;
        // Someone created it since our lstat: open what is there now, checked.
        return this.open(path, { ...flags, create: false });
      }
      const file = this.#verify(created, path);
      if (flags.write) return new DenoFile(file, where);
      file.close();
      return this.open(path, { ...flags, create: false });
    }
    if (flags.create && flags.exclusive) throw new VfsError('EEXIST', `EEXIST: /${where}`);
    if (before.isSymlink) throw new VfsError('ELOOP', `ELOOP: /${where} is a symlink`);
    if (before.isDirectory) throw new VfsError('EISDIR', `EISDIR: /${where}`);
    if (!before.isFile) throw new VfsError('EACCES', `EACCES: /${where} is not a regular file`);
    const opened = vfsCall(path, () => this.#deno.openSync(host, access));
    const file = this.#verify(opened, path);
    if (flags.truncate) {
      try {
        file.truncateSync(0);
      } catch (error) {
        file.close();
        throw toVfsError(error, where);
      }
    }
    return new DenoFile(file, where);
  }

  /**
   * Keep `file` only if the path, walked again now, still names it: every
   * intermediate a real directory and the final component this very file.
   * Otherwise close it unread and fail.
   */
  #verify(file: DenoFsFile, path: readonly string[]): DenoFsFile {
    const where = path.join('/');
    try {
      const st = file.statSync();
      const now = this.#lstat(this.#parent(path), path);
      if (now === undefined || now.isSymlink || !sameFile(st, now)) {
        throw new VfsError('ELOOP', `ELOOP: /${where} changed while it was opened`);
      }
      if (!st.isFile) throw new VfsError(st.isDirectory ? 'EISDIR' : 'EACCES', `/${where} is not a regular file`);
      return file;
    } catch (error) {
      file.close();
      throw toVfsError(error, where);
    }
  }

  mkdir(path: readonly string[]): void {
    const host = this.#parent(path);
    this.#notRoot(path, 'EEXIST');
    vfsCall(path, () => this.#deno.mkdirSync(host));
  }

  unlink(path: readonly string[]): void {
    const host = this.#parent(path);
    this.#notRoot(path, 'EPERM');
    // Deno.removeSync removes an empty directory too; unlink must not.
    const st = this.#lstat(host, path);
    if (st === undefined) throw new VfsError('ENOENT', `ENOENT: /${path.join('/')}`);
    if (st.isDirectory) throw new VfsError('EISDIR', `EISDIR: /${path.join('/')}`);
    vfsCall(path, () => this.#deno.removeSync(host));
  }

  rmdir(path: readonly string[]): void {
    const host = this.#parent(path);
    this.#notRoot(path, 'EPERM');
    const st = this.#lstat(host, path);
    if (st === undefined) throw new VfsError('ENOENT', `ENOENT: /${path.join('/')}`);
    if (!st.isDirectory) throw new VfsError('ENOTDIR', `ENOTDIR: /${path.join('/')}`);
    vfsCall(path, () => this.#deno.removeSync(host));
  }

  rename(from: readonly string[], to: readonly string[]): void {
    const hostFrom = this.#parent(from);
    const hostTo = this.#parent(to);
    this.#notRoot(from, 'EPERM');
    this.#notRoot(to, 'EPERM');
    vfsCall(from, () => this.#deno.renameSync(hostFrom, hostTo));
  }
}

/**
 * An open regular file. Deno has no pread/pwrite, so each positional call
 * seeks first; a VfsFile belongs to one sandbox and its calls are
 * synchronous, so nothing can move the position in between.
 */
class DenoFile implements VfsFile {
  #file: DenoFsFile | undefined;
  readonly #where: string;

  constructor(file: DenoFsFile, where: string) {
    this.#file = file;
    this.#where = where;
  }

  #call<T>(fn: (file: DenoFsFile) => T): T {
    const file = this.#file;
    if (file === undefined) throw new VfsError('EBADF', `EBADF: /${this.#where} is closed`);
    try {
      return fn(file);
    } catch (error) {
      throw toVfsError(error, this.#where);
    }
  }

  read(into: Uint8Array, position: number): number {
    checkPosition(position);
    return this.#call((file) => {
      if (into.byteLength === 0) return 0;
      file.seekSync(position, SEEK_START);
      return file.readSync(into) ?? 0;
    });
  }

  write(from: Uint8Array, position: number): number {
    checkPosition(position);
    return this.#call((file) => {
      file.seekSync(position, SEEK_START);
      let done = 0;
      while (done < from.byteLength) {
        const n = file.writeSync(from.subarray(done));
        if (n === 0) break;
        done += n;
      }
      return done;
    });
  }

  size(): number {
    return this.#call((file) => file.statSync().size);
  }

  truncate(length: number): void {
    checkPosition(length);
    this.#call((file) => file.truncateSync(length));
  }

  sync(): void {
    this.#call((file) => file.syncSync());
  }

  close(): void {
    const file = this.#file;
    if (file === undefined) return;
    this.#file = undefined;
    try {
      file.close();
    } catch (error) {
      throw toVfsError(error, this.#where);
    }
  }
}

function checkPosition(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new VfsError('EINVAL', `EINVAL: bad offset ${n}`);
}
