/**
 * Canonical guest paths: the one spelling of a path that `inside` compares.
 *
 * A guest names files with POSIX-style strings, and many strings name the
 * same place: `/workspace/./a`, `/workspace//a`, `/tmp/../workspace/a`. A
 * policy that compared raw strings could be walked around with `..`, so
 * `inside` first folds a path to its canonical form, the way a kernel walks
 * a path component by component from the root:
 *
 * - relative paths resolve from `/` (the guest has no working directory we
 *   trust);
 * - empty components (`//`) and `.` are dropped;
 * - `..` pops one component, and `..` at the root stays at the root (as in
 *   POSIX, `/..` is `/`);
 * - a NUL byte makes the path invalid (`null`): C-string APIs would cut the
 *   string there, so the path the check sees would not be the one opened.
 *
 * Containment is then component-wise: `/workspace2` is not inside
 * `/workspace`, because `workspace2` and `workspace` are different
 * components even though one string is a prefix of the other.
 *
 * This is pure string work on guest paths; it never touches a host file
 * system (symlinks are the VFS's business, see DESIGN.md §5).
 */

/** The canonical absolute form of a guest path, or `null` for a non-string or a NUL byte. */
export function canonicalGuestPath(p: unknown): string | null {
  if (typeof p !== 'string' || p.includes('\0')) return null;
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/**
 * True when canonical path `path` is `mount` itself or lies below it.
 * Both arguments must already be canonical (see `canonicalGuestPath`).
 */
export function isWithin(path: string, mount: string): boolean {
  if (mount === '/') return true;
  return path === mount || (path.startsWith(mount) && path.charCodeAt(mount.length) === 47) /* '/' */;
}
