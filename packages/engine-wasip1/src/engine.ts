/**
 * The wasip1 engine: runs WASI preview1 command modules (a C program built
 * with wasi-libc, say) in a fresh instance per call.
 *
 * prepare: validate, rewrite (memory import for pooling, fuel metering),
 * compile once and cache by `tool.digest` (per engine instance, never a
 * module global; the rewrite options are the engine's, fixed at creation),
 * check the module's shape (prepared-module.ts).
 * run: a new Preview1 world from the call's mounts, env, args and input, a
 * zeroed memory from the tool's pool capped at the call's `memoryBytes`, a
 * new instance with its fuel set to the call's `fuel`, `_start`, and a
 * RunOutcome with the fuel used. Nothing survives the call but the compiled
 * module (immutable) and, when the memory is still its initial size, that
 * memory, zeroed, back in the pool.
 *
 * Wall time needs no worker here (docs/decisions/0011): guest code is
 * bounded by fuel, every host call checks the deadline first, and no host
 * call can block (sleeps end by the deadline, files are non-blocking and
 * regular only, stdin is a buffer).
 */
import type { Engine, Mount, PreparedTool, RunOutcome, RunRequest, Tool } from '@airlock/core';
import { AirlockError } from '@airlock/core';
import {
  defaultClock,
  MemoryPool,
  type MonotonicClock,
  mountVfs,
  PAGE_BYTES,
  POOL_PER_KEY,
  Preview1,
  Wasm,
  type WasmGlobal,
  type WasmImports,
  type WasmMemory,
  WriteQuota,
} from '@airlock/wasi';
import { toOutcome } from './outcome.js';
import { MEMORY_IMPORT, type PreparedModule, prepareModule } from './prepared-module.js';

export interface Wasip1EngineOptions {
  /** Monotonic clock in ms for deadlines and usage. Default `performance.now()`. */
  readonly clock?: MonotonicClock;
  /**
   * Meter fuel (default true). Off only for benchmarks that measure what
   * metering costs: an unmetered guest that never calls the host is not
   * stopped at all (there is no worker to kill, see docs/decisions/0011).
   */
  readonly metering?: boolean;
  /**
   * Idle memories kept per tool and memory shape (default 4). 0 turns
   * pooling off: each instance then gets a fresh memory, still imported and
   * capped. `false` leaves the module's own memory alone (uncapped; checked
   * at host calls), for benchmarks.
   */
  readonly memoryPool?: number | false;
}

interface Loaded {
  readonly prepared: PreparedModule;
  readonly pool: MemoryPool;
}

export function createWasip1Engine(options: Wasip1EngineOptions = {}): Engine {
  const clock = options.clock ?? defaultClock;
  const rewrite = { metering: options.metering ?? true, pooling: options.memoryPool !== false };
  const perKey = options.memoryPool === false ? 0 : (options.memoryPool ?? POOL_PER_KEY);
  const cache = new Map<string, Promise<Loaded>>();

  const load = (tool: Tool): Promise<Loaded> => {
    let loaded = cache.get(tool.digest);
    if (loaded === undefined) {
      loaded = prepareModule(tool, rewrite).then((prepared) => ({ prepared, pool: new MemoryPool(perKey) }));
      cache.set(tool.digest, loaded);
      // Do not cache a failure: a retry with fixed bytes must be possible.
      loaded.catch(() => cache.delete(tool.digest));
    }
    return loaded;
  };

  return {
    kind: 'wasip1',
    async prepare(tool: Tool): Promise<PreparedTool> {
      if (tool.manifest.engine !== 'wasip1') {
        throw new AirlockError('ARGS_INVALID', `tool "${tool.manifest.name}" is for the ${tool.manifest.engine} engine, not wasip1`);
      }
      const loaded = await load(tool);
      return { run: (request) => run(loaded, tool.manifest.name, request, clock) };
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

/** The memory cap of a call in pages, and the maximum its pooled memory gets. */
function memoryShape(prepared: PreparedModule, memoryBytes: number): { initial: number; maximum: number; capped: boolean } | undefined {
  const declared = prepared.memory;
  if (declared === undefined) return undefined;
  const capPages = Math.min(65536, Math.floor(memoryBytes / PAGE_BYTES));
  const own = declared.maximumPages ?? 65536;
  // `capped`: the call's limit, not the module's own maximum, is what stops growth.
  return { initial: declared.initialPages, maximum: Math.min(own, capPages), capped: capPages < own };
}

async function run({ prepared, pool }: Loaded, toolName: string, request: RunRequest, clock: MonotonicClock): Promise<RunOutcome> {
  checkMounts(request.mounts);
  const { limits } = request;
  const t0 = clock.monotonic();
  const quota = new WriteQuota(limits.fsWriteBytes);
  const preview1 = new Preview1({
    args: [toolName, ...request.args],
    env: request.env,
    stdin: request.input,
    preopens: request.mounts.map((m) => ({ guestPath: m.path, vfs: mountVfs(m, quota) })),
    limits,
    clock,
  });
  const shape = memoryShape(prepared, limits.memoryBytes);
  const fuelLimit = BigInt(limits.fuel);
  let exitCode: number | null = null;
  let error: unknown;
  let memory: WasmMemory | undefined;
  let pooled: WasmMemory | undefined;
  let fuel: WasmGlobal | undefined;
  let instantiated = false;
  try {
    let imports: WasmImports = preview1.imports;
    if (shape !== undefined) {
      if (shape.initial > shape.maximum) {
        return toOutcome({ ...end(), neededBytes: shape.initial * PAGE_BYTES });
      }
      pooled = pool.take(shape.initial, shape.maximum);
      imports = { ...imports, [MEMORY_IMPORT.module]: { [MEMORY_IMPORT.name]: pooled } };
    }
    const instance = await Wasm.instantiate(prepared.module, imports);
    instantiated = true;
    memory = instance.exports['memory'] as WasmMemory;
    if (prepared.fuelExport !== undefined) {
      fuel = instance.exports[prepared.fuelExport] as WasmGlobal;
      fuel.value = fuelLimit;
    }
    exitCode = preview1.start(instance);
  } catch (e) {
    error = e;
  }
  const outcome = toOutcome(end());
  if (pooled !== undefined && shape !== undefined) pool.give(pooled, shape.initial, shape.maximum);
  return outcome;

  function end() {
    const remaining = fuel === undefined ? undefined : (fuel.value as bigint);
    const size = memory?.buffer.byteLength ?? pooled?.buffer.byteLength ?? 0;
    return {
      exitCode,
      error,
      instantiated,
      wallMs: clock.monotonic() - t0,
      memoryBytes: size,
      memoryCap: shape?.capped ? shape.maximum * PAGE_BYTES : undefined,
      fuelUsed: remaining === undefined ? null : Number(fuelLimit - remaining),
      input: request.input,
      limits,
      preview1,
      quota,
    };
  }
}
