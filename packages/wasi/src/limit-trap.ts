/**
 * Limits that stop a guest, and the guard that checks them on every host call.
 *
 * A limit is a trap (DESIGN.md §4): we throw `LimitTrap` from inside a host
 * function, the exception unwinds through the guest's Wasm frames (a Wasm
 * frame cannot catch a JS exception), and the engine discards the instance
 * and reports which limit it was.
 *
 * The guard runs at the top of every WASI call. It catches a guest that
 * talks to the host: wall time past the call's deadline, or linear memory
 * grown past `memoryBytes`. A guest that never calls the host (a pure
 * compute loop, or a `memory.grow` loop) is not caught here: that is the job
 * of fuel metering and memory caps injected by packages/meter (the metering
 * issue), with the worker kill as the hard backstop.
 */
import type { LimitKind } from '@airlock/core';
import type { WasmMemory } from './wasm-api.js';

export class LimitTrap extends Error {
  override readonly name = 'LimitTrap';
  constructor(
    readonly kind: LimitKind,
    message: string,
  ) {
    super(message);
  }
}

/** A monotonic clock in milliseconds (fractional allowed), e.g. `performance`. */
export interface MonotonicClock {
  monotonic(): number;
}

export const defaultClock: MonotonicClock = { monotonic: () => performance.now() };

export class RunGuard {
  /** When the run started, on `clock`. */
  readonly startMs: number;
  /** When the run must have ended, on `clock`. */
  readonly deadlineMs: number;
  /** The instance's memory, once there is an instance. */
  memory: WasmMemory | undefined;

  constructor(
    readonly clock: MonotonicClock,
    readonly wallMs: number,
    readonly memoryBytes: number,
  ) {
    this.startMs = clock.monotonic();
    this.deadlineMs = this.startMs + wallMs;
  }

  /** Throws a LimitTrap when the run is past its deadline or memory cap. */
  check(): void {
    if (this.clock.monotonic() > this.deadlineMs) {
      throw new LimitTrap('wall-time', `wall time limit of ${this.wallMs} ms exceeded`);
    }
    const size = this.memory?.buffer.byteLength ?? 0;
    if (size > this.memoryBytes) {
      throw new LimitTrap('memory', `linear memory grew to ${size} bytes, past the limit of ${this.memoryBytes}`);
    }
  }

  /** Milliseconds since the run started. */
  elapsedMs(): number {
    return this.clock.monotonic() - this.startMs;
  }
}
