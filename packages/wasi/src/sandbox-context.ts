/**
 * The state one run's fds share: where denials go, the byte counters for
 * usage, and the guard. One per instance, never a module global: two calls
 * never see each other's counters (DESIGN.md §5).
 */
import { VfsError } from '@airlock/core';
import { DenialLog, PathDenied } from './denial.js';
import { DENIAL_ERRNOS, ERRNO, errnoNameOf } from './errno.js';
import type { RunGuard } from './limit-trap.js';

export class SandboxContext {
  readonly denials = new DenialLog();
  fsReadBytes = 0;
  fsWriteBytes = 0;
  constructor(readonly guard: RunGuard) {}

  /**
   * Turn what an fd operation threw into the guest's errno, recording a
   * denial when the sandbox (not the file system) said no. Anything that is
   * not a path or Vfs error (a limit trap, a bug) is rethrown.
   */
  fail(op: string, path: string, error: unknown): number {
    if (error instanceof PathDenied) {
      this.denials.record(op, path, error.errno);
      return ERRNO[error.errno];
    }
    if (error instanceof VfsError) {
      const name = errnoNameOf(error);
      if (DENIAL_ERRNOS.has(name)) this.denials.record(op, path, name);
      return ERRNO[name];
    }
    throw error;
  }

  /** Record a denial that is a policy of this adapter, not a Vfs answer. */
  deny(op: string, path: string, errno: keyof typeof ERRNO): number {
    this.denials.record(op, path, errno);
    return ERRNO[errno];
  }
}
