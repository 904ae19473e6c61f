/**
 * From how a run ended to a `RunOutcome`.
 *
 * Order matters: a limit trap says exactly which limit stopped the guest; a
 * memory size past the cap or an exceeded write quota is also a limit even
 * when the guest ended on its own (it got EDQUOT, or it grew memory and
 * never called the host again); only then do exit codes count. Anything else
 * the guest threw (unreachable, out-of-bounds access, stack overflow) is a
 * crash.
 */
import type { LimitKind, Limits, RunOutcome, RunStatus } from '@airlock/core';
import { LimitTrap, type Preview1, type WriteQuota } from '@airlock/wasi';

export interface RunEnd {
  readonly exitCode: number | null;
  readonly error: unknown;
  readonly wallMs: number;
  readonly memoryBytes: number;
  readonly input: Uint8Array;
  readonly limits: Limits;
  readonly preview1: Preview1;
  readonly quota: WriteQuota;
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

export function toOutcome(end: RunEnd): RunOutcome {
  const { preview1: p1, limits } = end;
  let status: RunStatus;
  let limit: LimitKind | undefined;
  let message: string | undefined;

  if (end.error instanceof LimitTrap) {
    status = 'limit';
    limit = end.error.kind;
    message = end.error.message;
  } else if (end.memoryBytes > limits.memoryBytes) {
    status = 'limit';
    limit = 'memory';
    message = `linear memory grew to ${end.memoryBytes} bytes, past the limit of ${limits.memoryBytes}`;
  } else if (end.quota.exceeded) {
    status = 'limit';
    limit = 'fs-write';
    message = `file-system write quota of ${limits.fsWriteBytes} bytes exceeded`;
  } else if (end.error !== undefined) {
    status = 'crashed';
    message = `guest crashed: ${describe(end.error)}`;
  } else if (end.exitCode === 0) {
    status = 'ok';
  } else {
    status = 'failed';
    message = `exited with code ${end.exitCode}`;
  }

  const notes: string[] = message === undefined ? [] : [message];
  if (p1.stderr.truncated) notes.push(`stderr cut at ${limits.stderrBytes} bytes (${p1.stderr.attempted} written)`);
  const denials = p1.ctx.denials;
  if (denials.dropped > 0) notes.push(`${denials.dropped} more file-system denials not listed`);

  return {
    status,
    exitCode: status === 'ok' || status === 'failed' ? end.exitCode : null,
    stdout: p1.stdout.bytes(),
    stderr: p1.stderr.bytes(),
    usage: {
      wallMs: end.wallMs,
      fuel: null,
      peakMemoryBytes: end.memoryBytes,
      inputBytes: end.input.length,
      outputBytes: p1.stdout.attempted,
      stderrBytes: p1.stderr.attempted,
      fsReadBytes: p1.ctx.fsReadBytes,
      fsWriteBytes: p1.ctx.fsWriteBytes,
    },
    ...(limit === undefined ? {} : { limit }),
    ...(notes.length === 0 ? {} : { message: notes.join('; ') }),
    ...(denials.entries.length === 0 ? {} : { denials: [...denials.entries] }),
  };
}
