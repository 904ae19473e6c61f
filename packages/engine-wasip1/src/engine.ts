/**
 * The wasip1 engine: runs WASI preview1 command modules (a C program built
 * with wasi-libc, say) in a fresh instance per call.
 *
 * prepare: validate, compile once and cache by `tool.digest` (per engine
 * instance, never a module global), check the module's shape.
 * run: a new Preview1 world from the call's mounts, env, args and input,
 * a new instance, `_start`, and a RunOutcome. Nothing survives the call but
 * the compiled module, which is immutable.
 *
 * What is not enforced yet (see docs/decisions/0004): a guest that never
 * calls the host is not stopped by the wall-clock check (fuel metering, the
 * metering issue, does that), and memory past `memoryBytes` is detected, not
 * prevented (a memory cap injected by packages/meter will prevent it).
 */
import type { Engine, Mount, PreparedTool, RunOutcome, RunRequest, Tool } from '@airlock/core';
import { AirlockError } from '@airlock/core';
import { defaultClock, type MonotonicClock, mountVfs, Preview1, Wasm, type WasmMemory, type WasmModule, WriteQuota } from '@airlock/wasi';
import { checkModuleShape } from './module-shape.js';
import { toOutcome } from './outcome.js';

export interface Wasip1EngineOptions {
  /** Monotonic clock in ms for deadlines and usage. Default `performance.now()`. */
  readonly clock?: MonotonicClock;
}

export function createWasip1Engine(options: Wasip1EngineOptions = {}): Engine {
  const clock = options.clock ?? defaultClock;
  const cache = new Map<string, Promise<WasmModule>>();

  const compile = (tool: Tool): Promise<WasmModule> => {
    let compiled = cache.get(tool.digest);
    if (compiled === undefined) {
      compiled = compileChecked(tool);
      cache.set(tool.digest, compiled);
      // Do not cache a failure: a retry with fixed bytes must be possible.
      compiled.catch(() => cache.delete(tool.digest));
    }
    return compiled;
  };

  return {
    kind: 'wasip1',
    async prepare(tool: Tool): Promise<PreparedTool> {
      if (tool.manifest.engine !== 'wasip1') {
        throw new AirlockError('ARGS_INVALID', `tool "${tool.manifest.name}" is for the ${tool.manifest.engine} engine, not wasip1`);
      }
      const module = await compile(tool);
      return { run: (request) => run(module, tool.manifest.name, request, clock) };
    },
  };
}

async function compileChecked(tool: Tool): Promise<WasmModule> {
  const name = tool.manifest.name;
  if (!Wasm.validate(tool.artifact)) {
    let reason = 'it does not validate';
    try {
      await Wasm.compile(tool.artifact);
    } catch (e) {
      if (e instanceof Error) reason = e.message;
    }
    throw new AirlockError('WASM_INVALID', `the artifact of tool "${name}" is not a valid WebAssembly module: ${reason}`);
  }
  const module = await Wasm.compile(tool.artifact);
  checkModuleShape(module, name);
  return module;
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

async function run(module: WasmModule, toolName: string, request: RunRequest, clock: MonotonicClock): Promise<RunOutcome> {
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
  let exitCode: number | null = null;
  let error: unknown;
  let memory: WasmMemory | undefined;
  try {
    const instance = await Wasm.instantiate(module, preview1.imports);
    memory = instance.exports['memory'] as WasmMemory;
    exitCode = preview1.start(instance);
  } catch (e) {
    error = e;
  }
  return toOutcome({
    exitCode,
    error,
    wallMs: clock.monotonic() - t0,
    memoryBytes: memory?.buffer.byteLength ?? 0,
    input: request.input,
    limits,
    preview1,
    quota,
  });
}
