/**
 * From what the resolver or a Vfs threw to a wasi:filesystem `error-code`,
 * recording a denial when the sandbox (not the file system) said no.
 *
 * Denials keep preview1's errno names in the audit log (`ENOTCAPABLE` for a
 * path that would leave its mount, `EROFS`, `EPERM`...), so an auditor reads
 * one vocabulary whichever engine ran the tool. The guest sees the WASI 0.2
 * code: an escape is `not-permitted`, as in Wasmtime.
 */
import { VfsError, type VfsErrorCode } from '@airlock/core';
import { DENIAL_ERRNOS, type DenialLog, type ErrnoName, PathDenied } from '@airlock/wasi';

export type ErrorCode = string;

const BY_ERRNO: Readonly<Record<string, ErrorCode>> = {
  ENOTCAPABLE: 'not-permitted',
  EPERM: 'not-permitted',
  EACCES: 'access',
  EROFS: 'read-only',
  EDQUOT: 'quota',
  ENOENT: 'no-entry',
  EEXIST: 'exist',
  ENOTDIR: 'not-directory',
  EISDIR: 'is-directory',
  ENOTEMPTY: 'not-empty',
  ELOOP: 'loop',
  EINVAL: 'invalid',
  EBADF: 'bad-descriptor',
  ENAMETOOLONG: 'name-too-long',
  EXDEV: 'cross-device',
  EIO: 'io',
} satisfies Partial<Record<ErrnoName | VfsErrorCode, ErrorCode>>;

/**
 * The error code to throw to the guest for `error`. Anything that is not a
 * path denial or a Vfs error (a LimitTrap, a bug) is rethrown: a trap.
 */
export function fsErrorCode(denials: DenialLog, op: string, guestPath: string, error: unknown): ErrorCode {
  let errno: string;
  if (error instanceof PathDenied) {
    errno = error.errno;
    denials.record(op, guestPath, errno);
  } else if (error instanceof VfsError) {
    errno = error.code;
    if (DENIAL_ERRNOS.has(errno as ErrnoName)) denials.record(op, guestPath, errno);
  } else {
    throw error;
  }
  return BY_ERRNO[errno] ?? 'io';
}
