/**
 * A capped byte sink for a guest's stdout or stderr.
 *
 * stdout is the tool's answer: going past `outputBytes` is the limit
 * `output` (a trap), because a silent cut would hand the agent a truncated
 * answer. stderr is diagnostics: kept up to its cap, the rest dropped and
 * flagged, and the guest keeps running. Same rules as preview1's OutputFd.
 */
import { LimitTrap } from '@airlock/wasi';

export class Capture {
  readonly #chunks: Uint8Array[] = [];
  #kept = 0;
  #attempted = 0;
  #truncated = false;

  constructor(
    readonly cap: number,
    readonly onExceed: 'trap' | 'drop',
  ) {}

  write(data: Uint8Array): void {
    this.#attempted += data.length;
    const room = this.cap - this.#kept;
    if (data.length > room) {
      this.#truncated = true;
      if (this.onExceed === 'trap') throw new LimitTrap('output', `output limit of ${this.cap} bytes exceeded`);
      if (room > 0) this.#keep(data.subarray(0, room));
      return;
    }
    this.#keep(data);
  }

  #keep(data: Uint8Array): void {
    if (data.length === 0) return;
    // Copy: the guest's memory view is only valid during the call.
    this.#chunks.push(data.slice());
    this.#kept += data.length;
  }

  bytes(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0] as Uint8Array;
    const out = new Uint8Array(this.#kept);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  get attempted(): number {
    return this.#attempted;
  }
  get truncated(): boolean {
    return this.#truncated;
  }
}
