/**
 * The single-writer lock of a durable log: a lock file next to it.
 *
 * A log's hash chain has one head, kept in the memory of the process that
 * writes it. A second writer would interleave frames with its own idea of
 * the head and break the chain, and torn-tail recovery could then cut
 * records. So opening a log for writing first creates `<log>.lock` with an
 * exclusive create (O_CREAT|O_EXCL: of two racing creators exactly one
 * wins), holding who owns it: pid, host name, start time and a random token.
 * Closing the log removes it; so does a normal process exit.
 *
 * A lock file, not an OS lock: Node has no flock in core, and Deno's
 * `FsFile.lock` waits rather than fails. The lock file is also the one
 * scheme a Node writer and a Deno writer of the same log both see.
 *
 * A crash (SIGKILL, power loss) leaves the file behind. The next opener
 * reads it: a holder on this host whose pid no longer runs is stale, and is
 * taken over. Anything it cannot be sure of (a live pid, another host, a
 * file it cannot parse, no right to signal) it refuses with AUDIT_LOCKED,
 * naming the holder and the lock file, and leaves the log untouched.
 *
 * Host-neutral (no `node:*` import): each runtime passes its file and
 * process primitives as `LockHost`. Readers (`airlock audit verify|show`)
 * read the log file directly and never take the lock.
 */
import { AirlockError } from '@airlock/core';

/** What the lock needs from the host, synchronously (the exit hook must be). */
export interface LockHost {
  /** Create `path` holding `text`; false when `path` already exists. */
  createExclusive(path: string, text: string): boolean;
  /** The file's text; undefined when it does not exist. */
  read(path: string): string | undefined;
  /** Rename `from` to `to` (replacing it); false when `from` does not exist. */
  rename(from: string, to: string): boolean;
  /** Hard-link `existing` as `path`; false when `path` exists. */
  link(existing: string, path: string): boolean;
  /** Remove a file; a missing file is fine. */
  remove(path: string): void;
  /** Whether `pid` runs on this host; `unknown` when the host cannot tell (no permission). */
  processState(pid: number): 'alive' | 'dead' | 'unknown';
  /** Run `fn` synchronously when this process exits normally; returns the unregister. */
  onExit(fn: () => void): () => void;
  readonly pid: number;
  /** This host's name; undefined when the runtime may not read it. */
  readonly hostname: string | undefined;
  /** When this process started, epoch milliseconds (`performance.timeOrigin`). */
  readonly processStart: number;
  now(): number;
  token(): string;
}

/** Who holds a lock, as written in the lock file (one JSON line). */
export interface LockHolder {
  readonly pid: number;
  readonly host: string | null;
  /** When it took the lock, epoch milliseconds. */
  readonly since: number;
  readonly token: string;
}

/** A held lock. `release` is idempotent. */
export interface LogLock {
  readonly path: string;
  release(): void;
}

/** How often to retry when the lock file changes under us (released, or taken over by another). */
const ATTEMPTS = 3;

export function lockPathFor(logPath: string): string {
  return `${logPath}.lock`;
}

/** Take the writer lock of the log at `logPath`, or throw AUDIT_LOCKED. */
export function acquireLogLock(host: LockHost, logPath: string): LogLock {
  const path = lockPathFor(logPath);
  const me: LockHolder = { pid: host.pid, host: host.hostname ?? null, since: host.now(), token: host.token() };
  const mine = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (host.createExclusive(path, mine)) return held(host, path, mine);
    const text = host.read(path);
    if (text === undefined) continue; // released between our create and our read
    const holder = parseHolder(text);
    if (holder === undefined) throw unreadable(logPath, path);
    if (!isStale(host, holder)) throw locked(logPath, path, holder, host);
    // Stale. Move it aside rather than delete it: the rename moves whatever
    // is there *now*, so we can check that it is still the file we judged.
    // If another opener replaced it first, we moved their live lock: put it
    // back (a hard link never replaces an existing file) and refuse.
    const aside = `${path}.stale-${me.token}`;
    if (!host.rename(path, aside)) continue; // another opener moved it first
    const moved = host.read(aside);
    if (moved !== text) {
      restore(host, aside, path);
      const winner = moved === undefined ? undefined : parseHolder(moved);
      throw winner ? locked(logPath, path, winner, host) : unreadable(logPath, path);
    }
    host.remove(aside);
    // Loop: the exclusive create decides between us and any other opener.
  }
  throw new AirlockError('AUDIT_LOCKED', `${logPath}: the lock file ${path} keeps changing; another writer is opening this log`, {
    details: { path: logPath, lockPath: path },
  });
}

function held(host: LockHost, path: string, mine: string): LogLock {
  let released = false;
  // Remove the file only while it is still ours: never a successor's lock.
  const removeIfMine = () => {
    try {
      if (host.read(path) === mine) host.remove(path);
    } catch {
      // Best effort: a lock left behind is stale once we are gone, and recovered.
    }
  };
  const unregister = host.onExit(removeIfMine);
  return {
    path,
    release() {
      if (released) return;
      released = true;
      unregister();
      removeIfMine();
    },
  };
}

function restore(host: LockHost, aside: string, path: string): void {
  try {
    host.link(aside, path);
    host.remove(aside);
  } catch {
    host.rename(aside, path); // a file system without hard links
  }
}

/**
 * Stale means: written on this host, and its process is gone. Same pid as
 * ours but taken before this process started means an earlier process that
 * had our pid (containers reuse small pids on restart).
 */
function isStale(host: LockHost, holder: LockHolder): boolean {
  if (host.hostname === undefined || holder.host !== host.hostname) return false;
  if (holder.pid === host.pid) return holder.since < host.processStart;
  return host.processState(holder.pid) === 'dead';
}

export function parseHolder(text: string): LockHolder | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { pid, host, since, token } = v as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined;
  if (host !== null && typeof host !== 'string') return undefined;
  if (typeof since !== 'number' || !Number.isFinite(since) || typeof token !== 'string') return undefined;
  return { pid: pid as number, host, since, token };
}

function describe(holder: LockHolder, host: LockHost): string {
  const who = `pid ${holder.pid} on host ${holder.host ?? '(unknown)'} since ${new Date(holder.since).toISOString()}`;
  if (holder.host === null || host.hostname === undefined || holder.host !== host.hostname) {
    return `${who}; another host, or a host name we may not read, so whether it still runs cannot be checked`;
  }
  if (holder.pid === host.pid) return `${who}, this very process`;
  return host.processState(holder.pid) === 'unknown' ? `${who}; not allowed to check whether it still runs` : who;
}

function locked(logPath: string, lockPath: string, holder: LockHolder, host: LockHost): AirlockError {
  return new AirlockError(
    'AUDIT_LOCKED',
    `${logPath}: another writer holds the audit log (${describe(holder, host)}); one writer per log: stop it or use another audit log (if that writer is gone, remove ${lockPath})`,
    { details: { path: logPath, lockPath, holder: { ...holder } } },
  );
}

/**
 * A lock file we cannot parse is refused, not taken over: with no pid we
 * cannot tell whether a writer is alive, and guessing wrong breaks the chain.
 * (It is also what a reader sees for the instant between another opener's
 * exclusive create and its write; refusing is right then too.)
 */
function unreadable(logPath: string, lockPath: string): AirlockError {
  return new AirlockError(
    'AUDIT_LOCKED',
    `${logPath}: the lock file ${lockPath} exists but does not say who holds it; if no Airlock process is writing this log, remove ${lockPath}`,
    { details: { path: logPath, lockPath } },
  );
}
