/**
 * Host errors → VfsError. Node reports a failed file-system call with a POSIX
 * errno name in `error.code`; the Vfs contract speaks a subset of those.
 * Anything unknown becomes EIO. The message names only the path inside the
 * root: a host error's message carries the absolute host path, which a guest
 * must not learn.
 */
import { VfsError, vfsErrorFromErrno } from '@airlock/core';

/** `where` is the path inside the root, shown in the message. */
export function toVfsError(error: unknown, where: string): VfsError {
  if (error instanceof VfsError) return error;
  const host = (error as { code?: unknown } | null)?.code;
  return vfsErrorFromErrno(typeof host === 'string' ? host : undefined, where);
}

/** Run a host call, translating whatever it throws. */
export function vfsCall<T>(where: readonly string[], fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toVfsError(error, where.join('/'));
  }
}
