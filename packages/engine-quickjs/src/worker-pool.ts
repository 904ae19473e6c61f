/**
 * Warm QuickJS workers, and the hard wall-clock backstop.
 *
 * A worker loads the Wasm module once (~15–70 ms) and then runs jobs one at a
 * time, each in a fresh QuickJS runtime, so a call pays for a message round
 * trip, not a worker start. A job that outlives its deadline plus a small
 * grace is not asked to stop: the host terminates the worker from outside
 * (where the guest cannot be, whatever it is doing) and a replacement starts
 * warming at once. A worker whose job hit any limit, or whose QuickJS may be
 * damaged, is discarded too: "after a limit, the instance is discarded".
 *
 * The pool belongs to one engine instance and one Wasm memory cap; nothing
 * here is process-wide.
 */
import type { HostWorker, HostWorkers } from '@airlock/core';
import type { FromWorker, ToWorker } from './protocol.js';
import type { Bridge, SnippetJob, SnippetResult } from './runner.js';

/** What a run that had to be killed reports; the engine fills in the rest. */
export const KILLED = Symbol('killed');

interface Current {
  readonly run: number;
  readonly bridge: Bridge;
  readonly finish: (r: SnippetResult | typeof KILLED | Error) => void;
}

class PooledWorker {
  readonly #worker: HostWorker;
  readonly ready: Promise<void>;
  #dead = false;
  #current: Current | undefined;

  constructor(workers: HostWorkers, url: URL, wasmMemoryBytes: number, wasm: Promise<Uint8Array | undefined>) {
    this.#worker = workers.spawn(url);
    let ready!: () => void;
    let failed!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    this.ready.catch(() => {}); // observed by acquire(); never an unhandled rejection
    this.#worker.onMessage((data) => {
      const m = data as FromWorker;
      if (m.type === 'ready') ready();
      else if (m.type === 'failed') {
        this.#dead = true;
        const e = new Error(m.message);
        failed(e);
        this.#current?.finish(e);
      } else if (m.type === 'call') {
        const current = this.#current;
        if (!current || current.run !== m.run) return;
        void current.bridge(m.op, m.args).then((text) => {
          if (!this.#dead && this.#current === current) this.#send({ type: 'reply', run: m.run, seq: m.seq, text });
        });
      } else if (m.type === 'done') {
        if (this.#current?.run === m.run) this.#current.finish(m.result);
      }
    });
    this.#worker.onError((e) => {
      this.#dead = true;
      failed(e);
      this.#current?.finish(e);
    });
    wasm.then(
      (bytes) => {
        if (!this.#dead) this.#send({ type: 'init', wasmMemoryBytes, ...(bytes ? { wasm: bytes } : {}) });
      },
      (e: unknown) => {
        this.#dead = true;
        failed(new Error(`the metered QuickJS module is not available: ${(e as Error)?.message ?? e}`));
      },
    );
  }

  get dead(): boolean {
    return this.#dead;
  }

  #send(m: ToWorker): void {
    this.#worker.postMessage(m);
  }

  /** Run one job; KILLED if it had to be terminated at `killAfterMs`. */
  run(run: number, job: SnippetJob, bridge: Bridge, killAfterMs: number): Promise<SnippetResult | typeof KILLED | Error> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.kill();
        finish(KILLED);
      }, killAfterMs);
      const finish = (r: SnippetResult | typeof KILLED | Error): void => {
        if (this.#current?.run !== run) return;
        clearTimeout(timer);
        this.#current = undefined;
        resolve(r);
      };
      this.#current = { run, bridge, finish };
      this.#send({ type: 'run', run, job });
    });
  }

  kill(): void {
    this.#dead = true;
    void this.#worker.terminate().catch(() => {});
  }
}

export interface PoolOptions {
  readonly workers: HostWorkers;
  readonly url: URL;
  readonly wasmMemoryBytes: number;
  /** The metered module's bytes (rewritten once per process), or undefined to load the package's own. */
  readonly wasm: () => Promise<Uint8Array | undefined>;
  /** Idle workers kept warm; more start on demand (a snippet calling a snippet). */
  readonly maxIdle: number;
}

export class WorkerPool {
  readonly #o: PoolOptions;
  readonly #idle: PooledWorker[] = [];
  #runs = 0;
  #closed = false;

  constructor(options: PoolOptions) {
    this.#o = options;
  }

  /** Start workers up to `maxIdle` now, so calls (and the one after a kill) find one warm. */
  warm(): void {
    while (!this.#closed && this.#idle.filter((w) => !w.dead).length < this.#o.maxIdle)
      this.#idle.push(new PooledWorker(this.#o.workers, this.#o.url, this.#o.wasmMemoryBytes, this.#o.wasm()));
  }

  /**
   * Run `job` on a warm worker. The deadline starts once a worker is ready:
   * the worker's own interrupt deadline is `job.wallMs` from then, and the
   * host terminates it at `killAfterMs` (wallMs plus a grace) if it has not answered.
   */
  async run(job: SnippetJob, bridge: Bridge, killAfterMs: number): Promise<SnippetResult | typeof KILLED | Error> {
    let worker = this.#idle.pop();
    while (worker?.dead) worker = this.#idle.pop();
    worker ??= new PooledWorker(this.#o.workers, this.#o.url, this.#o.wasmMemoryBytes, this.#o.wasm());
    try {
      await worker.ready;
    } catch (e) {
      worker.kill();
      return e as Error;
    }
    const deadlineEpochMs = performance.timeOrigin + performance.now() + job.wallMs;
    const result = await worker.run(this.#runs++, { ...job, deadlineEpochMs }, bridge, killAfterMs);
    const reusable =
      !worker.dead && typeof result === 'object' && !(result instanceof Error) && result.status !== 'limit' && !result.retire;
    if (reusable && !this.#closed) {
      // Last in, first out: the next call gets this warm worker, not a
      // replacement still loading (which made a call wait ~40 ms for one).
      this.#idle.push(worker);
      while (this.#idle.length > this.#o.maxIdle) this.#idle.shift()!.kill();
    } else {
      if (!worker.dead) worker.kill();
      // The replacement starts after the caller has the result: starting a
      // worker blocks this thread (~10–13 ms for Deno's `new Worker`, measured),
      // which a runaway's result would otherwise wait for, past its limit.
      setTimeout(() => this.warm(), 0);
    }
    return result;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#idle.splice(0)) w.kill();
  }
}
