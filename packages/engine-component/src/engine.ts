/**
 * The component engine: runs WebAssembly components (WASI 0.2 commands and
 * typed `airlock:tool` tools) in a fresh instance per call.
 *
 * prepare: check the bytes are a component, transpile with jco (cached in
 * memory by `tool.digest`, and in `options.cache` by content hash so a
 * second process does not transpile again), refuse imports we do not
 * provide, compile the core modules once and import the generated glue once.
 * run: a new WASI host from the call's grants (preview2/host.ts), a new
 * instance of every core module, `run` or `call`, and a RunOutcome. Nothing
 * survives the call but the compiled modules and the glue's function
 * definitions, which hold no state.
 */
import type { Engine, HostWorkers, Mount, PreparedTool, RunOutcome, RunRequest, Tool } from '@airlock/core';
import { AirlockError, DEFAULT_LIMITS } from '@airlock/core';
import {
  defaultClock,
  LimitTrap,
  type MonotonicClock,
  mountVfs,
  RunGuard,
  type WasmMemory,
  type WasmModule,
  WriteQuota,
} from '@airlock/wasi';
import { HttpRunner, importsHttp } from './http-runner.js';
import { dataUrlLoader, GLUE_ID, type LoadedComponent, loadAirlock, loadJco, type ModuleLoader, type RewriteStore } from './load.js';
import { CallBudget, type CoreShape, FUEL_EXPORT, MEMORY_IMPORT, PAGE_BYTES, REWRITE_ID, type RewriteOptions } from './metering.js';
import { toOutcome } from './outcome.js';
import { CallContext } from './preview2/call-context.js';
import { buildImports, ExitSignal } from './preview2/host.js';
import { buildHttpImports } from './preview2/http.js';
import { transpile, transpileKey } from './transpile.js';
import {
  decodeRewritten,
  decodeTranspiled,
  encodeRewritten,
  encodeTranspiled,
  type TranspileCache,
  type Transpiled,
} from './transpile-cache.js';

/** Core modules this large take long enough to rewrite (~16 ms per MB) that a terminal shows progress. */
const LONG_REWRITE_BYTES = 1 << 20;

import { type CoreInstance, WasmSync } from './wasm.js';

export interface ComponentEngineOptions {
  /** Monotonic clock in ms for deadlines, usage and the guest's monotonic clock. */
  readonly clock?: MonotonicClock;
  /** Wall-clock ms since the epoch for the guest's wall clock. Default `Date.now`. */
  readonly realtime?: () => number;
  /** A content-addressed store for transpiled output, shared across processes. */
  readonly cache?: TranspileCache;
  /**
   * Rewrite the core modules (metering.ts): fuel metering and pooled,
   * capped memories, both on by default. Off only for benchmarks that
   * measure what they cost.
   */
  readonly rewrite?: Partial<RewriteOptions>;
  /**
   * Which glue instantiates components. `airlock` (the default): our own
   * (canon/: parse, link, generated canonical-ABI trampolines), falling back
   * to jco's for a component outside the synchronous subset it runs; `jco`:
   * always jco's generated glue (the baseline benchmarks compare against).
   */
  readonly glue?: 'airlock' | 'jco';
  /** How to import jco's generated glue. Default: a `data:` URL import. */
  readonly loadModule?: ModuleLoader;
  /**
   * Where components that import wasi:http run (one warm worker per
   * component, a fresh instance per call; see http-runner.ts). Without it,
   * such a component does not load.
   */
  readonly workers?: HostWorkers;
  /**
   * Run this tool in a worker too, though it does not import wasi:http
   * (which always does). For tests, which check that a component behaves
   * the same on both paths, and for hosts that want every component off
   * the main thread. Needs `workers`. Mounts cross to the worker through a
   * synchronous proxy (vfs-proxy.ts), one bridge round trip per Vfs call.
   */
  readonly inWorker?: (tool: Tool) => boolean;
  /**
   * Told about long operations (a transpile on a cache miss: ~50 ms for a
   * small C component, seconds for a 14 MB JS one), for a progress line on
   * a terminal. Never told anything a machine should parse.
   */
  readonly progress?: (event: {
    readonly tool: string;
    /** `transpile` (jco's glue) or `rewrite` (metering a large component's core modules), then `done`. */
    readonly phase: 'transpile' | 'rewrite' | 'done';
    readonly ms?: number;
    readonly bytes: number;
  }) => void;
}

/** What a typed tool says about itself (`describe`). */
export interface ToolDescriptor {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: string;
  readonly outputSchema: string;
}

export interface PreparedComponent extends PreparedTool {
  /** `command` (wasi:cli/run) or `typed` (airlock:tool/tool). */
  readonly componentKind: 'command' | 'typed';
  /** Which glue runs it: our own (canon/) or jco's (the fallback, or `glue: 'jco'`). */
  readonly glue: 'airlock' | 'jco';
  /** Interfaces the component imports, unversioned. */
  readonly imports: readonly string[];
  readonly exports: readonly string[];
  /** A typed tool's descriptor, from a fresh instance with no grants; undefined for a command. */
  describe(): Promise<ToolDescriptor | undefined>;
}

export interface ComponentEngine extends Engine {
  prepare(tool: Tool): Promise<PreparedComponent>;
  /** Stop the workers of wasi:http components (idle ones; running calls end first). */
  close(): Promise<void>;
}

export function createComponentEngine(options: ComponentEngineOptions = {}): ComponentEngine {
  const clock = options.clock ?? defaultClock;
  const realtime = options.realtime ?? Date.now;
  const loadModule = options.loadModule ?? dataUrlLoader;
  const loaded = new Map<string, Promise<LoadedComponent>>();
  const rewrite: RewriteOptions = { metering: options.rewrite?.metering ?? true, pooling: options.rewrite?.pooling ?? true };
  const runners = new Map<string, HttpRunner>();

  const transpiled = async (tool: Tool): Promise<Transpiled> => {
    const key = transpileKey(tool.digest);
    const hit = options.cache ? await options.cache.get(key) : undefined;
    const cached = hit === undefined ? undefined : decodeTranspiled(hit);
    if (cached !== undefined) return cached;
    const progress = { tool: tool.manifest.name, bytes: tool.artifact.length };
    options.progress?.({ ...progress, phase: 'transpile' });
    const t0 = clock.monotonic();
    const fresh = await transpile(tool.artifact, tool.manifest.name);
    options.progress?.({ ...progress, phase: 'done', ms: clock.monotonic() - t0 });
    await options.cache?.set(key, encodeTranspiled(fresh));
    return fresh;
  };

  /** Our glue's rewritten core modules in `options.cache`, and a progress line for a large rewrite. */
  const rewriteStore = (tool: Tool): RewriteStore => {
    const flags = `${rewrite.metering ? 'm' : '-'}${rewrite.pooling ? 'p' : '-'}`;
    const key = `component-${tool.digest}-${GLUE_ID}-${REWRITE_ID}-${flags}`;
    const cache = options.cache;
    return {
      get: async () => {
        const hit = cache ? await cache.get(key) : undefined;
        return hit === undefined ? undefined : decodeRewritten(hit);
      },
      set: async (r) => {
        await cache?.set(key, encodeRewritten(r));
      },
      progress: (phase, bytes, ms) => {
        if (bytes < LONG_REWRITE_BYTES) return;
        options.progress?.({ tool: tool.manifest.name, phase, bytes, ...(ms === undefined ? {} : { ms }) });
      },
    };
  };

  const loadOnce = (tool: Tool): Promise<LoadedComponent> => {
    let p = loaded.get(tool.digest);
    if (p === undefined) {
      p = (async () => {
        if (options.glue !== 'jco') {
          const own = await loadAirlock(tool.artifact, tool.manifest.name, rewrite, rewriteStore(tool));
          if (own !== undefined) return own;
        }
        const t = await transpiled(tool);
        return loadJco(t, tool.manifest.name, transpileKey(tool.digest), loadModule, rewrite);
      })();
      loaded.set(tool.digest, p);
      // Do not cache a failure: a retry with fixed bytes must be possible.
      p.catch(() => loaded.delete(tool.digest));
    }
    return p;
  };

  return {
    kind: 'component',
    async prepare(tool: Tool): Promise<PreparedComponent> {
      if (tool.manifest.engine !== 'component') {
        throw new AirlockError('ARGS_INVALID', `tool "${tool.manifest.name}" is for the ${tool.manifest.engine} engine, not component`);
      }
      const component = await loadOnce(tool);
      const name = tool.manifest.name;
      let runOne = (request: RunRequest): Promise<RunOutcome> => run(component, name, request, clock, realtime);
      if (importsHttp(component) || options.inWorker?.(tool) === true) {
        const workers = options.workers;
        if (workers === undefined) {
          const why = importsHttp(component) ? 'imports wasi:http, which runs in a worker' : 'is to run in a worker (inWorker)';
          throw new AirlockError(
            'HOST_UNSUPPORTED',
            `tool "${name}" ${why}, and this host offers no workers (pass \`workers\` to createComponentEngine)`,
          );
        }
        let runner = runners.get(tool.digest);
        if (runner === undefined) {
          runner = new HttpRunner(workers, component, name, clock);
          runners.set(tool.digest, runner);
        }
        const r = runner;
        runOne = (request) => r.run(request);
      }
      return {
        componentKind: component.kind,
        glue: component.glue.kind,
        imports: component.imports,
        exports: component.exports.map(([n]) => n),
        run: runOne,
        describe: () => describe(component, name, clock, realtime),
      };
    },
    async close(): Promise<void> {
      const all = [...runners.values()];
      runners.clear();
      await Promise.all(all.map((r) => r.close()));
    },
  };
}

function checkMounts(mounts: readonly Mount[]): void {
  const seen = new Set<string>();
  for (const m of mounts) {
    const parts = m.path.split('/');
    if (!m.path.startsWith('/') || parts.includes('..') || parts.includes('.') || m.path.includes('\0')) {
      throw new AirlockError('ARGS_INVALID', `mount path ${JSON.stringify(m.path)} must be absolute and normalised`);
    }
    if (seen.has(m.path)) throw new AirlockError('ARGS_INVALID', `mount path ${m.path} is given twice`);
    seen.add(m.path);
  }
}

/** A thrown component `result::err` (jco's ComponentError carries it as `payload`). */
const payloadOf = (e: unknown): { found: boolean; value: unknown } =>
  e instanceof Error && Object.hasOwn(e, 'payload')
    ? { found: true, value: (e as unknown as { payload: unknown }).payload }
    : { found: false, value: undefined };

const utf8 = new TextEncoder();

interface Instance {
  readonly exports: Record<string, unknown>;
  memory(): WasmMemory | undefined;
}

/** What one call's core instances draw on: its fuel budget and memory cap, and the pooled memories it took. */
export class CallResources {
  readonly budget: CallBudget;
  readonly capPages: number;
  /** Pooled memories handed to this call's instances, to give back at the end. */
  readonly taken: { memory: WasmMemory; initial: number; maximum: number }[] = [];
  /** The smallest pooled maximum the call's cap (not the module's own) set, in bytes. */
  capBytes: number | undefined;

  constructor(
    readonly c: LoadedComponent,
    limits: { readonly fuel: number; readonly memoryBytes: number },
  ) {
    this.budget = new CallBudget(BigInt(limits.fuel));
    this.capPages = Math.min(65536, Math.floor(limits.memoryBytes / PAGE_BYTES));
  }

  /** Give the pooled memories back (zeroed by the pool; a grown one is dropped). */
  release(): void {
    for (const t of this.taken.splice(0)) this.c.pool.give(t.memory, t.initial, t.maximum);
  }
}

/** A new instance of every core module, wired to `imports`; sync where the host allows it. */
export async function instantiate(
  c: LoadedComponent,
  imports: Record<string, Record<string, unknown>>,
  guard: RunGuard,
  res: CallResources,
): Promise<Instance> {
  let memory: WasmMemory | undefined;
  const { budget } = res;
  // Our glue calls `budget.sync` from its lowered imports (onHostCall); jco's
  // glue gets every host function of a core instance's imports wrapped.
  const own = c.glue.kind === 'airlock';
  // Functions exported by this call's core instances: an import that is not
  // one of them is a host call (jco's lowering trampolines into our host).
  const wasmFunctions = new WeakSet<object>();
  const seeInstance = (inst: CoreInstance, shape: CoreShape | undefined): CoreInstance => {
    for (const v of Object.values(inst.exports)) {
      if (typeof v === 'function') {
        if (!own) wasmFunctions.add(v);
      } else if (memory === undefined && v instanceof WasmSync.Memory) {
        memory = v;
        guard.memory = v;
      }
    }
    if (shape?.metered) budget.add(inst.exports[FUEL_EXPORT] as { value: bigint });
    return inst;
  };
  const syncAtHostCalls = (imps: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [ns, fields] of Object.entries(imps)) {
      if (fields === null || typeof fields !== 'object') {
        out[ns] = fields;
        continue;
      }
      const wrapped: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(fields as Record<string, unknown>)) {
        if (typeof v === 'function' && !wasmFunctions.has(v)) {
          const f = v as (...args: unknown[]) => unknown;
          wrapped[name] = Object.assign((...args: unknown[]) => {
            budget.sync();
            return f(...args);
          }, f);
        } else wrapped[name] = v;
      }
      out[ns] = wrapped;
    }
    return out;
  };
  const instantiateCore = (module: WasmModule, imps?: Record<string, unknown>): CoreInstance | Promise<CoreInstance> => {
    const shape = c.shapeOf(module);
    let full = imps === undefined || own ? imps : budget.metered || shape?.metered ? syncAtHostCalls(imps) : imps;
    if (shape?.memory) {
      const own = shape.memory.maximumPages ?? 65536;
      const initial = shape.memory.initialPages;
      if (initial > res.capPages) {
        throw new LimitTrap(
          'memory',
          `the component starts with ${initial * PAGE_BYTES} bytes of linear memory, above the limit of ${res.capPages * PAGE_BYTES}`,
        );
      }
      const maximum = Math.min(own, res.capPages);
      if (res.capPages < own) res.capBytes = Math.min(res.capBytes ?? Number.POSITIVE_INFINITY, maximum * PAGE_BYTES);
      const pooled = c.pool.take(initial, maximum);
      res.taken.push({ memory: pooled, initial, maximum });
      full = { ...full, [MEMORY_IMPORT.module]: { [MEMORY_IMPORT.name]: pooled } };
    }
    try {
      return seeInstance(new WasmSync.Instance(module, full), shape);
    } catch (e) {
      // Browsers refuse synchronous instantiation of large modules on the main thread.
      if (e instanceof RangeError) return WasmSync.instantiate(module, full).then((i) => seeInstance(i, shape));
      throw e;
    }
  };
  const exports = await c.generated.instantiate(c.getCoreModule, imports, instantiateCore, own ? () => budget.sync() : undefined);
  return { exports, memory: () => memory };
}

/** Imports added to the WASI host of one call (wasi:http in a worker), built from its guard. */
export type ExtraImports = (guard: RunGuard) => Record<string, Record<string, unknown>>;

export async function run(
  c: LoadedComponent,
  toolName: string,
  request: RunRequest,
  clock: MonotonicClock,
  realtime: () => number,
  extra?: ExtraImports,
): Promise<RunOutcome> {
  checkMounts(request.mounts);
  const { limits } = request;
  const t0 = clock.monotonic();
  const guard = new RunGuard(clock, limits.wallMs, limits.memoryBytes);
  const quota = new WriteQuota(limits.fsWriteBytes);
  const typed = c.kind === 'typed';
  const ctx = new CallContext({ guard, outputBytes: limits.outputBytes, stderrBytes: limits.stderrBytes, stdoutIsDiagnostics: typed });
  const imports = {
    ...buildImports(ctx, {
      args: [toolName, ...request.args],
      env: request.env,
      stdin: typed ? new Uint8Array(0) : request.input,
      mounts: request.mounts.map((m, i) => ({ guestPath: m.path, vfs: mountVfs(m, quota), id: i + 1 })),
      realtime,
    }),
    ...extra?.(guard),
  };
  let exitCode: number | null = null;
  let output: Uint8Array | undefined;
  let failure: string | undefined;
  let error: unknown;
  let instance: Instance | undefined;
  const res = new CallResources(c, limits);
  try {
    instance = await instantiate(c, imports, guard, res);
    guard.check();
    if (typed) ({ exitCode, output, failure } = callTyped(instance, request.input, limits.outputBytes));
    else exitCode = runCommand(instance);
  } catch (e) {
    if (e instanceof ExitSignal) exitCode = e.code;
    else error = e;
  } finally {
    ctx.close();
  }
  res.budget.sync();
  const memoryBytes = instance?.memory()?.buffer.byteLength ?? 0;
  res.release();
  return toOutcome({
    exitCode,
    ...(output === undefined ? {} : { output }),
    ...(failure === undefined ? {} : { failure }),
    error,
    wallMs: clock.monotonic() - t0,
    memoryBytes,
    memoryCap: res.capBytes,
    fuelUsed: res.budget.metered ? Number(res.budget.used) : null,
    input: request.input,
    limits,
    ctx,
    quota,
  });
}

function runCommand(instance: Instance): number {
  const iface = Object.entries(instance.exports).find(([k]) => k.startsWith('wasi:cli/run@'))?.[1] as { run(): void } | undefined;
  if (iface === undefined) throw new AirlockError('INTERNAL', 'the component has no wasi:cli/run export');
  try {
    iface.run();
    return 0;
  } catch (e) {
    if (payloadOf(e).found) return 1; // run returned err
    throw e;
  }
}

function callTyped(instance: Instance, input: Uint8Array, outputBytes: number): { exitCode: number; output: Uint8Array; failure?: string } {
  const call = instance.exports['call'] as (input: string) => string;
  let answer: string;
  try {
    answer = call(new TextDecoder().decode(input));
  } catch (e) {
    const { found, value } = payloadOf(e);
    if (!found) throw e;
    const err = value as { code?: unknown; message?: unknown };
    const error = { code: String(err?.code ?? 'error'), message: String(err?.message ?? '') };
    // The tool convention's failure shape, so the gate reads it like a command's.
    return { exitCode: 1, output: utf8.encode(JSON.stringify({ error })), failure: `${error.code}: ${error.message}` };
  }
  const output = utf8.encode(answer);
  if (output.length > outputBytes) throw new LimitTrap('output', `output limit of ${outputBytes} bytes exceeded`);
  return { exitCode: 0, output };
}

async function describe(
  c: LoadedComponent,
  toolName: string,
  clock: MonotonicClock,
  realtime: () => number,
): Promise<ToolDescriptor | undefined> {
  if (c.kind !== 'typed') return undefined;
  const guard = new RunGuard(clock, 5_000, 64 * 1024 * 1024);
  const ctx = new CallContext({ guard, outputBytes: 0, stderrBytes: 64 * 1024, stdoutIsDiagnostics: true });
  const imports = {
    ...buildImports(ctx, { args: [toolName], env: {}, stdin: new Uint8Array(0), mounts: [], realtime }),
    // describe runs without grants: any request it makes is refused.
    ...(importsHttp(c)
      ? buildHttpImports({ guard, responseBytes: 0, send: () => ({ ok: false, kind: 'denied', reason: 'describe has no network' }) })
      : {}),
  };
  const res = new CallResources(c, { fuel: DEFAULT_LIMITS.fuel, memoryBytes: 64 * 1024 * 1024 });
  try {
    const instance = await instantiate(c, imports, guard, res);
    const d = (instance.exports['describe'] as () => ToolDescriptor)();
    return { name: d.name, description: d.description, inputSchema: d.inputSchema, outputSchema: d.outputSchema };
  } finally {
    ctx.close();
    res.release();
  }
}
