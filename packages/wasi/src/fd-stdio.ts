/**
 * Standard streams for one run.
 *
 * - stdin is the call's input bytes, read once from the front; then EOF.
 * - stdout is collected up to `outputBytes`. Output is the tool's result, so
 *   a cut would silently hand the agent a truncated answer: going past the
 *   cap stops the guest with the limit `output` instead (the bytes up to the
 *   cap are kept for diagnosis).
 * - stderr is diagnostics: collected up to `stderrBytes`, the rest dropped
 *   and `truncated` set, and the guest keeps running.
 *
 * All three report filetype UNKNOWN (a pipe, not a terminal), so wasi-libc
 * fully buffers stdout instead of flushing every line through the host.
 */
import { Fd, wasi } from '@bjorn3/browser_wasi_shim';
import { ERRNO } from './errno.js';
import { LimitTrap } from './limit-trap.js';

export class StdinFd extends Fd {
  #position = 0;
  constructor(readonly input: Uint8Array) {
    super();
  }

  override fd_read(size: number): { ret: number; data: Uint8Array } {
    const data = this.input.subarray(this.#position, this.#position + Math.max(0, size));
    this.#position += data.length;
    return { ret: 0, data };
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat } {
    const stat = new wasi.Fdstat(wasi.FILETYPE_UNKNOWN, 0);
    stat.fs_rights_base = BigInt(wasi.RIGHTS_FD_READ | wasi.RIGHTS_POLL_FD_READWRITE);
    return { ret: 0, fdstat: stat };
  }

  override fd_seek(): { ret: number; offset: bigint } {
    return { ret: ERRNO.ESPIPE, offset: 0n };
  }
}

export class OutputFd extends Fd {
  readonly #chunks: Uint8Array[] = [];
  #kept = 0;
  #attempted = 0;
  #truncated = false;

  /**
   * @param cap bytes kept
   * @param onExceed `trap`: stop the guest with limit `output`; `drop`: keep going, flag it.
   */
  constructor(
    readonly cap: number,
    readonly onExceed: 'trap' | 'drop',
  ) {
    super();
  }

  override fd_write(data: Uint8Array): { ret: number; nwritten: number } {
    this.#attempted += data.length;
    const room = this.cap - this.#kept;
    const keep = data.length <= room ? data : data.subarray(0, Math.max(0, room));
    if (keep.length > 0) {
      this.#chunks.push(keep);
      this.#kept += keep.length;
    }
    if (keep.length < data.length) {
      this.#truncated = true;
      if (this.onExceed === 'trap') throw new LimitTrap('output', `output limit of ${this.cap} bytes exceeded`);
    }
    return { ret: 0, nwritten: data.length };
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat } {
    const stat = new wasi.Fdstat(wasi.FILETYPE_UNKNOWN, 0);
    stat.fs_rights_base = BigInt(wasi.RIGHTS_FD_WRITE | wasi.RIGHTS_POLL_FD_READWRITE);
    return { ret: 0, fdstat: stat };
  }

  override fd_seek(): { ret: number; offset: bigint } {
    return { ret: ERRNO.ESPIPE, offset: 0n };
  }

  override fd_sync(): number {
    return 0;
  }

  /** Bytes kept (at most `cap`). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#kept);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Bytes the guest wrote, kept or not. */
  get attempted(): number {
    return this.#attempted;
  }

  get truncated(): boolean {
    return this.#truncated;
  }
}
