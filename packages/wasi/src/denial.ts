/**
 * Denials: the sandbox saying no. A denial is a value (DESIGN.md §4): the
 * guest gets an errno, the host keeps running, and the outcome lists what was
 * refused so the audit record can show it.
 *
 * `PathDenied` is thrown by the resolver and the fds when a path would leave
 * its mount (or does something the sandbox never allows); it carries the
 * operation, the path as the guest wrote it, and the errno the guest sees.
 * `DenialLog` collects them for one run. It is capped so that a guest
 * looping on a refused call cannot grow the audit record without bound.
 */
import type { ErrnoName } from './errno.js';

export interface Denial {
  readonly op: string;
  readonly path: string;
  readonly errno: string;
}

export class PathDenied extends Error {
  override readonly name = 'PathDenied';
  constructor(
    readonly errno: ErrnoName,
    readonly reason: string,
    readonly op = '',
    readonly path = '',
  ) {
    super(`${errno}: ${reason}`);
  }
}

/** Largest number of denials kept per run; the rest are only counted. */
export const MAX_DENIALS = 256;

export class DenialLog {
  readonly #entries: Denial[] = [];
  #dropped = 0;

  record(op: string, path: string, errno: string): void {
    if (this.#entries.length >= MAX_DENIALS) {
      this.#dropped++;
      return;
    }
    // NUL bytes are what the guest sent, but shown escaped so that a record
    // cannot be cut short by a reader that stops at NUL.
    this.#entries.push({ op, path: path.replaceAll('\0', '\\0'), errno });
  }

  get entries(): readonly Denial[] {
    return this.#entries;
  }

  /** Denials beyond `MAX_DENIALS`, counted but not kept. */
  get dropped(): number {
    return this.#dropped;
  }
}
