/**
 * The path resolver: the one place where a guest's path becomes a list of
 * Vfs components, and so the one place that keeps paths inside their mount.
 *
 * Model: a mount is a chroot. We walk the path one component at a time,
 * keeping a stack of the directories we are in (starting at the directory
 * fd's own position, `base`), asking the Vfs about each step with `lstat`:
 *
 * - `.` and empty components (`a//b`) are folded away.
 * - `..` pops the stack; popping past the mount root is a denial
 *   (ENOTCAPABLE), never a silent clamp to the root: a guest that tries to
 *   climb out learns nothing about what is above, and the attempt is audited.
 * - A path that starts with `/` is a denial: preview1 paths are relative to a
 *   directory fd; absolute names are the libc's job (it picks the preopen).
 * - A NUL byte anywhere is a denial (EINVAL): C would have cut the string
 *   there, so host and guest would disagree about which file is meant.
 * - A symlink met before the last component is always followed; the last
 *   one only when `followFinal` (or when a trailing `/` demands a
 *   directory). Its target is spliced into the remaining path and walked by
 *   these same rules from the link's directory, so a relative target can
 *   never climb above the mount root either. An absolute target is a
 *   denial: it would mean the host's root, or a different mount.
 *   More than 40 links in one resolution is ELOOP (Linux's limit).
 * - A trailing slash (`file/`, `dir/.`) requires the result to be a
 *   directory: ENOTDIR when it exists and is not one.
 *
 * The result names a node that is inside the mount, or a missing last
 * component whose parent is (for create). Nothing here is asynchronous, so
 * nothing can change between the walk and the caller's use of its result on
 * a MemoryVfs; a host-backed Vfs has that race with other host processes,
 * which is why Vfs implementations never follow symlinks themselves.
 */
import type { Vfs } from '@airlock/core';
import { VfsError } from '@airlock/core';
import { PathDenied } from './denial.js';

/** Symlinks followed in one resolution before ELOOP (Linux's MAXSYMLINKS). */
export const MAX_SYMLINK_HOPS = 40;
/** Longest path accepted from a guest, in UTF-16 code units (PATH_MAX). */
export const MAX_PATH_LENGTH = 4096;

export interface ResolveOptions {
  /** Follow a symlink in the last component. */
  readonly followFinal: boolean;
  /** Where relative resolution starts: the directory fd's path. Default root. */
  readonly base?: readonly string[];
}

/** True when the path ends in a way that demands a directory (`a/`, `a/.`, `.`). */
export function wantsDirectory(path: string): boolean {
  return path === '.' || path.endsWith('/') || path.endsWith('/.');
}

/**
 * Resolve `path` (relative to `base`, default the mount root) to Vfs
 * components inside the mount. Throws `PathDenied` for an escape attempt and
 * `VfsError` for ordinary failures (ENOENT, ENOTDIR, ELOOP).
 */
export function resolveInMount(vfs: Vfs, path: string, options: ResolveOptions): string[] {
  if (path.includes('\0')) throw new PathDenied('EINVAL', 'NUL byte in path');
  if (path.startsWith('/')) throw new PathDenied('ENOTCAPABLE', 'absolute path');
  if (path === '') throw new VfsError('ENOENT', 'empty path');
  if (path.length > MAX_PATH_LENGTH) throw new VfsError('ENAMETOOLONG');

  const stack = [...(options.base ?? [])];
  // Remaining components, consumed from the front; a symlink's target is
  // pushed back on the front.
  let rest = path.split('/');
  let mustBeDir = wantsDirectory(path);
  let hops = 0;

  while (rest.length > 0) {
    const c = rest.shift() as string;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (stack.length === 0) throw new PathDenied('ENOTCAPABLE', '`..` above the mount root');
      stack.pop();
      continue;
    }
    const isLast = rest.every((r) => r === '' || r === '.');
    const next = [...stack, c];
    let type: string;
    try {
      type = vfs.lstat(next).type;
    } catch (e) {
      // A missing last component is fine: the caller may be creating it.
      if (isLast && e instanceof VfsError && e.code === 'ENOENT') return next;
      throw e;
    }
    if (type === 'symlink' && (!isLast || options.followFinal || mustBeDir)) {
      if (++hops > MAX_SYMLINK_HOPS) throw new VfsError('ELOOP', 'too many levels of symbolic links');
      const target = vfs.readlink(next);
      if (target.includes('\0')) throw new PathDenied('EINVAL', 'NUL byte in symlink target');
      if (target.startsWith('/')) throw new PathDenied('ENOTCAPABLE', 'symlink with an absolute target');
      if (target === '') throw new VfsError('ENOENT', 'empty symlink target');
      if (wantsDirectory(target) && isLast) mustBeDir = true;
      rest = [...target.split('/'), ...rest];
      continue;
    }
    if (!isLast && type !== 'dir') throw new VfsError('ENOTDIR');
    stack.push(c);
  }

  if (mustBeDir && vfs.lstat(stack).type !== 'dir') throw new VfsError('ENOTDIR');
  return stack;
}
