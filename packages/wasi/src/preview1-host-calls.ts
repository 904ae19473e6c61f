/**
 * The preview1 host functions we write ourselves instead of taking
 * browser_wasi_shim's glue, each for a reason:
 *
 * - path_*: decode the guest's path strictly (invalid UTF-8 is EILSEQ, a
 *   path running past the end of memory is EFAULT; the shim silently
 *   truncates and substitutes), reuse freed fd numbers and cap open fds at
 *   `MAX_OPEN_FDS` (the shim only ever appends), and go to our DirectoryFd
 *   for rename (the shim's rename is unlink + link on its own inodes).
 * - path_symlink and path_link: always EPERM, and audited. Guests never
 *   create links: a link is a name that points somewhere else, and every
 *   such name is one more thing the resolver must get right forever; tools
 *   that need links are rare enough to ask for them explicitly one day.
 * - clock_*: 1 ms resolution (see CLOCK_RESOLUTION_NS), monotonic time
 *   counted from the start of the run, so a guest learns neither the host's
 *   uptime nor sub-millisecond timings (a timing side channel).
 * - poll_oneoff: the shim reads the subscription flags at the wrong offset
 *   and never writes `nevents`; ours sleeps (by spinning: preview1 is
 *   synchronous) only until the call's deadline, and a sleep that would end
 *   past the deadline is the limit `wall-time` at once.
 * - random_get: always `crypto.getRandomValues` (the shim falls back to
 *   Math.random).
 * - args_sizes_get: the shim counts UTF-16 units, not UTF-8 bytes, so a
 *   non-ASCII argument would overflow the guest's buffer.
 * - proc_raise and sock_*: ENOTSUP (the shim throws strings into the guest).
 */
import { type Fd, wasi } from '@bjorn3/browser_wasi_shim';
import { ERRNO } from './errno.js';
import { DirectoryFd } from './fd-dir.js';
import { LimitTrap, type RunGuard } from './limit-trap.js';
import type { SandboxContext } from './sandbox-context.js';
import type { WasmMemory } from './wasm-api.js';

/** Most fds open at once, stdio and preopens included. */
export const MAX_OPEN_FDS = 1024;
/** The resolution of every clock the guest reads: 1 ms, in nanoseconds. */
export const CLOCK_RESOLUTION_NS = 1_000_000n;

export interface HostCallState {
  readonly fds: (Fd | undefined)[];
  readonly ctx: SandboxContext;
  readonly guard: RunGuard;
  readonly args: readonly string[];
  memory(): WasmMemory;
  /** Wall-clock time, ms since the epoch. */
  realtime(): number;
}

type HostFn = (...args: never[]) => unknown;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

class BadPath extends Error {
  constructor(readonly errno: number) {
    super('bad path');
  }
}

function readPath(state: HostCallState, ptr: number, len: number): string {
  const bytes = new Uint8Array(state.memory().buffer);
  if (ptr < 0 || len < 0 || ptr + len > bytes.length) throw new BadPath(ERRNO.EFAULT);
  try {
    return utf8.decode(bytes.subarray(ptr, ptr + len));
  } catch {
    throw new BadPath(ERRNO.EILSEQ);
  }
}

function dirFd(state: HostCallState, fd: number): DirectoryFd | number {
  const obj = state.fds[fd];
  if (obj === undefined) return ERRNO.EBADF;
  if (!(obj instanceof DirectoryFd)) return ERRNO.ENOTDIR;
  return obj;
}

/** Run `fn` with a decoded path on a directory fd; errors become errnos. */
function onPath(state: HostCallState, fd: number, ptr: number, len: number, fn: (dir: DirectoryFd, path: string) => number): number {
  const dir = dirFd(state, fd);
  if (typeof dir === 'number') return dir;
  try {
    return fn(dir, readPath(state, ptr, len));
  } catch (e) {
    if (e instanceof BadPath) return e.errno;
    throw e;
  }
}

function view(state: HostCallState): DataView {
  return new DataView(state.memory().buffer);
}

function allocateFd(state: HostCallState, obj: Fd): number {
  for (let i = 3; i < MAX_OPEN_FDS; i++) {
    if (state.fds[i] === undefined) {
      state.fds[i] = obj;
      return i;
    }
  }
  return -1;
}

const GUEST_CLOCKS = new Set<number>([
  wasi.CLOCKID_REALTIME,
  wasi.CLOCKID_MONOTONIC,
  wasi.CLOCKID_PROCESS_CPUTIME_ID,
  wasi.CLOCKID_THREAD_CPUTIME_ID,
]);

/** Guest clock reading in ms: realtime, or time since the run started. */
function clockMs(state: HostCallState, id: number): number {
  return id === wasi.CLOCKID_REALTIME ? state.realtime() : state.guard.elapsedMs();
}

const SUBSCRIPTION_SIZE = 48;
const EVENT_SIZE = 32;

export function hostCalls(state: HostCallState): Record<string, HostFn> {
  const notsup = (): number => ERRNO.ENOTSUP;
  return {
    args_sizes_get(argcPtr: number, bufSizePtr: number): number {
      const v = view(state);
      v.setUint32(argcPtr, state.args.length, true);
      v.setUint32(
        bufSizePtr,
        state.args.reduce((n, a) => n + encoder.encode(a).length + 1, 0),
        true,
      );
      return 0;
    },

    clock_res_get(id: number, resPtr: number): number {
      if (!GUEST_CLOCKS.has(id)) return ERRNO.EINVAL;
      view(state).setBigUint64(resPtr, CLOCK_RESOLUTION_NS, true);
      return 0;
    },

    clock_time_get(id: number, _precision: bigint, timePtr: number): number {
      if (!GUEST_CLOCKS.has(id)) return ERRNO.EINVAL;
      const ms = Math.max(0, Math.floor(clockMs(state, id)));
      view(state).setBigUint64(timePtr, BigInt(ms) * CLOCK_RESOLUTION_NS, true);
      return 0;
    },

    poll_oneoff(inPtr: number, outPtr: number, nsubscriptions: number, neventsPtr: number): number {
      if (nsubscriptions <= 0) return ERRNO.EINVAL;
      const v = view(state);
      const subs = [];
      for (let i = 0; i < nsubscriptions; i++) {
        const p = inPtr + i * SUBSCRIPTION_SIZE;
        subs.push({
          userdata: v.getBigUint64(p, true),
          type: v.getUint8(p + 8),
          clock: v.getUint32(p + 16, true),
          timeout: v.getBigUint64(p + 24, true),
          abstime: (v.getUint16(p + 40, true) & wasi.SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0,
        });
      }
      // Our streams never block: fd subscriptions are ready at once.
      let ready = subs.filter((s) => s.type !== wasi.EVENTTYPE_CLOCK);
      if (ready.length === 0) {
        let endMs = Number.POSITIVE_INFINITY;
        for (const s of subs) {
          if (!GUEST_CLOCKS.has(s.clock)) return ERRNO.EINVAL;
          const timeoutMs = Number(s.timeout) / 1e6;
          const waitMs = s.abstime ? timeoutMs - clockMs(state, s.clock) : timeoutMs;
          const end = state.guard.clock.monotonic() + Math.max(0, waitMs);
          if (end < endMs) {
            endMs = end;
            ready = [s];
          }
        }
        if (endMs > state.guard.deadlineMs) {
          throw new LimitTrap('wall-time', `a sleep would pass the wall time limit of ${state.guard.wallMs} ms`);
        }
        while (state.guard.clock.monotonic() < endMs) {
          // Spin: preview1 calls are synchronous and Atomics.wait is not
          // allowed on every host's main thread.
        }
      }
      const out = new Uint8Array(state.memory().buffer, outPtr, ready.length * EVENT_SIZE);
      out.fill(0);
      ready.forEach((s, i) => {
        v.setBigUint64(outPtr + i * EVENT_SIZE, s.userdata, true);
        v.setUint8(outPtr + i * EVENT_SIZE + 10, s.type);
      });
      v.setUint32(neventsPtr, ready.length, true);
      return 0;
    },

    random_get(ptr: number, len: number): number {
      const bytes = new Uint8Array(state.memory().buffer);
      if (ptr < 0 || len < 0 || ptr + len > bytes.length) return ERRNO.EFAULT;
      for (let at = ptr; at < ptr + len; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(ptr + len, at + 65536)));
      return 0;
    },

    path_open(
      fd: number,
      dirflags: number,
      ptr: number,
      len: number,
      oflags: number,
      rightsBase: bigint,
      rightsInheriting: bigint,
      fdflags: number,
      openedPtr: number,
    ): number {
      return onPath(state, fd, ptr, len, (dir, path) => {
        const { ret, fd_obj } = dir.path_open(dirflags, path, oflags, rightsBase, rightsInheriting, fdflags);
        if (ret !== 0 || fd_obj === null) return ret;
        const slot = allocateFd(state, fd_obj);
        if (slot < 0) {
          fd_obj.fd_close();
          return ERRNO.EMFILE;
        }
        view(state).setUint32(openedPtr, slot, true);
        return 0;
      });
    },

    path_create_directory: (fd: number, ptr: number, len: number): number =>
      onPath(state, fd, ptr, len, (dir, path) => dir.path_create_directory(path)),

    path_remove_directory: (fd: number, ptr: number, len: number): number =>
      onPath(state, fd, ptr, len, (dir, path) => dir.path_remove_directory(path)),

    path_unlink_file: (fd: number, ptr: number, len: number): number =>
      onPath(state, fd, ptr, len, (dir, path) => dir.path_unlink_file(path)),

    path_filestat_get(fd: number, flags: number, ptr: number, len: number, statPtr: number): number {
      return onPath(state, fd, ptr, len, (dir, path) => {
        const { ret, filestat } = dir.path_filestat_get(flags, path);
        if (ret === 0 && filestat !== null) filestat.write_bytes(view(state), statPtr);
        return ret;
      });
    },

    path_filestat_set_times: (fd: number, _flags: number, ptr: number, len: number): number =>
      onPath(state, fd, ptr, len, () => ERRNO.ENOTSUP),

    /** Like readlink(2): the target, cut to the buffer; `bufused` says how much. */
    path_readlink(fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number): number {
      return onPath(state, fd, ptr, len, (dir, path) => {
        const { ret, data } = dir.path_readlink(path);
        if (ret !== 0 || data === null) return ret;
        const bytes = encoder.encode(data).subarray(0, Math.max(0, bufLen));
        new Uint8Array(state.memory().buffer).set(bytes, buf);
        view(state).setUint32(usedPtr, bytes.length, true);
        return 0;
      });
    },

    path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): number {
      const target = dirFd(state, newFd);
      if (typeof target === 'number') return target;
      return onPath(state, fd, oldPtr, oldLen, (dir, oldPath) => dir.rename(oldPath, target, readPath(state, newPtr, newLen)));
    },

    path_symlink(_oldPtr: number, _oldLen: number, fd: number, newPtr: number, newLen: number): number {
      return onPath(state, fd, newPtr, newLen, (dir, path) => state.ctx.deny('path_symlink', dir.guestPathOf(path), 'EPERM'));
    },

    path_link(oldFd: number, _flags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): number {
      const target = dirFd(state, newFd);
      if (typeof target === 'number') return target;
      return onPath(state, oldFd, oldPtr, oldLen, () => {
        const path = readPath(state, newPtr, newLen);
        return state.ctx.deny('path_link', target.guestPathOf(path), 'EPERM');
      });
    },

    proc_raise: notsup,
    sock_accept: notsup,
    sock_recv: notsup,
    sock_send: notsup,
    sock_shutdown: notsup,
  };
}
