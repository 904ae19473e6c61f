/**
 * wasi:filesystem@0.2.12 (types, preopens) over Airlock's Vfs mounts.
 *
 * A `Descriptor` is the guest's capability, like preview1's DirectoryFd: a
 * directory (or file) inside one mount. Every path the guest passes with a
 * directory descriptor is resolved by `resolveInMount` from that directory,
 * inside that mount, with the same rules as preview1 (`..` above the root,
 * absolute paths, escaping symlinks and NUL bytes are denials), and only
 * then handed to the mount's Vfs, which is already wrapped read-only or
 * write-quota'd by `mountVfs`. Guest-created symlinks and hard links are
 * always refused. Nothing here touches the host: a host-backed Vfs does.
 */
import { type Vfs, VfsError, type VfsFile, type VfsNodeType, type VfsStat } from '@airlock/core';
import { ReadOnlyVfs, resolveInMount, wantsDirectory } from '@airlock/wasi';
import type { CallContext } from './call-context.js';
import { type ErrorCode, fsErrorCode } from './fs-errors.js';
import { type FailureMapper, InputStream, IoError, OutputStream } from './io.js';

/** One mount as the guest sees it. */
export interface MountView {
  /** Absolute guest path of the mount root, e.g. `/workspace`. */
  readonly guestPath: string;
  /** The Vfs, already wrapped for access and quota (mountVfs). */
  readonly vfs: Vfs;
  /** A small number naming the mount, for metadata hashes. */
  readonly id: number;
}

export interface DescriptorFlags {
  readonly read?: boolean;
  readonly write?: boolean;
  readonly mutateDirectory?: boolean;
}
export interface PathFlags {
  readonly symlinkFollow?: boolean;
}
export interface OpenFlags {
  readonly create?: boolean;
  readonly directory?: boolean;
  readonly exclusive?: boolean;
  readonly truncate?: boolean;
}
interface Datetime {
  readonly seconds: bigint;
  readonly nanoseconds: number;
}
export interface DescriptorStat {
  readonly type: string;
  readonly linkCount: bigint;
  readonly size: bigint;
  readonly dataAccessTimestamp?: Datetime;
  readonly dataModificationTimestamp?: Datetime;
  readonly statusChangeTimestamp?: Datetime;
}

const TYPES: Readonly<Record<VfsNodeType, string>> = {
  file: 'regular-file',
  dir: 'directory',
  symlink: 'symbolic-link',
  other: 'unknown',
};

function toStat(s: VfsStat): DescriptorStat {
  const ms = Math.max(0, Math.floor(s.mtimeMs));
  const time = { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
  return {
    type: TYPES[s.type],
    linkCount: 1n,
    size: BigInt(s.size),
    dataAccessTimestamp: time,
    dataModificationTimestamp: time,
    statusChangeTimestamp: time,
  };
}

const DISPOSE: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('dispose');

/** A directory listing, snapshotted when the guest starts reading it. */
export class DirectoryEntryStream {
  #next = 0;
  constructor(readonly entries: readonly { type: string; name: string }[]) {}
  readDirectoryEntry(): { type: string; name: string } | undefined {
    return this.entries[this.#next++];
  }
}

export class Descriptor {
  constructor(
    readonly ctx: CallContext,
    readonly mount: MountView,
    /** Components from the mount root. */
    readonly path: readonly string[],
    /** The open file, for a file descriptor; undefined for a directory. */
    readonly file: VfsFile | undefined,
    readonly flags: { readonly read: boolean; readonly write: boolean },
    readonly ino: bigint,
  ) {}

  // ---- files ---------------------------------------------------------------

  readViaStream(offset: bigint): InputStream {
    const file = this.#file('read-via-stream');
    let at = Number(offset);
    return new InputStream(
      this.ctx.guard,
      (n) => {
        const buf = new Uint8Array(n);
        const got = file.read(buf, at);
        if (got === 0 && n > 0) return null;
        at += got;
        this.ctx.fsReadBytes += got;
        return buf.subarray(0, got);
      },
      this.#streamFailure('read'),
    );
  }

  writeViaStream(offset: bigint): OutputStream {
    const file = this.#writable('write-via-stream');
    let at = Number(offset);
    return new OutputStream(
      this.ctx.guard,
      (data) => {
        at += this.#writeAll(file, data, at);
      },
      this.#streamFailure('write'),
    );
  }

  appendViaStream(): OutputStream {
    const file = this.#writable('append-via-stream');
    return new OutputStream(this.ctx.guard, (data) => void this.#writeAll(file, data, file.size()), this.#streamFailure('write'));
  }

  advise(): void {}

  syncData(): void {
    this.file?.sync();
  }
  sync(): void {
    this.file?.sync();
  }

  getFlags(): { read: boolean; write: boolean; mutateDirectory: boolean } {
    const dir = this.file === undefined;
    const writable = !(this.mount.vfs instanceof ReadOnlyVfs);
    return { read: this.flags.read, write: !dir && this.flags.write, mutateDirectory: dir && writable };
  }

  getType(): string {
    return this.file === undefined ? 'directory' : 'regular-file';
  }

  setSize(size: bigint): void {
    const file = this.#writable('set-size');
    this.#try('set-size', '.', () => file.truncate(Number(size)));
  }

  setTimes(): void {
    throw 'unsupported';
  }

  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    this.ctx.guard.check();
    const file = this.#file('read');
    return this.#try('read', '.', () => {
      const n = Math.min(Number(length), 1 << 20);
      const buf = new Uint8Array(n);
      const got = file.read(buf, Number(offset));
      this.ctx.fsReadBytes += got;
      return [buf.subarray(0, got), got < n];
    });
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    this.ctx.guard.check();
    const file = this.#writable('write');
    return this.#try('write', '.', () => BigInt(this.#writeAll(file, buffer, Number(offset))));
  }

  stat(): DescriptorStat {
    return this.#try('stat', '.', () => toStat(this.mount.vfs.lstat(this.path)));
  }

  isSameObject(other: Descriptor): boolean {
    return other.mount.vfs === this.mount.vfs && other.ino === this.ino;
  }

  metadataHash(): { lower: bigint; upper: bigint } {
    return { lower: this.ino, upper: BigInt(this.mount.id) };
  }

  // ---- directories -----------------------------------------------------------

  readDirectory(): DirectoryEntryStream {
    this.#dir('read-directory', '.');
    return this.#try('read-directory', '.', () => {
      const entries = this.mount.vfs.readdir(this.path).map((d) => ({ type: TYPES[d.type], name: d.name }));
      return new DirectoryEntryStream(entries);
    });
  }

  statAt(pathFlags: PathFlags, path: string): DescriptorStat {
    this.#dir('stat-at', path);
    return this.#try('stat-at', path, () => toStat(this.mount.vfs.lstat(this.#resolve(path, pathFlags.symlinkFollow === true))));
  }

  metadataHashAt(pathFlags: PathFlags, path: string): { lower: bigint; upper: bigint } {
    this.#dir('metadata-hash-at', path);
    return this.#try('metadata-hash-at', path, () => ({
      lower: this.mount.vfs.lstat(this.#resolve(path, pathFlags.symlinkFollow === true)).ino,
      upper: BigInt(this.mount.id),
    }));
  }

  setTimesAt(): void {
    throw 'unsupported';
  }

  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    this.ctx.guard.check();
    this.#dir('open-at', path);
    return this.#try('open-at', path, () => {
      const create = openFlags.create === true;
      const exclusive = create && openFlags.exclusive === true;
      const truncate = openFlags.truncate === true;
      const write = flags.write === true;
      const read = flags.read === true || !write;
      // O_CREAT|O_EXCL never follows a final symlink (POSIX).
      const follow = pathFlags.symlinkFollow === true && !exclusive;
      const resolved = this.#resolve(path, follow);
      const stat = this.#statOrNull(resolved);

      if (stat?.type === 'dir') {
        if (exclusive) throw new VfsError('EEXIST');
        if (write || truncate) throw new VfsError('EISDIR');
        return new Descriptor(this.ctx, this.mount, resolved, undefined, { read: true, write: false }, stat.ino);
      }
      if (stat === null && !create) throw new VfsError('ENOENT');
      if (openFlags.directory === true) throw new VfsError(stat === null ? 'ENOENT' : 'ENOTDIR');
      if (stat === null && wantsDirectory(path)) throw new VfsError('EISDIR');
      if (stat?.type === 'symlink') throw new VfsError('ELOOP');

      const file = this.mount.vfs.open(resolved, { read, write, create, exclusive, truncate });
      this.ctx.openFiles.add(file);
      const after = this.mount.vfs.lstat(resolved);
      return new Descriptor(this.ctx, this.mount, resolved, file, { read, write }, after.ino);
    });
  }

  readlinkAt(path: string): string {
    this.#dir('readlink-at', path);
    return this.#try('readlink-at', path, () => this.mount.vfs.readlink(this.#resolve(path, false)));
  }

  createDirectoryAt(path: string): void {
    this.#dir('create-directory-at', path);
    this.#try('create-directory-at', path, () => this.mount.vfs.mkdir(this.#resolveForChange(path)));
  }

  removeDirectoryAt(path: string): void {
    this.#dir('remove-directory-at', path);
    this.#try('remove-directory-at', path, () => this.mount.vfs.rmdir(this.#resolveForChange(path)));
  }

  unlinkFileAt(path: string): void {
    this.#dir('unlink-file-at', path);
    this.#try('unlink-file-at', path, () => this.mount.vfs.unlink(this.#resolveForChange(path)));
  }

  renameAt(oldPath: string, target: Descriptor, newPath: string): void {
    const op = 'rename-at';
    this.#dir(op, oldPath);
    target.#dir(op, newPath);
    const from = this.#try(op, oldPath, () => this.#resolveForChange(oldPath));
    const to = target.#try(op, newPath, () => target.#resolveForChange(newPath));
    if (target.mount.vfs !== this.mount.vfs) {
      // Out of or into a read-only mount is a refused write, recorded as one;
      // between two writable mounts it is just a cross-device rename.
      if (this.mount.vfs instanceof ReadOnlyVfs || target.mount.vfs instanceof ReadOnlyVfs) {
        this.#try(op, oldPath, () => {
          throw new VfsError('EROFS', 'rename across mounts out of or into a read-only mount');
        });
      }
      throw 'cross-device';
    }
    this.#try(op, oldPath, () => this.mount.vfs.rename(from, to));
  }

  /** Guest-created symlinks are never allowed: symlink policy is the host's alone. */
  symlinkAt(_target: string, path: string): void {
    this.#dir('symlink-at', path);
    this.#try('symlink-at', path, () => {
      throw new VfsError('EPERM', 'a guest may not create symlinks');
    });
  }

  linkAt(_flags: PathFlags, oldPath: string): void {
    this.#dir('link-at', oldPath);
    this.#try('link-at', oldPath, () => {
      throw new VfsError('EPERM', 'a guest may not create hard links');
    });
  }

  // ---- internals ---------------------------------------------------------------

  /** The guest-visible form of `raw`, relative to this descriptor, for the audit log. */
  guestPathOf(raw: string): string {
    if (raw.startsWith('/')) return raw;
    const root = this.mount.guestPath.replace(/\/+$/, '');
    return raw === '.' && this.path.length === 0 ? root : [root, ...this.path, raw].join('/');
  }

  #resolve(path: string, followFinal: boolean): string[] {
    return resolveInMount(this.mount.vfs, path, { followFinal, base: this.path });
  }

  /** The mount root itself is never removable or renamable. */
  #resolveForChange(path: string): string[] {
    const resolved = this.#resolve(path, false);
    if (resolved.length === 0) throw new VfsError('EPERM', 'the mount root cannot be changed');
    return resolved;
  }

  #statOrNull(path: readonly string[]): VfsStat | null {
    try {
      return this.mount.vfs.lstat(path);
    } catch (e) {
      if (e instanceof VfsError && e.code === 'ENOENT') return null;
      throw e;
    }
  }

  #writeAll(file: VfsFile, data: Uint8Array, at: number): number {
    const n = file.write(data, at);
    this.ctx.fsWriteBytes += n;
    return n;
  }

  #dir(_op: string, _path: string): void {
    if (this.file !== undefined) throw 'not-directory';
  }

  #file(_op: string): VfsFile {
    if (this.file === undefined) throw 'is-directory';
    return this.file;
  }

  #writable(op: string): VfsFile {
    const file = this.#file(op);
    if (!this.flags.write) throw 'bad-descriptor';
    return file;
  }

  #try<T>(op: string, path: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw fsErrorCode(this.ctx.denials, op, this.guestPathOf(path), e) satisfies ErrorCode;
    }
  }

  #streamFailure(op: string): FailureMapper {
    return (e) => {
      const code = fsErrorCode(this.ctx.denials, op, this.guestPathOf('.'), e);
      return { tag: 'last-operation-failed', val: new IoError(code, code) };
    };
  }
}

// The component glue calls this when the guest drops a descriptor.
Object.defineProperty(Descriptor.prototype, DISPOSE, {
  value(this: Descriptor) {
    if (this.file !== undefined && this.ctx.openFiles.delete(this.file)) this.file.close();
  },
});

/** `filesystem-error-code`: the code behind a stream error, if it came from a file. */
export function filesystemErrorCode(error: IoError): ErrorCode | undefined {
  return error.fsCode;
}

/** The root descriptors of the call's mounts, for `get-directories`. */
export function preopenDescriptors(ctx: CallContext, mounts: readonly MountView[]): [Descriptor, string][] {
  return mounts.map((m) => {
    let ino = 0n;
    try {
      ino = m.vfs.lstat([]).ino;
    } catch {}
    return [new Descriptor(ctx, m, [], undefined, { read: true, write: false }, ino), m.guestPath];
  });
}
