/**
 * From how a component run ended to a `RunOutcome`, in the same order as
 * the wasip1 engine: a limit trap names its limit; memory past the cap and
 * an exceeded write quota are limits even when the guest ended on its own;
 * then the exit status; anything else the guest threw is a crash.
 */
import type { LimitKind, Limits, RunOutcome, RunStatus } from '@airlock/core';
import { LimitTrap, type WriteQuota } from '@airlock/wasi';
import type { CallContext } from './preview2/call-context.js';

export interface RunEnd {
  readonly exitCode: number | null;
  /** The answer, when the tool is typed; else the captured stdout is. */
  readonly output?: Uint8Array;
  readonly error: unknown;
  readonly wallMs: number;
  readonly memoryBytes: number;
  /** The pooled memory's maximum in bytes when the call's limit (not the module's own maximum) set it. */
  readonly memoryCap?: number | undefined;
  /** Fuel used by all metered core modules, null when unmetered. */
  readonly fuelUsed: number | null;
  readonly input: Uint8Array;
  readonly limits: Limits;
  readonly ctx: CallContext;
  readonly quota: WriteQuota;
  /** Why the tool failed, when it said so (a typed tool's error). */
  readonly failure?: string;
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

export function toOutcome(end: RunEnd): RunOutcome {
  const { ctx, limits } = end;
  let status: RunStatus;
  let limit: LimitKind | undefined;
  let message: string | undefined;

  if (end.error instanceof LimitTrap) {
    status = 'limit';
    limit = end.error.kind;
    message = end.error.message;
  } else if (end.fuelUsed !== null && end.fuelUsed > limits.fuel) {
    // The meter traps as soon as a check sees negative fuel; code that ended
    // on its own while overdrawn is reported the same, so an ok never used more.
    status = 'limit';
    limit = 'fuel';
    message = `fuel limit of ${limits.fuel} exhausted (${end.fuelUsed} used)`;
  } else if (end.memoryCap !== undefined && (end.error !== undefined || end.exitCode !== 0) && end.memoryBytes >= end.memoryCap) {
    // memory.grow past the cap returned -1 and the guest gave up: the usual end of a failed malloc.
    status = 'limit';
    limit = 'memory';
    message = `linear memory reached the limit of ${limits.memoryBytes} bytes (memory.grow past it fails) and the guest ${end.error !== undefined ? 'trapped' : `exited with code ${end.exitCode}`}`;
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
    message = end.failure ?? `exited with code ${end.exitCode}`;
  }

  const notes: string[] = message === undefined ? [] : [message];
  if (ctx.stderr.truncated) notes.push(`stderr cut at ${limits.stderrBytes} bytes (${ctx.stderr.attempted} written)`);
  const denials = ctx.denials;
  if (denials.dropped > 0) notes.push(`${denials.dropped} more file-system denials not listed`);
  const stdout = end.output ?? ctx.stdout.bytes();

  return {
    status,
    exitCode: status === 'ok' || status === 'failed' ? end.exitCode : null,
    stdout,
    stderr: ctx.stderr.bytes(),
    usage: {
      wallMs: end.wallMs,
      fuel: end.fuelUsed,
      peakMemoryBytes: end.memoryBytes,
      inputBytes: end.input.length,
      outputBytes: end.output?.length ?? ctx.stdout.attempted,
      stderrBytes: ctx.stderr.attempted,
      fsReadBytes: ctx.fsReadBytes,
      fsWriteBytes: ctx.fsWriteBytes,
    },
    ...(limit === undefined ? {} : { limit }),
    ...(notes.length === 0 ? {} : { message: notes.join('; ') }),
    ...(denials.entries.length === 0 ? {} : { denials: [...denials.entries] }),
  };
}
