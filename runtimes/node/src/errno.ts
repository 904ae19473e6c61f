/**
 * Host errors → VfsError. Node reports a failed file-system call with a POSIX
 * errno name in `error.code`; the Vfs contract speaks a subset of those.
 * Anything unknown becomes EIO. The message names only the path inside the
 * root: a host error's message carries the absolute host path, which a guest
 * must not learn.
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

/** Host codes that have a close Vfs equivalent. */
const ALIASES: Readonly<Record<string, VfsErrorCode>> = {
  ENOSPC: 'EDQUOT', // out of space: to the guest, the same as out of quota
  ETXTBSY: 'EACCES',
  EBUSY: 'EPERM',
  EXDEV: 'EPERM', // rename across mounts inside one root
};

/** `where` is the path inside the root, shown in the message. */
export function toVfsError(error: unknown, where: string): VfsError {
  if (error instanceof VfsError) return error;
  const host = (error as { code?: unknown } | null)?.code;
  let code: VfsErrorCode = 'EIO';
  if (typeof host === 'string') {
    if (PASS_THROUGH.has(host)) code = host as VfsErrorCode;
    else code = ALIASES[host] ?? 'EIO';
  }
  const detail = typeof host === 'string' && host !== code ? ` (host ${host})` : '';
  return new VfsError(code, `${code}${detail}: /${where}`);
}

/** Run a host call, translating whatever it throws. */
export function vfsCall<T>(where: readonly string[], fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toVfsError(error, where.join('/'));
  }
}
