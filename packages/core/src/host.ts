/**
 * The Host contract: everything a runtime (Node, Deno, a browser, workerd)
 * gives the core. The core asks the Host; it never sniffs the environment,
 * so the same gate runs anywhere a Host can be written (DESIGN.md §3).
 */
import type { SecretRef } from './grants.js';
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
 * One writer per log at a time, across processes: the host enforces it.
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
  /** Close it and release the writer lock taken by `openLog`. */
  close(): Promise<void>;
}

export interface HostStorage {
  /**
   * Open (creating if needed, with parent directories) a durable log for
   * writing. Takes the log's exclusive writer lock first: while another open
   * log (in this process or any other) holds it, rejects with AUDIT_LOCKED
   * and leaves the log untouched. Reading a log needs no lock.
   */
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

/**
 * One outbound HTTP exchange, as @airlock/egress hands it to the host after
 * checking it against the grants. The host adds no policy of its own, but it
 * owns the one check only it can make: which address it really connects to.
 */
export interface HostNetRequest {
  /** Absolute http(s) URL, already checked (no userinfo, no fragment). */
  readonly url: string;
  /** Uppercase method. */
  readonly method: string;
  /** Header pairs to send as they are (secrets already injected). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array;
  /** The whole exchange (resolve, connect, send, read) must end within this, in milliseconds. */
  readonly timeoutMs: number;
  /** Stop reading the body after this many bytes and report `truncated`. */
  readonly maxResponseBytes: number;
  /**
   * Whether the host may connect to this IP address (text form, IPv6 without
   * brackets). The host resolves the name once, calls this for every address
   * it would use, and connects only to an address that passed: never to a
   * name resolved again later (the DNS-rebinding defence). Literal IP hosts
   * are checked too. Any address that fails fails the request.
   */
  checkAddress(ip: string): boolean;
}

export interface HostNetResponse {
  readonly status: number;
  /** Header pairs as received (names lowercased). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** At most `maxResponseBytes` bytes. */
  readonly body: Uint8Array;
  /** True when the body was longer than `maxResponseBytes` and reading stopped. */
  readonly truncated: boolean;
  /** The `location` header of a 3xx, as sent (the host never follows redirects). */
  readonly location?: string;
}

/** Why an exchange did not happen or did not finish: a value, not a throw. */
export interface HostNetFailure {
  readonly failure: 'address-denied' | 'timeout' | 'dns' | 'connect' | 'tls' | 'protocol';
  readonly message: string;
  /** The address that failed `checkAddress`, for the audit record. */
  readonly address?: string;
}

/**
 * Outbound HTTP(S). TLS keeps certificate and name verification (SNI and
 * the certificate checked against the URL's host, not the address). No
 * proxies from the environment, no connection pooling across calls, no
 * automatic redirects, no decompression.
 */
export interface HostNet {
  request(request: HostNetRequest): Promise<HostNetResponse | HostNetFailure>;
}

/** Where a host reads secret values from (the policy's `secrets:` map names the source). */
export interface HostSecrets {
  /** The value, or undefined when the source is not set. Read per call, never cached. */
  read(ref: SecretRef): string | undefined;
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
  /** Outbound HTTP for egress grants; absent where the host offers none (then every request is denied). */
  readonly net?: HostNet;
  /** Secret values for net grants' headers; absent means no secret resolves. */
  readonly secrets?: HostSecrets;
}
