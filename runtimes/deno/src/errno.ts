/**
 * Deno errors → VfsError. Deno 2 puts the POSIX errno name in `error.code`
 * for file-system failures; where it does not, the error class name (NotFound,
 * AlreadyExists, ...) says it. Anything unknown becomes EIO. The message
 * names only the path inside the root, never the host path.
 */
import { VfsError, type VfsErrorCode, vfsErrorFromErrno } from '@airlock/core';

const BY_NAME: Readonly<Record<string, VfsErrorCode>> = {
  NotFound: 'ENOENT',
  AlreadyExists: 'EEXIST',
  PermissionDenied: 'EACCES',
  NotCapable: 'EACCES', // Deno's own permission system said no
  NotADirectory: 'ENOTDIR',
  IsADirectory: 'EISDIR',
  FilesystemLoop: 'ELOOP',
  BadResource: 'EBADF',
  Busy: 'EPERM',
};

export function toVfsError(error: unknown, where: string): VfsError {
  if (error instanceof VfsError) return error;
  const e = error as { code?: unknown; name?: unknown } | null;
  if (typeof e?.code === 'string') return vfsErrorFromErrno(e.code, where);
  // No errno: the error class name says it; say which host name it was.
  const name = typeof e?.name === 'string' ? e.name : undefined;
  const code = (name && BY_NAME[name]) || undefined;
  if (code === undefined) return vfsErrorFromErrno(name, where);
  return new VfsError(code, `${code} (host ${name}): /${where}`);
}

export function vfsCall<T>(where: readonly string[], fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toVfsError(error, where.join('/'));
  }
}
