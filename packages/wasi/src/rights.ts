/**
 * Preview1 rights we report in fdstat. Rights are advisory in our adapter:
 * what a guest may do is decided by the mount's access and the open flags,
 * not by rights bits it could ask for. We still report honest values because
 * wasi-libc computes the rights of every `open` as `wanted & the directory's
 * inheriting rights`: a directory that reported no inheriting rights would
 * make every open look read-only.
 */
import { wasi } from '@bjorn3/browser_wasi_shim';

const r = (...bits: number[]): bigint => BigInt(bits.reduce((a, b) => a | b, 0));

export const FILE_READ_RIGHTS = r(
  wasi.RIGHTS_FD_READ,
  wasi.RIGHTS_FD_SEEK,
  wasi.RIGHTS_FD_TELL,
  wasi.RIGHTS_FD_FILESTAT_GET,
  wasi.RIGHTS_FD_ADVISE,
  wasi.RIGHTS_FD_FDSTAT_SET_FLAGS,
  wasi.RIGHTS_POLL_FD_READWRITE,
);

export const FILE_WRITE_RIGHTS = r(
  wasi.RIGHTS_FD_WRITE,
  wasi.RIGHTS_FD_DATASYNC,
  wasi.RIGHTS_FD_SYNC,
  wasi.RIGHTS_FD_ALLOCATE,
  wasi.RIGHTS_FD_FILESTAT_SET_SIZE,
);

export const DIR_RIGHTS = r(
  wasi.RIGHTS_PATH_CREATE_DIRECTORY,
  wasi.RIGHTS_PATH_CREATE_FILE,
  wasi.RIGHTS_PATH_OPEN,
  wasi.RIGHTS_FD_READDIR,
  wasi.RIGHTS_PATH_READLINK,
  wasi.RIGHTS_PATH_RENAME_SOURCE,
  wasi.RIGHTS_PATH_RENAME_TARGET,
  wasi.RIGHTS_PATH_FILESTAT_GET,
  wasi.RIGHTS_PATH_FILESTAT_SET_SIZE,
  wasi.RIGHTS_FD_FILESTAT_GET,
  wasi.RIGHTS_PATH_REMOVE_DIRECTORY,
  wasi.RIGHTS_PATH_UNLINK_FILE,
);

/** What a directory passes on to what is opened through it. */
export const INHERITING_RIGHTS = FILE_READ_RIGHTS | FILE_WRITE_RIGHTS | DIR_RIGHTS;

export const RIGHT_FD_READ = BigInt(wasi.RIGHTS_FD_READ);
export const RIGHT_FD_WRITE = BigInt(wasi.RIGHTS_FD_WRITE);
