/**
 * MemoryVfs: a directory tree held in memory, implementing core's `Vfs`.
 *
 * Model: like a tiny Unix file system. Every node (file, directory, symlink)
 * has an inode number that never changes and is never reused within one
 * MemoryVfs, so `ino` is a stable identity for audit and for guests that
 * compare files. Directories map names to nodes; a node lives in at most one
 * directory (no hard links). Open files hold their node, so a file that is
 * unlinked while open stays readable and writable until closed, as on POSIX.
 *
 * Like every Vfs, it never follows symlinks: symlink policy lives in one
 * place, the resolver (resolve.ts). Symlinks can only be made through
 * `symlink()`, a host-side method outside the `Vfs` interface: a guest
 * reaches a Vfs only through the interface, so it can never create one.
 * `writeFile`, `mkdirp` and `readFile` are host-side conveniences too, for
 * seeding a mount and inspecting it after a run.
 */
import type { Vfs, VfsDirent, VfsFile, VfsNodeType, VfsOpenFlags, VfsStat } from '@airlock/core';
import { assertComponents, VfsError } from '@airlock/core';

interface FileNode {
  readonly type: 'file';
  readonly ino: bigint;
  mtimeMs: number;
  /** Bytes; `data.length` is capacity, `size` the file length. */
  data: Uint8Array;
  size: number;
}

interface DirNode {
  readonly type: 'dir';
  readonly ino: bigint;
  mtimeMs: number;
  readonly children: Map<string, Node>;
}

interface LinkNode {
  readonly type: 'symlink';
  readonly ino: bigint;
  mtimeMs: number;
  readonly target: string;
}

type Node = FileNode | DirNode | LinkNode;

export interface MemoryVfsOptions {
  /** Clock for modification times, ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

const split = (path: string): string[] => path.split('/').filter((c) => c !== '' && c !== '.');

export class MemoryVfs implements Vfs {
  readonly #now: () => number;
  #nextIno = 1n;
  readonly #root: DirNode;

  constructor(options: MemoryVfsOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#root = this.#dir();
  }

  // ---- the Vfs contract -------------------------------------------------

  lstat(path: readonly string[]): VfsStat {
    const node = this.#lookup(path);
    const size = node.type === 'file' ? node.size : node.type === 'symlink' ? new TextEncoder().encode(node.target).length : 0;
    return { type: node.type, size, mtimeMs: node.mtimeMs, ino: node.ino };
  }

  readlink(path: readonly string[]): string {
    const node = this.#lookup(path);
    if (node.type !== 'symlink') throw new VfsError('EINVAL', 'not a symlink');
    return node.target;
  }

  readdir(path: readonly string[]): VfsDirent[] {
    const dir = this.#lookupDir(path);
    return [...dir.children].map(([name, node]): VfsDirent => ({ name, type: node.type as VfsNodeType }));
  }

  open(path: readonly string[], flags: VfsOpenFlags): VfsFile {
    const { parent, name } = this.#parentOf(path);
    let node = parent.children.get(name);
    if (node === undefined) {
      if (!flags.create) throw new VfsError('ENOENT');
      node = this.#file();
      parent.children.set(name, node);
      parent.mtimeMs = this.#now();
    } else if (flags.create && flags.exclusive) {
      throw new VfsError('EEXIST');
    }
    if (node.type === 'dir') throw new VfsError('EISDIR');
    if (node.type === 'symlink') throw new VfsError('ELOOP', 'open does not follow symlinks');
    if (flags.truncate && flags.write) this.#resize(node, 0);
    return new MemoryFile(node, flags.read, flags.write, this.#now);
  }

  mkdir(path: readonly string[]): void {
    const { parent, name } = this.#parentOf(path);
    if (parent.children.has(name)) throw new VfsError('EEXIST');
    parent.children.set(name, this.#dir());
    parent.mtimeMs = this.#now();
  }

  unlink(path: readonly string[]): void {
    const { parent, name } = this.#parentOf(path);
    const node = parent.children.get(name);
    if (node === undefined) throw new VfsError('ENOENT');
    if (node.type === 'dir') throw new VfsError('EISDIR');
    parent.children.delete(name);
    parent.mtimeMs = this.#now();
  }

  rmdir(path: readonly string[]): void {
    const { parent, name } = this.#parentOf(path);
    const node = parent.children.get(name);
    if (node === undefined) throw new VfsError('ENOENT');
    if (node.type !== 'dir') throw new VfsError('ENOTDIR');
    if (node.children.size > 0) throw new VfsError('ENOTEMPTY');
    parent.children.delete(name);
    parent.mtimeMs = this.#now();
  }

  /** POSIX rename: replaces a file, or an empty directory with a directory. */
  rename(from: readonly string[], to: readonly string[]): void {
    const src = this.#parentOf(from);
    const dst = this.#parentOf(to);
    const node = src.parent.children.get(src.name);
    if (node === undefined) throw new VfsError('ENOENT');
    if (node.type === 'dir' && to.length > from.length && from.every((c, i) => to[i] === c)) {
      throw new VfsError('EINVAL', 'cannot move a directory into itself');
    }
    const existing = dst.parent.children.get(dst.name);
    if (existing === node) return;
    if (existing !== undefined) {
      if (node.type === 'dir' && existing.type !== 'dir') throw new VfsError('ENOTDIR');
      if (node.type !== 'dir' && existing.type === 'dir') throw new VfsError('EISDIR');
      if (existing.type === 'dir' && existing.children.size > 0) throw new VfsError('ENOTEMPTY');
    }
    src.parent.children.delete(src.name);
    dst.parent.children.set(dst.name, node);
    src.parent.mtimeMs = dst.parent.mtimeMs = this.#now();
  }

  // ---- host-side API (never reachable from a guest) ---------------------

  /** Create a symlink at `path` (slash-separated) pointing at `target`, verbatim. */
  symlink(path: string, target: string): this {
    const { parent, name } = this.#parentOf(split(path));
    if (parent.children.has(name)) throw new VfsError('EEXIST');
    parent.children.set(name, { type: 'symlink', ino: this.#nextIno++, mtimeMs: this.#now(), target });
    return this;
  }

  /** Create a directory and its missing parents. */
  mkdirp(path: string): this {
    const parts = split(path);
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i);
      const { parent, name } = this.#parentOf(sub);
      const node = parent.children.get(name);
      if (node === undefined) parent.children.set(name, this.#dir());
      else if (node.type !== 'dir') throw new VfsError('ENOTDIR');
    }
    return this;
  }

  /** Create or replace a file (parents created), UTF-8 for strings. */
  writeFile(path: string, content: string | Uint8Array): this {
    const parts = split(path);
    this.mkdirp(parts.slice(0, -1).join('/'));
    const file = this.open(parts, { read: false, write: true, create: true, truncate: true });
    file.write(typeof content === 'string' ? new TextEncoder().encode(content) : content, 0);
    file.close();
    return this;
  }

  /** A file's bytes, or undefined when there is no regular file there. */
  readFile(path: string): Uint8Array | undefined {
    try {
      const node = this.#lookup(split(path));
      return node.type === 'file' ? node.data.slice(0, node.size) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every path in the tree (directories end with `/`), sorted: handy in tests. */
  list(): string[] {
    const out: string[] = [];
    const walk = (dir: DirNode, prefix: string): void => {
      for (const [name, node] of dir.children) {
        const p = prefix + name;
        out.push(node.type === 'dir' ? `${p}/` : p);
        if (node.type === 'dir') walk(node, `${p}/`);
      }
    };
    walk(this.#root, '');
    return out.sort();
  }

  // ---- internals ---------------------------------------------------------

  #dir(): DirNode {
    return { type: 'dir', ino: this.#nextIno++, mtimeMs: this.#now(), children: new Map() };
  }

  #file(): FileNode {
    return { type: 'file', ino: this.#nextIno++, mtimeMs: this.#now(), data: new Uint8Array(0), size: 0 };
  }

  #resize(node: FileNode, size: number): void {
    resize(node, size);
    node.mtimeMs = this.#now();
  }

  #lookup(path: readonly string[]): Node {
    assertComponents(path);
    let node: Node = this.#root;
    for (const c of path) {
      if (node.type !== 'dir') throw new VfsError('ENOTDIR');
      const next: Node | undefined = node.children.get(c);
      if (next === undefined) throw new VfsError('ENOENT');
      node = next;
    }
    return node;
  }

  #lookupDir(path: readonly string[]): DirNode {
    const node = this.#lookup(path);
    if (node.type !== 'dir') throw new VfsError('ENOTDIR');
    return node;
  }

  /** The directory that holds `path`'s last component. The root has none. */
  #parentOf(path: readonly string[]): { parent: DirNode; name: string } {
    assertComponents(path);
    const name = path[path.length - 1];
    if (name === undefined) throw new VfsError('EPERM', 'the root of a Vfs cannot be created, removed or renamed');
    return { parent: this.#lookupDir(path.slice(0, -1)), name };
  }
}

/** Largest file a MemoryVfs holds: 2 GiB, what a Uint8Array can comfortably be. */
const MAX_FILE_BYTES = 2 ** 31 - 1;

function resize(node: FileNode, size: number): void {
  if (size > MAX_FILE_BYTES) throw new VfsError('EDQUOT', 'file too large for a memory file system');
  if (size > node.data.length) {
    const grown = new Uint8Array(Math.min(MAX_FILE_BYTES, Math.max(size, node.data.length * 2, 64)));
    grown.set(node.data.subarray(0, node.size));
    node.data = grown;
  } else if (size < node.size) {
    node.data.fill(0, size, node.size);
  }
  node.size = size;
}

class MemoryFile implements VfsFile {
  #open = true;
  constructor(
    readonly node: FileNode,
    readonly readable: boolean,
    readonly writable: boolean,
    readonly now: () => number,
  ) {}

  read(into: Uint8Array, position: number): number {
    this.#check(this.readable);
    if (position >= this.node.size) return 0;
    const n = Math.min(into.length, this.node.size - position);
    into.set(this.node.data.subarray(position, position + n));
    return n;
  }

  write(from: Uint8Array, position: number): number {
    this.#check(this.writable);
    const end = position + from.length;
    if (end > this.node.size) resize(this.node, end);
    this.node.data.set(from, position);
    this.node.mtimeMs = this.now();
    return from.length;
  }

  size(): number {
    this.#check(true);
    return this.node.size;
  }

  truncate(length: number): void {
    this.#check(this.writable);
    if (length < 0) throw new VfsError('EINVAL');
    resize(this.node, length);
    this.node.mtimeMs = this.now();
  }

  sync(): void {
    this.#check(true);
  }

  close(): void {
    this.#open = false;
  }

  #check(allowed: boolean): void {
    if (!this.#open || !allowed) throw new VfsError('EBADF');
  }
}
