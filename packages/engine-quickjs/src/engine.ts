/**
 * The `js` engine: JavaScript in QuickJS compiled to Wasm (quickjs-emscripten,
 * release-sync), a separate heap in a separate interpreter; never the host's
 * own engine behind a membrane (node:vm, vm2).
 *
 * prepare: keep the tool's source (or note that it is the snippet tool, whose
 * code comes with each call). run: capabilities built from this call's
 * request only (capabilities.ts), then a fresh QuickJS runtime + context in a
 * warm worker (worker-pool.ts) that the host terminates from outside at the
 * deadline, or, when the host gives no workers, in this thread with the
 * interrupt handler as the only clock (no hard backstop: say so to users).
 *
 * Memory: each call gets QuickJS's allocator limit (`limits.memoryBytes`)
 * and runs in a worker whose Wasm memory has a `maximum` of memoryBytes plus
 * the module's own 16 MiB: the hard cap (docs/decisions/0009). Workers are
 * pooled per cap.
 */
import type { Engine, HostWorkers, LimitKind, PreparedTool, RunOutcome, RunRequest, Tool } from '@airlock/core';
import { AirlockError, fromUtf8, MiB, utf8 } from '@airlock/core';
import { createCapabilities } from './capabilities.js';
import { type LoadedQuickJs, loadQuickJs, meteredQuickJsWasm } from './quickjs-module.js';
import { MAX_STACK_BYTES, runSnippet, type SnippetJob, type SnippetResult } from './runner.js';
import { isSnippetArtifact } from './snippet-tool.js';
import { stripTypeScript, TypeScriptError } from './typescript.js';
import { KILLED, WorkerPool } from './worker-pool.js';

export interface QuickJsEngineOptions {
  /**
   * The host's workers (Host.workers). With them, every call runs in a worker
   * that is terminated from outside when it overruns: the hard wall-clock
   * backstop. Without them, calls run in this thread, stopped only by the
   * interrupt handler (which a long allocation can outlast by seconds).
   */
  readonly workers?: HostWorkers;
  /** The worker module; default this package's `worker.js`. */
  readonly workerUrl?: URL;
  /** Warm workers kept per memory cap. Default 2. */
  readonly maxIdleWorkers?: number;
  /** QuickJS stack limit in bytes; at most (and by default) 256 KiB. */
  readonly stackBytes?: number;
  /**
   * How long past `limits.wallMs` a worker may take to stop by itself before
   * it is terminated. Default: 2% of wallMs, between 5 and 50 ms (the
   * worker's own interrupt deadline is wallMs; this is only for a guest stuck
   * where the interrupt handler is not called).
   */
  readonly killGraceMs?: number;
  /**
   * TypeScript: a type stripper (source → JavaScript with the same line
   * numbers) for `lang: "ts"` snippets and `.ts` tools. Default: amaro in
   * strip-only mode, loaded on first use (typescript.ts). Throwing means the
   * source is not valid TypeScript (the call fails with the message).
   */
  readonly stripTypes?: (source: string) => string;
  /**
   * Meter fuel (default true): the QuickJS module rewritten by packages/meter
   * once per process, each call's fuel set from `limits.fuel`. Off only for
   * benchmarks that measure what metering costs.
   */
  readonly metering?: boolean;
}

export interface QuickJsEngine extends Engine {
  /** Terminate idle workers. */
  close(): Promise<void>;
}

/** Wasm memory beyond the call's QuickJS limit: the module's data, stack and allocator slack. */
export const WASM_OVERHEAD_BYTES = 16 * MiB;

const WORKER_URL = new URL('./worker.js', import.meta.url);

export function createQuickJsEngine(options: QuickJsEngineOptions = {}): QuickJsEngine {
  const pools = new Map<number, WorkerPool>();
  const modules = new Map<number, Promise<LoadedQuickJs>>();
  const metering = options.metering ?? true;
  const wasm = (): Promise<Uint8Array | undefined> => (metering ? meteredQuickJsWasm() : Promise.resolve(undefined));
  const stackBytes = Math.min(options.stackBytes ?? MAX_STACK_BYTES, MAX_STACK_BYTES);

  const capFor = (memoryBytes: number): number => Math.ceil(memoryBytes / MiB) * MiB + WASM_OVERHEAD_BYTES;

  const poolFor = (cap: number): WorkerPool => {
    let pool = pools.get(cap);
    if (!pool) {
      pool = new WorkerPool({
        workers: options.workers!,
        url: options.workerUrl ?? WORKER_URL,
        wasmMemoryBytes: cap,
        wasm,
        maxIdle: options.maxIdleWorkers ?? 2,
      });
      pools.set(cap, pool);
    }
    return pool;
  };

  const moduleFor = (cap: number): Promise<LoadedQuickJs> => {
    let m = modules.get(cap);
    if (!m) {
      m = wasm().then((bytes) => loadQuickJs(cap, bytes));
      modules.set(cap, m);
      m.catch(() => modules.delete(cap));
    }
    return m;
  };

  const execute = async (job: SnippetJob, request: RunRequest, bridge: (op: string, a: string) => Promise<string>) => {
    const cap = capFor(request.limits.memoryBytes);
    if (!options.workers) {
      const loaded = moduleFor(cap);
      const result = await runSnippet(await loaded, job, bridge);
      // A module that hit a limit inside the Wasm (fuel) or may be damaged is not used again.
      if ((result.retire || result.limit === 'fuel') && modules.get(cap) === loaded) modules.delete(cap);
      return result;
    }
    const grace = options.killGraceMs ?? Math.max(5, Math.min(50, request.limits.wallMs * 0.02));
    return poolFor(cap).run(job, bridge, request.limits.wallMs + grace);
  };

  return {
    kind: 'js',
    async prepare(tool: Tool): Promise<PreparedTool> {
      if (tool.manifest.engine !== 'js')
        throw new AirlockError('ARGS_INVALID', `tool "${tool.manifest.name}" is for the ${tool.manifest.engine} engine, not js`);
      const snippet = isSnippetArtifact(tool.artifact);
      let source: string | undefined;
      if (!snippet) {
        source = fromUtf8(tool.artifact);
        if (source === undefined) throw new AirlockError('MANIFEST_INVALID', `the artifact of tool "${tool.manifest.name}" is not UTF-8`);
        if (tool.manifest.artifact.endsWith('.ts')) {
          try {
            source = await stripTypeScript(source, options.stripTypes);
          } catch (e) {
            if (!(e instanceof TypeScriptError)) throw e;
            throw new AirlockError('MANIFEST_INVALID', `tool "${tool.manifest.name}" (${tool.manifest.artifact}): ${e.message}`);
          }
        }
      }
      if (options.workers) poolFor(capFor(tool.manifest.limits.memoryBytes ?? 64 * MiB)).warm();
      const name = tool.manifest.name;
      return {
        run: async (request) => {
          const t0 = performance.now();
          let code = source;
          let inputJson: string;
          let parsed: ReturnType<typeof parseSnippetInput> | undefined;
          if (snippet) {
            parsed = parseSnippetInput(request.input);
            if (typeof parsed === 'string') return failed(parsed, request, t0);
            if (parsed.lang !== undefined && parsed.lang !== 'js' && parsed.lang !== 'ts')
              return failed(`lang must be "js" or "ts", not ${JSON.stringify(parsed.lang).slice(0, 40)}`, request, t0);
            code = parsed.code;
            if (parsed.lang === 'ts') {
              try {
                code = await stripTypeScript(parsed.code, options.stripTypes);
              } catch (e) {
                if (!(e instanceof TypeScriptError)) throw e;
                return failed(`TypeScript: ${e.message}`, request, t0);
              }
            }
            inputJson = JSON.stringify(parsed.input ?? null);
          } else inputJson = fromUtf8(request.input) ?? 'null';
          const caps = createCapabilities(request);
          const job: SnippetJob = {
            source: code!,
            filename: snippet
              ? typeof parsed === 'object' && parsed.lang === 'ts'
                ? 'snippet.ts'
                : 'snippet.js'
              : tool.manifest.artifact.endsWith('.ts')
                ? `${name}.ts`
                : `${name}.js`,
            inputJson,
            envJson: JSON.stringify(request.env),
            grants: { fs: request.mounts.length > 0, tools: request.callTool !== undefined },
            wallMs: request.limits.wallMs,
            memoryBytes: request.limits.memoryBytes,
            outputBytes: request.limits.outputBytes,
            stderrBytes: request.limits.stderrBytes,
            stackBytes,
            ...(metering ? { fuel: request.limits.fuel } : {}),
          };
          const result = await execute(job, request, caps.bridge);
          return toOutcome(result, request, t0, caps);
        },
      };
    },
    async close(): Promise<void> {
      for (const p of pools.values()) await p.close();
      pools.clear();
    },
  };
}

function parseSnippetInput(input: Uint8Array): { code: string; input?: unknown; lang?: string } | string {
  const text = fromUtf8(input);
  let v: unknown;
  try {
    v = JSON.parse(text ?? '');
  } catch {
    return 'the snippet input is not JSON';
  }
  if (v === null || typeof v !== 'object' || typeof (v as { code?: unknown }).code !== 'string')
    return 'the snippet input must be { code: string, input?: any }';
  return v as { code: string; input?: unknown; lang?: string };
}

function failed(message: string, request: RunRequest, t0: number): RunOutcome {
  return {
    status: 'failed',
    exitCode: 1,
    stdout: utf8(JSON.stringify({ error: { message } })),
    stderr: new Uint8Array(0),
    message,
    usage: usage(request, performance.now() - t0, 0, 0, 0, 0, 0, null),
  };
}

function usage(
  request: RunRequest,
  wallMs: number,
  peak: number,
  out: number,
  err: number,
  read: number,
  written: number,
  fuel: number | null,
) {
  return {
    wallMs,
    fuel,
    peakMemoryBytes: peak,
    inputBytes: request.input.length,
    outputBytes: out,
    stderrBytes: err,
    fsReadBytes: read,
    fsWriteBytes: written,
  };
}

function toOutcome(
  result: SnippetResult | typeof KILLED | Error,
  request: RunRequest,
  t0: number,
  caps: ReturnType<typeof createCapabilities>,
): RunOutcome {
  const wallMs = performance.now() - t0;
  const denials = caps.denials.entries.length > 0 ? { denials: caps.denials.entries } : {};
  const records = caps.egress();
  const egress = records.length > 0 ? { egress: records } : {};
  const common = { stderr: new Uint8Array(0), ...denials, ...egress };
  if (result === KILLED) {
    return {
      ...common,
      status: 'limit',
      exitCode: null,
      stdout: new Uint8Array(0),
      limit: 'wall-time',
      message: `wall time limit of ${request.limits.wallMs} ms exceeded (the worker was terminated)`,
      usage: usage(request, wallMs, 0, 0, 0, caps.readBytes(), caps.quota.used, null),
    };
  }
  if (result instanceof Error) {
    return {
      ...common,
      status: 'crashed',
      exitCode: null,
      stdout: new Uint8Array(0),
      message: `the QuickJS worker failed: ${result.message}`,
      usage: usage(request, wallMs, 0, 0, 0, caps.readBytes(), caps.quota.used, null),
    };
  }
  let status = result.status;
  let limit: LimitKind | undefined = result.limit;
  let message = result.message;
  if (caps.quota.exceeded && status !== 'limit') {
    status = 'limit';
    limit = 'fs-write';
    message = `file-system write quota of ${request.limits.fsWriteBytes} bytes exceeded`;
  }
  const stdout =
    status === 'ok'
      ? utf8(result.output ?? 'null')
      : status === 'failed'
        ? utf8(JSON.stringify({ error: { message } }))
        : new Uint8Array(0);
  return {
    status,
    exitCode: status === 'ok' ? 0 : status === 'failed' ? 1 : null,
    stdout,
    ...denials,
    ...egress,
    stderr: utf8(result.stderr),
    ...(limit ? { limit } : {}),
    ...(message ? { message } : {}),
    usage: usage(
      request,
      wallMs,
      result.peakMemoryBytes,
      stdout.length,
      result.stderrAttempted,
      caps.readBytes(),
      caps.quota.used,
      result.fuelUsed,
    ),
  };
}
