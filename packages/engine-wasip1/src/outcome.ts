/**
 * From how a run ended to a `RunOutcome`.
 *
 * Order matters:
 *
 * 1. A limit trap from a host call says exactly which limit stopped the
 *    guest (wall time, output, memory seen at a host call).
 * 2. Fuel: the guest's fuel global below zero means it ran out. The
 *    rewriter traps (`unreachable`) as soon as a check finds it negative, so
 *    a trap with negative fuel is the fuel limit, not a crash; a run that
 *    ended on its own while overdrawn (straight-line code after the last
 *    check) is reported the same way, so an `ok` never used more fuel than
 *    its limit. The fuel used is `limit - remaining` and may exceed the limit
 *    by that bounded, deterministic overdraft.
 * 3. Memory: a module whose initial memory is above the cap never starts.
 *    A pooled memory's maximum is the cap, so `memory.grow` past it returns
 *    -1 and the guest decides what to do. We cannot see the -1 itself, so we
 *    report the `memory` limit when the guest did not succeed (it trapped or
 *    exited non-zero) with its memory at the cap, and the cap (not the
 *    module's own maximum) is what held it there: the usual end of a failed
 *    malloc. A guest that met the cap and still exited 0 coped, and is ok.
 *    An unpooled memory past `memoryBytes` is the limit as before.
 * 4. An exceeded write quota is a limit even when the guest ended on its own
 *    (it got EDQUOT).
 * 5. Only then do exit codes count. Anything else the guest threw
 *    (unreachable, out-of-bounds access, stack overflow) is a crash.
 */
import type { LimitKind, Limits, RunOutcome, RunStatus } from '@airlock/core';
import { LimitTrap, type Preview1, Wasm, type WriteQuota } from '@airlock/wasi';

export interface RunEnd {
  readonly exitCode: number | null;
  readonly error: unknown;
  readonly wallMs: number;
  readonly memoryBytes: number;
  /** Whether the instance was created (false: instantiation failed or never tried). */
  readonly instantiated: boolean;
  /** The pooled memory's maximum in bytes when the call's limit set it (below the module's own). */
  readonly memoryCap: number | undefined;
  /** Set when the module's initial memory is above the call's cap: what it needs. */
  readonly neededBytes?: number;
  /** Fuel used, or null when the run was not metered (or never instantiated). */
  readonly fuelUsed: number | null;
  readonly input: Uint8Array;
  readonly limits: Limits;
  readonly preview1: Preview1;
  readonly quota: WriteQuota;
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function instantiationFailed(e: unknown): string {
  // The only guest code instantiation runs is a start function; metered, it
  // starts with zero fuel (the call's fuel is set on the instance it returns).
  const start = e instanceof Wasm.RuntimeError ? " (a start function runs before the call's fuel is set, so it runs out at once)" : '';
  return `instantiation failed: ${describe(e)}${start}`;
}

export function toOutcome(end: RunEnd): RunOutcome {
  const { preview1: p1, limits } = end;
  let status: RunStatus;
  let limit: LimitKind | undefined;
  let message: string | undefined;

  const failedRun = end.error !== undefined || (end.exitCode !== null && end.exitCode !== 0);
  if (end.error instanceof LimitTrap) {
    status = 'limit';
    limit = end.error.kind;
    message = end.error.message;
  } else if (end.fuelUsed !== null && end.fuelUsed > limits.fuel) {
    status = 'limit';
    limit = 'fuel';
    message = `fuel limit of ${limits.fuel} exhausted (${end.fuelUsed} used)`;
  } else if (end.neededBytes !== undefined) {
    status = 'limit';
    limit = 'memory';
    message = `the module starts with ${end.neededBytes} bytes of linear memory, above the limit of ${limits.memoryBytes}`;
  } else if (end.memoryCap !== undefined && failedRun && end.memoryBytes >= end.memoryCap) {
    status = 'limit';
    limit = 'memory';
    const how = end.error !== undefined ? `crashed (${describe(end.error)})` : `exited with code ${end.exitCode}`;
    message = `linear memory reached the limit of ${limits.memoryBytes} bytes (memory.grow past it fails) and the guest ${how}`;
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
    message = end.instantiated ? `guest crashed: ${describe(end.error)}` : instantiationFailed(end.error);
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
      fuel: end.fuelUsed,
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
