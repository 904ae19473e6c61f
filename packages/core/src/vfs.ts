/**
 * The virtual file system contract. A Vfs is one directory tree that a mount
 * exposes; every engine reaches files only through one.
 *
 * Paths are arrays of components relative to the Vfs root, already resolved
 * by the caller (packages/wasi's resolver): no empty component, no `.` or
 * `..`, no `/`, no NUL. Implementations still check this (`assertComponents`)
 * as defence in depth, and never follow a symlink themselves: `lstat` and
 * `open` act on the link, so symlink policy lives in one place, the resolver.
 *
 * The interface is synchronous on purpose: WASI preview1 calls are
 * synchronous from the guest's point of view, and without JSPI (Node 20) a
 * host call cannot wait for a promise.
 */

export type VfsNodeType = 'file' | 'dir' | 'symlink' | 'other';

export interface VfsStat {
  readonly type: VfsNodeType;
  readonly size: number;
  readonly mtimeMs: number;
  /** Stable identity inside this Vfs (inode where the host has one). */
  readonly ino: bigint;
}

export interface VfsDirent {
  readonly name: string;
  readonly type: VfsNodeType;
}

export interface VfsOpenFlags {
  readonly read: boolean;
  readonly write: boolean;
  /** Create the file when missing. */
  readonly create?: boolean;
  /** With `create`: fail with EEXIST when it exists. */
  readonly exclusive?: boolean;
  readonly truncate?: boolean;
}

/** An open regular file. Positions are absolute byte offsets. */
export interface VfsFile {
  read(into: Uint8Array, position: number): number;
  write(from: Uint8Array, position: number): number;
  size(): number;
  truncate(length: number): void;
  sync(): void;
  close(): void;
}

export type VfsErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'EACCES'
  | 'EPERM'
  | 'EROFS'
  | 'ELOOP'
  | 'EINVAL'
  | 'EBADF'
  | 'EDQUOT'
  | 'ENAMETOOLONG'
  | 'EIO';

/** What a Vfs throws. Engines translate it into the guest's errno. */
export class VfsError extends Error {
  override readonly name = 'VfsError';
  constructor(
    readonly code: VfsErrorCode,
    message?: string,
  ) {
    super(message ?? code);
  }
}

export interface Vfs {
  /** Stat without following a final symlink. Throws ENOENT. */
  lstat(path: readonly string[]): VfsStat;
  readlink(path: readonly string[]): string;
  readdir(path: readonly string[]): VfsDirent[];
  /** Open a regular file; a symlink or directory at `path` throws (ELOOP / EISDIR). */
  open(path: readonly string[], flags: VfsOpenFlags): VfsFile;
  mkdir(path: readonly string[]): void;
  unlink(path: readonly string[]): void;
  rmdir(path: readonly string[]): void;
  rename(from: readonly string[], to: readonly string[]): void;
}

const MAX_COMPONENT = 255;

/** Throws EINVAL unless `path` is a list of plain components. */
export function assertComponents(path: readonly string[]): void {
  for (const c of path) {
    if (c === '' || c === '.' || c === '..' || c.includes('/') || c.includes('\\') || c.includes('\0')) {
      throw new VfsError('EINVAL', `bad path component ${JSON.stringify(c)}`);
    }
    if (c.length > MAX_COMPONENT) throw new VfsError('ENAMETOOLONG');
  }
}

const VFS_CODES: ReadonlySet<string> = new Set<VfsErrorCode>([
  'ENOENT',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'ENOTEMPTY',
  'EACCES',
  'EPERM',
  'EROFS',
  'ELOOP',
  'EINVAL',
  'EBADF',
  'EDQUOT',
  'ENAMETOOLONG',
  'EIO',
]);

/** Host errno names that have a close Vfs equivalent. */
const ERRNO_ALIASES: Readonly<Record<string, VfsErrorCode>> = {
  ENOSPC: 'EDQUOT', // out of space: to the guest, the same as out of quota
  ETXTBSY: 'EACCES',
  EBUSY: 'EPERM',
  EXDEV: 'EPERM', // rename across file systems inside one root
};

/**
 * A host's POSIX errno name (`ENOENT`, …) as a VfsError; anything unknown is
 * EIO. `where` is the path inside the Vfs root: the message never carries a
 * host path, which a guest must not learn.
 */
export function vfsErrorFromErrno(hostCode: string | undefined, where: string): VfsError {
  const code: VfsErrorCode =
    hostCode === undefined ? 'EIO' : VFS_CODES.has(hostCode) ? (hostCode as VfsErrorCode) : (ERRNO_ALIASES[hostCode] ?? 'EIO');
  const detail = hostCode !== undefined && hostCode !== code ? ` (host ${hostCode})` : '';
  return new VfsError(code, `${code}${detail}: /${where}`);
}
