/**
 * Preview1: one guest instance's WASI preview1 world, on browser_wasi_shim.
 *
 * The shim gives us the import glue (iovecs, argv/environ layout, the fd
 * table, readdir packing) and a base `Fd` that answers ENOTSUP to
 * everything. What the guest can reach is only what we put in the fd table
 * (deny by default, STYLE.md §4):
 *
 *   fd 0      stdin: the call's input bytes
 *   fd 1      stdout: collected, capped at `outputBytes` (over → limit `output`)
 *   fd 2      stderr: collected, capped at `stderrBytes` (over → dropped, flagged)
 *   fd 3..    one DirectoryFd preopen per mount, in the order given
 *
 * plus the args and env given, verbatim and nothing else (no host env, no
 * host argv), 1 ms clocks and `crypto.getRandomValues`.
 *
 * Every host function is wrapped so that (1) the run's guard is checked
 * first (wall time, memory) and (2) nothing but a limit trap or proc_exit
 * ever unwinds into the guest: a bad pointer is EFAULT, a host bug is EIO.
 * A Preview1 belongs to one instance; build a new one per run.
 */
import type { Limits, Vfs } from '@airlock/core';
import { type Fd, WASI, WASIProcExit } from '@bjorn3/browser_wasi_shim';
import { ERRNO } from './errno.js';
import { DirectoryFd } from './fd-dir.js';
import { OutputFd, StdinFd } from './fd-stdio.js';
import { defaultClock, LimitTrap, type MonotonicClock, RunGuard } from './limit-trap.js';
import { hostCalls } from './preview1-host-calls.js';
import { SandboxContext } from './sandbox-context.js';
import { Wasm, type WasmImports, type WasmInstance, type WasmMemory } from './wasm-api.js';

/** Every preview1 function a guest may import; anything else is refused at prepare. */
export const PREVIEW1_FUNCTIONS: ReadonlySet<string> = new Set([
  'args_get',
  'args_sizes_get',
  'environ_get',
  'environ_sizes_get',
  'clock_res_get',
  'clock_time_get',
  'fd_advise',
  'fd_allocate',
  'fd_close',
  'fd_datasync',
  'fd_fdstat_get',
  'fd_fdstat_set_flags',
  'fd_fdstat_set_rights',
  'fd_filestat_get',
  'fd_filestat_set_size',
  'fd_filestat_set_times',
  'fd_pread',
  'fd_prestat_get',
  'fd_prestat_dir_name',
  'fd_pwrite',
  'fd_read',
  'fd_readdir',
  'fd_renumber',
  'fd_seek',
  'fd_sync',
  'fd_tell',
  'fd_write',
  'path_create_directory',
  'path_filestat_get',
  'path_filestat_set_times',
  'path_link',
  'path_open',
  'path_readlink',
  'path_remove_directory',
  'path_rename',
  'path_symlink',
  'path_unlink_file',
  'poll_oneoff',
  'proc_exit',
  'proc_raise',
  'sched_yield',
  'random_get',
  'sock_accept',
  'sock_recv',
  'sock_send',
  'sock_shutdown',
]);

export const PREVIEW1_MODULE = 'wasi_snapshot_preview1';

export interface Preopen {
  /** Absolute guest path, e.g. `/workspace`: what fd_prestat_dir_name reports. */
  readonly guestPath: string;
  /** The mount's Vfs, already wrapped for access and quota (see mountVfs). */
  readonly vfs: Vfs;
}

export interface Preview1Options {
  /** argv, exactly: argv[0] is the program name. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  readonly preopens: readonly Preopen[];
  readonly limits: Pick<Limits, 'wallMs' | 'memoryBytes' | 'outputBytes' | 'stderrBytes'>;
  /** Monotonic ms clock for deadlines and the guest's monotonic clock. */
  readonly clock?: MonotonicClock;
  /** Wall-clock ms since the epoch, for the guest's realtime clock. Default `Date.now`. */
  readonly realtime?: () => number;
}

export class Preview1 {
  readonly guard: RunGuard;
  readonly ctx: SandboxContext;
  readonly stdout: OutputFd;
  readonly stderr: OutputFd;
  /** The import object to instantiate the guest with. */
  readonly imports: WasmImports;
  readonly #wasi: WASI;
  #memory: WasmMemory | undefined;

  constructor(options: Preview1Options) {
    const { limits } = options;
    this.guard = new RunGuard(options.clock ?? defaultClock, limits.wallMs, limits.memoryBytes);
    this.ctx = new SandboxContext(this.guard);
    this.stdout = new OutputFd(limits.outputBytes, 'trap');
    this.stderr = new OutputFd(limits.stderrBytes, 'drop');
    const fds: Fd[] = [new StdinFd(options.stdin), this.stdout, this.stderr];
    for (const p of options.preopens) fds.push(new DirectoryFd({ guestPath: p.guestPath, vfs: p.vfs }, [], this.ctx, p.guestPath));
    const args = [...options.args];
    const env = Object.entries(options.env).map(([k, v]) => `${k}=${v}`);
    this.#wasi = new WASI(args, env, fds);

    const own = hostCalls({
      fds: this.#wasi.fds as (Fd | undefined)[],
      ctx: this.ctx,
      guard: this.guard,
      args,
      memory: () => this.#requireMemory(),
      realtime: options.realtime ?? Date.now,
    });
    const table: Record<string, (...a: never[]) => unknown> = {};
    for (const name of PREVIEW1_FUNCTIONS) {
      const fn = own[name] ?? (this.#wasi.wasiImport[name] as ((...a: never[]) => unknown) | undefined);
      if (fn === undefined) throw new Error(`internal: no host function for ${name}`);
      table[name] = this.#guarded(fn);
    }
    this.imports = { [PREVIEW1_MODULE]: table };
  }

  /**
   * Run the guest's `_start`. Returns the exit code (0 when `_start`
   * returns). Throws `LimitTrap` for a limit, or whatever the guest trapped
   * with (a WebAssembly.RuntimeError, a stack overflow RangeError).
   */
  start(instance: WasmInstance): number {
    const memory = instance.exports['memory'];
    const start = instance.exports['_start'];
    if (!(memory instanceof Wasm.Memory) || typeof start !== 'function') {
      throw new TypeError('a preview1 command exports `memory` and `_start`');
    }
    this.#memory = memory;
    this.guard.memory = memory;
    this.#wasi.inst = { exports: { memory } } as WASI['inst'];
    this.guard.check();
    try {
      start();
      return 0;
    } catch (e) {
      if (e instanceof WASIProcExit) return e.code;
      throw e;
    }
  }

  #requireMemory(): WasmMemory {
    if (this.#memory === undefined) throw new Error('no instance memory yet');
    return this.#memory;
  }

  #guarded(fn: (...a: never[]) => unknown): (...a: never[]) => unknown {
    const guard = this.guard;
    return (...args: never[]): unknown => {
      guard.check();
      try {
        return fn(...args);
      } catch (e) {
        if (e instanceof LimitTrap || e instanceof WASIProcExit) throw e;
        // A pointer outside the guest's memory (DataView / TypedArray bounds).
        if (e instanceof RangeError) return ERRNO.EFAULT;
        return ERRNO.EIO;
      }
    };
  }
}
