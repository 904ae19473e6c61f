/**
 * WASI preview1 errno numbers, by name, and the mapping from a Vfs error to
 * the errno a guest sees.
 *
 * We name errnos with their POSIX spelling (`ENOENT`, `ENOTCAPABLE`) because
 * that is what an audit reader knows; the guest only ever sees the number.
 */
import { VfsError } from '@airlock/core';
import { wasi } from '@bjorn3/browser_wasi_shim';

export const ERRNO = {
  ESUCCESS: wasi.ERRNO_SUCCESS,
  EACCES: wasi.ERRNO_ACCES,
  EBADF: wasi.ERRNO_BADF,
  EBUSY: wasi.ERRNO_BUSY,
  EDQUOT: wasi.ERRNO_DQUOT,
  EEXIST: wasi.ERRNO_EXIST,
  EFAULT: wasi.ERRNO_FAULT,
  EFBIG: wasi.ERRNO_FBIG,
  EILSEQ: wasi.ERRNO_ILSEQ,
  EINVAL: wasi.ERRNO_INVAL,
  EIO: wasi.ERRNO_IO,
  EISDIR: wasi.ERRNO_ISDIR,
  ELOOP: wasi.ERRNO_LOOP,
  EMFILE: wasi.ERRNO_MFILE,
  ENAMETOOLONG: wasi.ERRNO_NAMETOOLONG,
  ENOENT: wasi.ERRNO_NOENT,
  ENOSYS: wasi.ERRNO_NOSYS,
  ENOTDIR: wasi.ERRNO_NOTDIR,
  ENOTEMPTY: wasi.ERRNO_NOTEMPTY,
  ENOTSUP: wasi.ERRNO_NOTSUP,
  EPERM: wasi.ERRNO_PERM,
  EROFS: wasi.ERRNO_ROFS,
  ESPIPE: wasi.ERRNO_SPIPE,
  EXDEV: wasi.ERRNO_XDEV,
  ENOTCAPABLE: wasi.ERRNO_NOTCAPABLE,
} as const;

export type ErrnoName = keyof typeof ERRNO;

/**
 * Errnos that mean "the sandbox refused", as opposed to "the file system said
 * no" (ENOENT, EEXIST...). Each one is recorded as a denial for the audit log.
 */
export const DENIAL_ERRNOS: ReadonlySet<ErrnoName> = new Set<ErrnoName>(['ENOTCAPABLE', 'EPERM', 'EACCES', 'EROFS', 'EDQUOT']);

/** The errno name for a thrown Vfs error; anything unknown is EIO. */
export function errnoNameOf(error: unknown): ErrnoName {
  if (error instanceof VfsError) return error.code in ERRNO ? (error.code as ErrnoName) : 'EIO';
  return 'EIO';
}
