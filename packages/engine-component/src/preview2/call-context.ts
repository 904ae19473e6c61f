/**
 * The state one component instance's WASI host shares: the run guard
 * (deadline, memory cap), the denial log, byte counters and the captured
 * stdout/stderr. One per call, never a module global (DESIGN.md §5): two
 * calls never see each other's counters, streams or descriptors.
 */
import type { VfsFile } from '@airlock/core';
import { DenialLog, type RunGuard } from '@airlock/wasi';
import { Capture } from './capture.js';

export interface CallContextOptions {
  readonly guard: RunGuard;
  readonly outputBytes: number;
  readonly stderrBytes: number;
  /**
   * Typed tools answer with `call`'s return value, so whatever they print
   * on stdout is diagnostics: it goes to the stderr capture.
   */
  readonly stdoutIsDiagnostics?: boolean;
}

export class CallContext {
  readonly guard: RunGuard;
  readonly denials = new DenialLog();
  readonly stdout: Capture;
  readonly stderr: Capture;
  fsReadBytes = 0;
  fsWriteBytes = 0;
  /** Files the guest opened and has not dropped; closed when the call ends. */
  readonly openFiles = new Set<VfsFile>();

  constructor(options: CallContextOptions) {
    this.guard = options.guard;
    this.stderr = new Capture(options.stderrBytes, 'drop');
    this.stdout = options.stdoutIsDiagnostics ? this.stderr : new Capture(options.outputBytes, 'trap');
  }

  /** Close every file still open (a host-backed Vfs holds host fds). */
  close(): void {
    for (const f of this.openFiles) {
      try {
        f.close();
      } catch {}
    }
    this.openFiles.clear();
  }
}
