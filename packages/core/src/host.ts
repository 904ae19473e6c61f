/**
 * The Host contract: everything a runtime (Node, Deno, a browser, workerd)
 * gives the core. The core asks the Host; it never sniffs the environment,
 * so the same gate runs anywhere a Host can be written (DESIGN.md §3).
 */
import type { Vfs } from './vfs.js';

export interface HostClock {
  /** Wall-clock time, epoch milliseconds (for audit timestamps). */
  now(): number;
  /** Monotonic high-resolution time, milliseconds (for durations). */
  monotonic(): number;
}

export interface HostCrypto {
  /** SHA-256, synchronous: the audit chain hashes on the hot path. */
  sha256(data: Uint8Array): Uint8Array;
  randomBytes(length: number): Uint8Array;
}

/**
 * Host file access. `root(path)` gives a Vfs over one host directory that
 * never follows a symlink out of it (the Vfs contract: it follows none).
 */
export interface HostFs {
  root(path: string): Vfs;
  /** Read a whole file (manifests, artifacts, policies). */
  readFile(path: string): Uint8Array;
  /** Resolve `path` against `base` the way the host's paths work. */
  resolve(base: string, path: string): string;
  /** The directory part of a path. */
  dirname(path: string): string;
  exists(path: string): boolean;
}

/**
 * A durable append-only byte log (the audit sink's storage). Writes are
 * buffered by the caller; `sync` makes everything appended so far durable.
 * One writer per log at a time.
 */
export interface AppendLog {
  /** The whole current content, for verification and recovery on open. */
  readAll(): Promise<Uint8Array>;
  /** Append bytes at the end (not yet durable). */
  append(data: Uint8Array): Promise<void>;
  /** Make all appended bytes durable (fsync / fdatasync). */
  sync(): Promise<void>;
  /** Cut the log to `length` bytes and make that durable (torn-tail recovery). */
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface HostStorage {
  /** Open (creating if needed, with parent directories) a durable log. */
  openLog(path: string): Promise<AppendLog>;
}

/** A worker: code running off the main thread that the host can kill. */
export interface HostWorker {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onError(listener: (error: Error) => void): void;
  /** Kill it now, wherever it is (the hard wall-clock backstop). */
  terminate(): Promise<void>;
}

export interface HostWorkers {
  spawn(moduleUrl: URL): HostWorker;
}

export interface Host {
  /** A short name for logs and reports: `node`, `deno`, `browser`, `workerd`. */
  readonly name: string;
  readonly clock: HostClock;
  readonly crypto: HostCrypto;
  /** Absent where the host has no file system (browsers, workers). */
  readonly fs?: HostFs;
  readonly storage?: HostStorage;
  readonly workers?: HostWorkers;
}
