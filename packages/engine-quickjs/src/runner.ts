/**
 * One snippet, one fresh QuickJS runtime and context, then both disposed.
 *
 * A QuickJS *runtime* is a separate heap with its own garbage collector,
 * memory limit and interrupt handler; a *context* is a realm (globals,
 * intrinsics) inside it, "like different domains in a browser". We make one
 * of each per call, so nothing a snippet leaves behind (a patched prototype,
 * a pending job, a global) can be seen by the next call. The Wasm module
 * under them is shared and loaded once; it holds no JS state between calls.
 *
 * The runner is host-neutral and synchronous except where the guest awaits a
 * capability: it runs in a worker (engine.ts) or, without workers, in the
 * host's own thread. It never throws for anything the guest does; every end
 * is a `SnippetResult`.
 */
import type { LimitKind } from '@airlock/core';
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten';
import { type Bridge, type GuestApi, installGuestApi, type PreludeGrants } from './prelude.js';
import type { LoadedQuickJs } from './quickjs-module.js';

export type { Bridge } from './prelude.js';

/** What one run needs. Plain data: it crosses to a worker by structured clone. */
export interface SnippetJob {
  readonly source: string;
  /** The name stack traces show, e.g. `snippet.js`. */
  readonly filename: string;
  readonly inputJson: string;
  readonly envJson: string;
  readonly grants: PreludeGrants;
  readonly wallMs: number;
  /**
   * When the run must end, in epoch milliseconds on `performance.timeOrigin +
   * performance.now()` (comparable across threads), so the time a job waits
   * to reach a worker counts against it. Default: wallMs from the start.
   */
  readonly deadlineEpochMs?: number;
  /** QuickJS's allocator limit for this call (see docs/decisions/0009). */
  readonly memoryBytes: number;
  readonly outputBytes: number;
  readonly stderrBytes: number;
  readonly stackBytes: number;
  /**
   * Fuel for the whole call (fresh runtime and context, the snippet, tearing
   * them down), when the module is metered; `limits.fuel`.
   */
  readonly fuel?: number;
  /**
   * Measure QuickJS's heap in use at the end (`JS_ComputeMemoryUsage`, which
   * walks every object: ~0.1–0.2 ms even for a tiny snippet). Otherwise the
   * usage reports the Wasm linear memory's size, the cap that is enforced.
   */
  readonly measureHeap?: boolean;
}

export interface SnippetResult {
  readonly status: 'ok' | 'failed' | 'limit' | 'crashed';
  /** The result as JSON text (status `ok`). */
  readonly output?: string;
  /** Console output, capped at `stderrBytes`. */
  readonly stderr: string;
  /** Console bytes the guest tried to write, kept or not. */
  readonly stderrAttempted: number;
  readonly limit?: LimitKind;
  readonly message?: string;
  /** QuickJS heap in use at the end (bytes) with `measureHeap`, else the Wasm linear memory's size. */
  readonly peakMemoryBytes: number;
  readonly wallMs: number;
  /** Fuel used (limit − remaining; above the limit after a fuel trap), or null without metering. */
  readonly fuelUsed: number | null;
  /** The Wasm module may be damaged (a QuickJS abort): discard it. */
  readonly retire: boolean;
}

/** Largest QuickJS stack we ever set: above this, a host RangeError escaped (FIELD-NOTES). */
export const MAX_STACK_BYTES = 256 * 1024;

/** Longest error message kept from the guest, in UTF-16 units. */
const MAX_MESSAGE = 1000;

/** `import`/`export` at the start of a line: the snippet is an ES module. */
const MODULE_SYNTAX = /^\s*(import\s*[\w{*'"]|export\s+(default\b|const\b|let\b|var\b|function\b|async\b|class\b|\{|\*))/m;

export function isModuleSource(source: string): boolean {
  return MODULE_SYNTAX.test(source);
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

class Console {
  readonly parts: string[] = [];
  kept = 0;
  attempted = 0;
  cut = false;
  constructor(readonly cap: number) {}
  write(text: string): void {
    if (this.cut) {
      this.attempted += text.length + 1; // an estimate: nothing more is kept
      return;
    }
    // One huge string is cut before it is encoded: at most cap + 1 units.
    const line = `${text.length > this.cap ? text.slice(0, this.cap + 1) : text}\n`;
    const size = utf8Length(line);
    this.attempted += size;
    if (this.kept + size > this.cap) {
      this.cut = true;
      return;
    }
    this.kept += size;
    this.parts.push(line);
  }
  text(): string {
    const body = this.parts.join('');
    return this.cut ? `${body}[console output cut at ${this.cap} bytes]\n` : body;
  }
}

type Ended = Omit<SnippetResult, 'stderr' | 'stderrAttempted' | 'peakMemoryBytes' | 'wallMs' | 'retire' | 'fuelUsed'>;

export async function runSnippet(loaded: LoadedQuickJs, job: SnippetJob, bridge: Bridge): Promise<SnippetResult> {
  const { module, fuel } = loaded;
  const t0 = performance.now();
  const deadline =
    job.deadlineEpochMs === undefined ? t0 + job.wallMs : Math.min(t0 + job.wallMs, job.deadlineEpochMs - performance.timeOrigin);
  const out = new Console(job.stderrBytes);
  let interrupted = false;
  let pending = 0;
  let disposed = false;
  let wake: (() => void) | undefined;
  // Host calls still in flight: their promises are freed before the runtime
  // (QuickJS asserts that a runtime is freed with no object left alive).
  const outstanding = new Set<QuickJSDeferredPromise>();

  // The call's fuel, set before its runtime exists: everything the module
  // does for this call is charged, including creating and freeing the runtime.
  const fuelLimit = fuel && job.fuel !== undefined ? BigInt(job.fuel) : undefined;
  if (fuel) fuel.value = fuelLimit ?? 0n;
  const fuelUsed = (): number | null => (fuel && fuelLimit !== undefined ? Number(fuelLimit - fuel.value) : null);
  const outOfFuel = (): boolean => fuel !== undefined && fuel.value < 0n;
  const fuelLimitHit = (): Ended => ({
    status: 'limit',
    limit: 'fuel',
    message: `fuel limit of ${job.fuel ?? 0} exhausted (${fuelUsed() ?? 0} used)`,
  });

  let rt: QuickJSRuntime;
  let ctx: QuickJSContext;
  try {
    rt = module.newRuntime();
    rt.setMemoryLimit(job.memoryBytes);
    rt.setMaxStackSize(Math.min(job.stackBytes, MAX_STACK_BYTES));
    rt.setInterruptHandler(() => {
      if (performance.now() > deadline) interrupted = true;
      return interrupted;
    });
    ctx = rt.newContext();
  } catch (e) {
    // Not even a runtime: fuel too small for QuickJS's own set-up, or a
    // damaged module. Either way the module is not used again.
    const ended = outOfFuel()
      ? fuelLimitHit()
      : ({ status: 'crashed', message: `the QuickJS engine failed: ${(e as Error)?.message ?? e}` } as const);
    const used = fuelUsed();
    if (fuel) fuel.value = 0n;
    return {
      ...ended,
      stderr: '',
      stderrAttempted: 0,
      peakMemoryBytes: module.getWasmMemory().buffer.byteLength,
      wallMs: performance.now() - t0,
      fuelUsed: used,
      retire: true,
    };
  }
  let retire = false;
  let ended: Ended;
  let peak = 0;

  const wallLimit = (): Ended => ({ status: 'limit', limit: 'wall-time', message: `wall time limit of ${job.wallMs} ms exceeded` });

  /** Why an exception handle ended the run, as a value. */
  const fromError = (handle: QuickJSHandle): Ended => {
    if (outOfFuel()) return fuelLimitHit();
    if (interrupted) return wallLimit();
    const { name, message } = describe(ctx, handle);
    if (name === 'InternalError' && message === 'out of memory')
      return { status: 'limit', limit: 'memory', message: `memory limit of ${job.memoryBytes} bytes exceeded` };
    if (name === 'InternalError' && message === 'interrupted') return wallLimit();
    return { status: 'failed', message: `uncaught ${name}: ${message}` };
  };

  /** Run jobs until `handle` (maybe a promise) settles; returns the value handle or how it ended. */
  const settle = async (handle: QuickJSHandle): Promise<QuickJSHandle | Ended> => {
    for (;;) {
      const jobs = rt.executePendingJobs();
      if (jobs.error) {
        const why = fromError(jobs.error);
        jobs.error.dispose();
        return why;
      }
      const state = ctx.getPromiseState(handle);
      if (state.type === 'fulfilled') return state.notAPromise ? handle.dup() : state.value;
      if (state.type === 'rejected') {
        const why = fromError(state.error);
        state.error.dispose();
        return why;
      }
      if (pending === 0)
        return { status: 'failed', message: 'the snippet returned a promise that can never settle (nothing is left to run or awaited)' };
      const left = deadline - performance.now();
      if (left <= 0) return wallLimit();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, left + 1);
      });
      clearTimeout(timer);
      wake = undefined;
    }
  };

  let api: GuestApi | undefined;
  try {
    api = installGuestApi(ctx, job.grants, job.inputJson, job.envJson, bridge, {
      log: (line) => out.write(line),
      started: (d) => {
        pending++;
        outstanding.add(d);
      },
      settled: (d) => {
        pending--;
        outstanding.delete(d);
        wake?.();
      },
      alive: () => !disposed,
      expired: () => {
        if (!interrupted && performance.now() > deadline) interrupted = true;
        return interrupted;
      },
    });
    ended = await evaluate(ctx, job, settle, fromError, api);
  } catch (e) {
    // Only host misuse or a damaged Wasm module gets here (an abort, a
    // QuickJS assertion): the module is not trusted again.
    // A fuel trap (the rewriter's `unreachable` on negative fuel) lands
    // here too, from wherever QuickJS was: its heap may be mid-update.
    retire = true;
    ended = outOfFuel()
      ? fuelLimitHit()
      : interrupted
        ? wallLimit()
        : { status: 'crashed', message: `the QuickJS engine failed: ${(e as Error)?.message ?? e}` };
  }
  if (ended.status === 'ok' && ended.output !== undefined && utf8Length(ended.output) > job.outputBytes)
    ended = { status: 'limit', limit: 'output', message: `the output is over the limit of ${job.outputBytes} bytes` };
  try {
    peak = job.measureHeap && !retire ? memoryInUse(rt, ctx) : module.getWasmMemory().buffer.byteLength;
  } catch {
    peak = module.getWasmMemory().buffer.byteLength;
  }
  disposed = true;
  // After a trap the heap is not walked again (freeing could fail or loop):
  // the module is retired with everything in it.
  if (!retire) {
    try {
      for (const d of outstanding) if (d.alive) d.dispose();
      api?.dispose();
      ctx.dispose();
      rt.dispose();
    } catch {
      retire = true;
    }
  }
  // Overdrawn, trapped or not (straight code after the last check, or the
  // tear-down): the fuel limit, so an `ok` never used more than its limit.
  if (outOfFuel()) {
    retire = true;
    if (ended.status !== 'limit' || ended.limit !== 'fuel') ended = fuelLimitHit();
  }
  const used = fuelUsed();
  if (fuel) fuel.value = 0n;
  return {
    ...ended,
    fuelUsed: used,
    stderr: out.text(),
    stderrAttempted: out.attempted,
    peakMemoryBytes: peak,
    wallMs: performance.now() - t0,
    retire,
  };
}

async function evaluate(
  ctx: QuickJSContext,
  job: SnippetJob,
  settle: (h: QuickJSHandle) => Promise<QuickJSHandle | Ended>,
  fromError: (h: QuickJSHandle) => Ended,
  api: GuestApi,
): Promise<Ended> {
  const isModule = isModuleSource(job.source);
  let result = ctx.evalCode(job.source, job.filename, { type: isModule ? 'module' : 'global' });
  if (!isModule && result.error && describe(ctx, result.error).name === 'SyntaxError' && /\b(await|return)\b/.test(job.source)) {
    // A script with top-level `await` or `return`: run it as the body of an
    // async function (same line numbers), its value what it returns.
    result.error.dispose();
    result = ctx.evalCode(`(async () => {${job.source}\n})()`, job.filename, { type: 'global' });
  }
  if (result.error) {
    const why = fromError(result.error);
    result.error.dispose();
    return why;
  }
  let value = await settle(result.value);
  result.value.dispose();
  if (!isHandle(value)) return value;
  if (isModule) {
    const namespace = value;
    const exported = ctx.getProp(namespace, 'default');
    namespace.dispose();
    value = await settle(exported);
    exported.dispose();
    if (!isHandle(value)) return value;
  }
  const text = api.finish(value);
  value.dispose();
  if ('error' in text) {
    const why = fromError(text.error);
    text.error.dispose();
    return why.status === 'failed' ? { status: 'failed', message: `the result is not JSON-serialisable: ${why.message}` } : why;
  }
  return { status: 'ok', output: text.text };
}

function isHandle(v: QuickJSHandle | Ended): v is QuickJSHandle {
  return typeof (v as QuickJSHandle).dispose === 'function';
}

/** Name and message of a thrown guest value, read without running guest code. */
function describe(ctx: QuickJSContext, handle: QuickJSHandle): { name: string; message: string } {
  const kind = ctx.typeof(handle);
  if (kind === 'object') {
    const read = (key: string): string | undefined => {
      const h = ctx.getProp(handle, key);
      const s = ctx.typeof(h) === 'string' ? ctx.getString(h) : undefined;
      h.dispose();
      return s;
    };
    let name: string | undefined;
    let message: string | undefined;
    try {
      name = read('name');
      message = read('message');
    } catch {}
    return { name: (name ?? 'Error').slice(0, 100), message: (message ?? '[a thrown object]').slice(0, MAX_MESSAGE) };
  }
  if (kind === 'string') return { name: 'Error', message: ctx.getString(handle).slice(0, MAX_MESSAGE) };
  if (kind === 'number') return { name: 'Error', message: String(ctx.getNumber(handle)) };
  return { name: 'Error', message: `[a thrown ${kind}]` };
}

/** QuickJS's own count of heap bytes in use. */
function memoryInUse(rt: QuickJSRuntime, ctx: QuickJSContext): number {
  const h = rt.computeMemoryUsage();
  try {
    const used = ctx.getProp(h, 'memory_used_size');
    const n = ctx.typeof(used) === 'number' ? ctx.getNumber(used) : 0;
    used.dispose();
    return n;
  } finally {
    h.dispose();
  }
}
