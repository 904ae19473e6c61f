/**
 * From a tool's artifact to the module every call instantiates, once per
 * digest: validate the original, rewrite it (memory import for pooling, fuel
 * metering), compile the result, check its shape.
 *
 * The rewrites (packages/meter):
 *
 * 1. `importMemory`: the module's one defined memory becomes the import
 *    `airlock.memory` with the same limits, so each call can hand in a
 *    pooled, zeroed memory whose maximum is the call's memory cap
 *    (docs/decisions/0010-memory-pooling.md). Modules it cannot rewrite
 *    (several memories, a shared one) run unpooled and uncapped, with the
 *    memory checked at host calls and at the end as before.
 * 2. `meter`: a fuel global only the host can reach, charged per block and
 *    checked at function entries, loop headers and bulk operations
 *    (docs/decisions/0006-fuel-metering.md). It starts at 0, so a start
 *    function (which runs during instantiation, before the call's fuel is
 *    set) always runs out of fuel; preview1 commands start at `_start`.
 *
 * The original is validated first, so a bad artifact is reported with the
 * engine's own reason; a rewritten module that then fails to compile is a bug
 * in the rewriter, reported as INTERNAL.
 */
import { AirlockError, type Tool } from '@airlock/core';
import { importMemory, meter } from '@airlock/meter';
import { Wasm, type WasmModule } from '@airlock/wasi';
import { checkModuleShape } from './module-shape.js';

/** Where the pooled memory is imported from. */
export const MEMORY_IMPORT = { module: 'airlock', name: 'memory' } as const;
/** The export name of the fuel global (meter refuses a module that already uses it). */
export const FUEL_EXPORT = '__airlock_fuel';

export interface PreparedModule {
  readonly module: WasmModule;
  /** Set when the memory is imported (pooled): its declared limits in pages. */
  readonly memory?: { readonly initialPages: number; readonly maximumPages: number | undefined };
  /** The fuel global's export, when metered. */
  readonly fuelExport?: string;
}

export interface PrepareOptions {
  readonly metering: boolean;
  readonly pooling: boolean;
}

export async function prepareModule(tool: Tool, options: PrepareOptions): Promise<PreparedModule> {
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
  let bytes = tool.artifact;
  let memory: PreparedModule['memory'];
  if (options.pooling) {
    const r = importMemory(bytes, MEMORY_IMPORT);
    if (r.pooled) {
      bytes = r.bytes;
      memory = { initialPages: r.initialPages, maximumPages: r.maximumPages };
    }
  }
  let fuelExport: string | undefined;
  if (options.metering) {
    try {
      bytes = meter(bytes, { fuelExport: FUEL_EXPORT }).bytes;
    } catch (e) {
      if (e instanceof AirlockError && e.code === 'WASM_INVALID') {
        throw new AirlockError('WASM_INVALID', `tool "${name}" cannot be metered: ${e.message}`, e.details ? { details: e.details } : {});
      }
      throw e;
    }
    fuelExport = FUEL_EXPORT;
  }
  let module: WasmModule;
  try {
    module = await Wasm.compile(bytes);
  } catch (e) {
    throw new AirlockError('INTERNAL', `the rewritten module of tool "${name}" does not compile (a rewriter bug): ${String(e)}`);
  }
  checkModuleShape(module, name, memory !== undefined ? MEMORY_IMPORT : undefined);
  return { module, ...(memory ? { memory } : {}), ...(fuelExport ? { fuelExport } : {}) };
}
