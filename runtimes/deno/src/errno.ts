/**
 * Deno errors → VfsError. Deno 2 puts the POSIX errno name in `error.code`
 * for file-system failures; where it does not, the error class name (NotFound,
 * AlreadyExists, ...) says it. Anything unknown becomes EIO. The message
 * names only the path inside the root, never the host path.
 */
import { VfsError, type VfsErrorCode } from '@airlock/core';

const PASS_THROUGH: ReadonlySet<string> = new Set<VfsErrorCode>([
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

const ALIASES: Readonly<Record<string, VfsErrorCode>> = {
  ENOSPC: 'EDQUOT',
  ETXTBSY: 'EACCES',
  EBUSY: 'EPERM',
  EXDEV: 'EPERM',
};

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
  let code: VfsErrorCode = 'EIO';
  let host = '';
  if (typeof e?.code === 'string') {
    host = e.code;
    code = PASS_THROUGH.has(host) ? (host as VfsErrorCode) : (ALIASES[host] ?? 'EIO');
  } else if (typeof e?.name === 'string') {
    host = e.name;
    code = BY_NAME[host] ?? 'EIO';
  }
  const detail = host !== '' && host !== code ? ` (host ${host})` : '';
  return new VfsError(code, `${code}${detail}: /${where}`);
}

export function vfsCall<T>(where: readonly string[], fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toVfsError(error, where.join('/'));
  }
}
