/**
 * Components that import wasi:http run in a worker (ADR 0008, "wasi:http").
 *
 * The guest waits for a response synchronously; egress (`createEgress`) is
 * asynchronous and lives with the gate. So the instance runs on a worker's
 * thread, and each request crosses http-bridge.ts: the worker blocks in
 * `Atomics.wait` while this side checks, sends and reads the request with
 * the call's egress and writes the answer back. Components without
 * wasi:http never come here: they run on the caller's thread (engine.ts).
 *
 * One warm worker per component holds the imported glue and the compiled
 * modules (sent once; a WebAssembly.Module crosses threads without a
 * recompile); every call is still a fresh instance with a fresh WASI host.
 * A call uses an idle worker or starts one. At the wall-clock limit the
 * worker is terminated (it may be blocked in a request or in a loop) and
 * the call ends as a `wall-time` limit; a worker that ends a call normally
 * goes back to the idle list.
 *
 * Redirects are followed here, by egress, each hop checked and recorded
 * (`hop` 1, 2, ...), and the guest gets the final answer: StarlingMonkey's
 * fetch does not follow a 3xx it gets over wasi:http, and a host-side
 * follow is the one place that drops credentials on an origin change.
 *
 * Mounts cross the same bridge: the worker gets each mount's path and
 * access and builds it exactly as on the main thread, over a proxy Vfs
 * (vfs-proxy.ts); this side answers its `fs` requests on the raw Vfs of the
 * mounts granted to this call (vfs-proxy-owner.ts) and closes whatever the
 * call left open when it ends, killed or not.
 *
 * Any component can be sent here (the engine's `inWorker` option); one that
 * does not import wasi:http gets no egress records, so its outcome is the
 * one it would have on the main thread.
 */
import {
  AirlockError,
  type EgressContext,
  egressLimits,
  type HostWorker,
  type HostWorkers,
  type Limits,
  type RunOutcome,
  type RunRequest,
} from '@airlock/core';
import { createEgress } from '@airlock/egress';
import type { MonotonicClock } from '@airlock/wasi';
import { answerHttp, bridgeBuffer } from './http-bridge.js';
import type { LoadedComponent } from './load.js';
import type { HttpSendRequest, HttpSendResult } from './preview2/http.js';
import type { FsRequest } from './vfs-proxy.js';
import { VfsProxyOwner } from './vfs-proxy-owner.js';

export const importsHttp = (t: { readonly imports: readonly string[] }): boolean => t.imports.some((i) => i.startsWith('wasi:http/'));

/** Extra time past the wall limit before the worker is killed (the guest's own guard usually traps first). */
const KILL_GRACE_MS = 50;
/** Idle warm workers kept per component. */
const MAX_IDLE = 2;

type FromWorker =
  | { type: 'loaded' }
  | { type: 'http'; request: HttpSendRequest }
  | FsRequest
  | { type: 'done'; outcome: RunOutcome }
  | { type: 'fatal'; message: string };

interface Warm {
  readonly worker: HostWorker;
  /** The current call's listener; the worker's listeners are registered once. */
  listener: ((m: FromWorker) => void) | undefined;
  failed: ((e: Error) => void) | undefined;
}

export class HttpRunner {
  readonly #idle: Warm[] = [];
  #closed = false;

  constructor(
    readonly workers: HostWorkers,
    readonly component: LoadedComponent,
    readonly toolName: string,
    readonly clock: MonotonicClock,
  ) {}

  /** Whether the component imports wasi:http (then each call has egress records). */
  get http(): boolean {
    return importsHttp(this.component);
  }

  async #spawn(): Promise<Warm> {
    const worker = this.workers.spawn(new URL('./http-worker.js', import.meta.url));
    const warm: Warm = { worker, listener: undefined, failed: undefined };
    worker.onMessage((m) => warm.listener?.(m as FromWorker));
    worker.onError((e) => warm.failed?.(e));
    const c = this.component;
    const modules = c.moduleNames.map((name) => [name, c.getCoreModule(name)]);
    await new Promise<void>((resolve, reject) => {
      warm.failed = reject;
      warm.listener = (m) => {
        if (m.type === 'loaded') resolve();
        else if (m.type === 'fatal')
          reject(new AirlockError('INTERNAL', `the wasi:http worker could not load the component: ${m.message}`));
      };
      worker.postMessage({
        type: 'load',
        glue: c.glue,
        kind: c.kind,
        modules,
        shapes: [...c.shapes],
        imports: c.imports,
        exports: c.exports,
      });
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    return warm;
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const t0 = this.clock.monotonic();
    const ctx = request.egress ?? noNet(request.limits);
    const egress = createEgress({ ...ctx, now: () => this.clock.monotonic() });
    const warm = this.#idle.pop() ?? (await this.#spawn());
    // Room for a response at the cap only when the call may receive one: a
    // call with no net grant gets every request denied (a small answer).
    const sab = bridgeBuffer(request.egress === undefined ? 0 : ctx.limits.responseBytes);
    // The raw Vfs of this call's mounts only, by index: the worker wraps its
    // proxies for access and quota; this side never sees another call's.
    const fs = new VfsProxyOwner(
      request.mounts.map((m) => m.vfs),
      sab,
    );
    const { limits } = request;

    const ended = await new Promise<{ outcome?: RunOutcome; killed?: 'wall-time' | Error }>((resolve) => {
      const timer = setTimeout(
        () => resolve({ killed: 'wall-time' }),
        Math.max(0, limits.wallMs - (this.clock.monotonic() - t0)) + KILL_GRACE_MS,
      );
      const finish = (v: { outcome?: RunOutcome; killed?: 'wall-time' | Error }): void => {
        clearTimeout(timer);
        resolve(v);
      };
      warm.failed = (e) => finish({ killed: e });
      warm.listener = (m) => {
        if (m.type === 'done') finish({ outcome: m.outcome });
        else if (m.type === 'fatal') finish({ killed: new Error(m.message) });
        else if (m.type === 'http') {
          void egress
            .fetch({ ...m.request, redirect: 'follow' })
            .then(
              (r): HttpSendResult =>
                r.ok
                  ? { ok: true, status: r.status, headers: r.headers.map(([k, v]) => [k, v]), body: r.body }
                  : { ok: false, kind: r.kind, reason: r.reason, ...(r.limit ? { limit: r.limit } : {}) },
              (e: unknown): HttpSendResult => ({ ok: false, kind: 'failed', reason: e instanceof Error ? e.message : String(e) }),
            )
            .then((r) => answerHttp(sab, r));
        } else if (m.type === 'fs') fs.serve(m);
      };
      warm.worker.postMessage({
        type: 'run',
        toolName: this.toolName,
        callId: request.callId,
        input: request.input,
        args: [...request.args],
        env: { ...request.env },
        mounts: request.mounts.map((m) => ({ path: m.path, access: m.access })),
        limits,
        http: this.http,
        sab,
        responseBytes: ctx.limits.responseBytes,
      });
    });
    warm.listener = undefined;
    warm.failed = undefined;
    fs.closeAll();

    // A component without wasi:http has no egress records, as on the main thread.
    const records = this.http ? { egress: egress.records() } : {};
    if (ended.outcome !== undefined) {
      if (!this.#closed && this.#idle.length < MAX_IDLE) this.#idle.push(warm);
      else await warm.worker.terminate();
      return { ...ended.outcome, usage: { ...ended.outcome.usage, wallMs: this.clock.monotonic() - t0 }, ...records };
    }
    await warm.worker.terminate();
    const wallMs = this.clock.monotonic() - t0;
    const wall = ended.killed === 'wall-time';
    const message = wall ? `wall time limit of ${limits.wallMs} ms exceeded` : `guest crashed: ${(ended.killed as Error).message}`;
    return {
      status: wall ? 'limit' : 'crashed',
      exitCode: null,
      stdout: new Uint8Array(0),
      stderr: new Uint8Array(0),
      usage: {
        wallMs,
        fuel: null,
        peakMemoryBytes: 0,
        inputBytes: request.input.length,
        outputBytes: 0,
        stderrBytes: 0,
        fsReadBytes: 0,
        fsWriteBytes: 0,
      },
      ...(wall ? { limit: 'wall-time' as const } : {}),
      message,
      ...records,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle.splice(0);
    await Promise.all(idle.map((w) => w.worker.terminate()));
  }
}

/**
 * The context of a call granted no network: every request is denied, but
 * under the call's own caps, so the bridge buffer is sized from its limits
 * rather than from a default.
 */
function noNet(limits: Limits): EgressContext {
  return { grants: [], secrets: () => undefined, limits: egressLimits(limits) };
}
