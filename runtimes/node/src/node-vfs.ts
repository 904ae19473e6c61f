/**
 * A Vfs over one real host directory that never follows a symlink.
 *
 * The Vfs contract says implementations follow no symlink at all; symlink
 * policy lives in one place, packages/wasi's resolver. Node has no `openat`,
 * so we cannot walk a path relative to directory handles; instead every
 * operation first `lstat`s each intermediate component from the root down
 * and refuses a symlink (ELOOP) or a non-directory (ENOTDIR) there, then acts
 * on the final component with a call that does not follow it either:
 * `lstat`, `readlink`, `unlink`, `rmdir`, `rename` and `mkdir` never follow a
 * final symlink, and `open` passes O_NOFOLLOW (which guards only the final
 * component, hence the walk).
 *
 * `open` then walks the path a second time and checks that it still names
 * the very file opened (dev + ino), so a swap around the open is caught
 * before any byte is read, written or truncated.
 *
 * Residual race (TOCTOU): between the walk and the call, something else
 * changing the same tree could replace a checked directory with a symlink,
 * and the call would then follow it. For `open` that means only the open
 * itself (and, with `create`, possibly an empty file created outside); for
 * `readdir`, `mkdir`, `unlink`, `rmdir` and `rename` the call acts. The Vfs has no way to create a symlink,
 * so a guest alone cannot plant one; the race needs a host process, or two
 * sandboxes in different threads sharing a writable mount that already holds
 * a symlink (one renames it into place mid-call of the other). Closing it needs
 * `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` or an openat walk, neither
 * of which Node exposes. See docs/decisions/0005-host-file-access.md.
 */

import {
  type BigIntStats,
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import {
  AirlockError,
  assertComponents,
  type Vfs,
  type VfsDirent,
  VfsError,
  type VfsFile,
  type VfsNodeType,
  type VfsOpenFlags,
  type VfsStat,
} from '@airlock/core';
import { toVfsError, vfsCall } from './errno.js';

/** Open a Vfs over `dir` (a trusted host path; symlinks in it are resolved once, here). */
export function nodeRootVfs(dir: string): Vfs {
  if (constants.O_NOFOLLOW === undefined) {
    throw new AirlockError('HOST_UNSUPPORTED', 'this platform has no O_NOFOLLOW; a host directory cannot be mounted safely');
  }
  const root = vfsCall([], () => realpathSync(dir));
  const st = vfsCall([], () => lstatSync(root));
  if (!st.isDirectory()) throw new VfsError('ENOTDIR', `mount root is not a directory: ${dir}`);
  return new NodeRootVfs(root);
}

function typeOf(st: Stats | BigIntStats | Dirent): VfsNodeType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

class NodeRootVfs implements Vfs {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
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
      const st = vfsCall(path, () => lstatSync(host, { throwIfNoEntry: false }));
      if (st?.isDirectory()) continue;
      const at = path.slice(0, i + 1).join('/');
      if (st === undefined) throw new VfsError('ENOENT', `ENOENT: /${at}`);
      if (st.isSymbolicLink()) throw new VfsError('ELOOP', `ELOOP: /${at} is a symlink`);
      throw new VfsError('ENOTDIR', `ENOTDIR: /${at}`);
    }
    for (let i = count; i < path.length; i++) host = `${host}/${path[i]}`;
    return host;
  }

  /** Walk every component but the last. */
  #parent(path: readonly string[]): string {
    return this.#walk(path, Math.max(0, path.length - 1));
  }

  /** A mutation of the root itself is refused. */
  #notRoot(path: readonly string[], code: 'EPERM' | 'EEXIST'): void {
    if (path.length === 0) throw new VfsError(code, `${code}: the root cannot be changed`);
  }

  lstat(path: readonly string[]): VfsStat {
    const host = this.#parent(path);
    const st = vfsCall(path, () => lstatSync(host, { bigint: true }));
    return { type: typeOf(st), size: Number(st.size), mtimeMs: Number(st.mtimeMs), ino: st.ino };
  }

  readlink(path: readonly string[]): string {
    const host = this.#parent(path);
    return vfsCall(path, () => readlinkSync(host, 'utf8'));
  }

  readdir(path: readonly string[]): VfsDirent[] {
    // The directory itself must not be a symlink either: readdir follows it.
    const host = this.#walk(path, path.length);
    const entries = vfsCall(path, () => readdirSync(host, { withFileTypes: true }));
    // Sorted: a guest sees the same order on every host and every run.
    return entries.map((e) => ({ name: e.name, type: typeOf(e) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  open(path: readonly string[], flags: VfsOpenFlags): VfsFile {
    const host = this.#parent(path);
    if (path.length === 0) throw new VfsError('EISDIR', 'EISDIR: /');
    if (flags.truncate && !flags.write) throw new VfsError('EINVAL', 'EINVAL: truncate needs write access');
    let mode = flags.write ? (flags.read ? constants.O_RDWR : constants.O_WRONLY) : constants.O_RDONLY;
    // O_NONBLOCK: opening a FIFO planted in the tree must not hang the host
    // (it is then refused below as not a regular file).
    mode |= constants.O_NOFOLLOW | constants.O_NONBLOCK;
    if (flags.create) mode |= constants.O_CREAT;
    if (flags.create && flags.exclusive) mode |= constants.O_EXCL;
    // No O_TRUNC: truncation waits until the file is known to be the right one.
    let fd: number;
    try {
      fd = openSync(host, mode, 0o666);
    } catch (error) {
      // FreeBSD reports a final symlink under O_NOFOLLOW as EMLINK.
      if ((error as { code?: unknown }).code === 'EMLINK') throw new VfsError('ELOOP', `ELOOP: /${path.join('/')}`);
      throw toVfsError(error, path.join('/'));
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      if (st.isDirectory()) throw new VfsError('EISDIR', `EISDIR: /${path.join('/')}`);
      if (!st.isFile()) throw new VfsError('EACCES', `EACCES: /${path.join('/')} is not a regular file`);
      // O_NOFOLLOW guarded only the final component. Walk again and check the
      // path still names this very file: a directory swapped for a symlink
      // around the open is caught here, before a byte is read or truncated.
      const now = lstatSync(this.#parent(path), { bigint: true, throwIfNoEntry: false });
      if (now === undefined || now.isSymbolicLink() || now.ino !== st.ino || now.dev !== st.dev) {
        throw new VfsError('ELOOP', `ELOOP: /${path.join('/')} changed while it was opened`);
      }
      if (flags.truncate) ftruncateSync(fd, 0);
    } catch (error) {
      closeSync(fd);
      throw toVfsError(error, path.join('/'));
    }
    return new NodeFile(fd, path.join('/'));
  }

  mkdir(path: readonly string[]): void {
    const host = this.#parent(path);
    this.#notRoot(path, 'EEXIST');
    vfsCall(path, () => mkdirSync(host));
  }

  unlink(path: readonly string[]): void {
    const host = this.#parent(path);
    this.#notRoot(path, 'EPERM');
    try {
      unlinkSync(host);
    } catch (error) {
      // POSIX lets unlink(dir) fail with EPERM (macOS does); say EISDIR everywhere.
      if ((error as { code?: unknown }).code === 'EPERM' && lstatSync(host, { throwIfNoEntry: false })?.isDirectory()) {
        throw new VfsError('EISDIR', `EISDIR: /${path.join('/')}`);
      }
      throw toVfsError(error, path.join('/'));
    }
  }

  rmdir(path: readonly string[]): void {
    const host = this.#parent(path);
    this.#notRoot(path, 'EPERM');
    vfsCall(path, () => rmdirSync(host));
  }

  rename(from: readonly string[], to: readonly string[]): void {
    const hostFrom = this.#parent(from);
    const hostTo = this.#parent(to);
    this.#notRoot(from, 'EPERM');
    this.#notRoot(to, 'EPERM');
    vfsCall(from, () => renameSync(hostFrom, hostTo));
  }
}

/** An open regular file: positional reads and writes on a host fd. */
class NodeFile implements VfsFile {
  #fd: number | undefined;
  readonly #where: string;

  constructor(fd: number, where: string) {
    this.#fd = fd;
    this.#where = where;
  }

  #handle(): number {
    if (this.#fd === undefined) throw new VfsError('EBADF', `EBADF: /${this.#where} is closed`);
    return this.#fd;
  }

  #call<T>(fn: (fd: number) => T): T {
    const fd = this.#handle();
    try {
      return fn(fd);
    } catch (error) {
      throw toVfsError(error, this.#where);
    }
  }

  read(into: Uint8Array, position: number): number {
    checkPosition(position);
    return this.#call((fd) => (into.byteLength === 0 ? 0 : readSync(fd, into, 0, into.byteLength, position)));
  }

  write(from: Uint8Array, position: number): number {
    checkPosition(position);
    return this.#call((fd) => {
      let done = 0;
      while (done < from.byteLength) {
        const n = writeSync(fd, from, done, from.byteLength - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    });
  }

  size(): number {
    return this.#call((fd) => fstatSync(fd).size);
  }

  truncate(length: number): void {
    checkPosition(length);
    this.#call((fd) => ftruncateSync(fd, length));
  }

  sync(): void {
    this.#call((fd) => fsyncSync(fd));
  }

  close(): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    try {
      closeSync(fd);
    } catch (error) {
      throw toVfsError(error, this.#where);
    }
  }
}

function checkPosition(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new VfsError('EINVAL', `EINVAL: bad offset ${n}`);
}
