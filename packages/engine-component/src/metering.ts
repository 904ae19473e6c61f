/**
 * Fuel and memory caps for the core modules inside a component
 * (docs/decisions/0008-component-engine.md, "Fuel and memory").
 *
 * At load, every core module is rewritten by @airlock/meter:
 *
 * - `importMemory`: a module that defines exactly one (unshared) memory
 *   imports it as `airlock.memory` instead, so each call hands in a zeroed
 *   memory from the tool's pool whose maximum is the call's memory cap.
 *   jco's glue never names that import; our `instantiateCore` adds it.
 *   The module still exports the memory, so the adapter and the glue that
 *   import it from the main module get the pooled one.
 * - `meter`: a fuel global exported as `__airlock_fuel`. The name cannot
 *   clash with anything the component wires between its core modules: meter
 *   refuses a module that already exports it, and the component was validated
 *   against the original modules, so no alias can name it.
 *
 * Several core modules, one budget (`CallBudget`). Each metered instance's
 * global is set to the fuel left when it is instantiated, and at every host
 * call (a JS import of any core instance) the budget is synced: what every
 * module used since the last sync is added up and every global is set to the
 * same remainder. Between two host calls a module can therefore spend at
 * most what was left at the last sync; the meter stores a function's cached
 * fuel to its global before every call and reloads it after, so a host call
 * sees, and may change, the current values. Calls between core modules
 * (main module → adapter through jco's shim table) are Wasm-to-Wasm and
 * not synced; they are bounded by the next host call or the end of the call.
 * A start function runs on a fixed allowance (`START_FUEL`) that is charged
 * to the call when its instance is added. At the end of the call a last sync gives the fuel used; above the limit is
 * the `fuel` limit (a trap on negative fuel, or an overdraft by code that
 * ended on its own).
 */
import { AirlockError } from '@airlock/core';
import { importMemory, meter } from '@airlock/meter';

export const FUEL_EXPORT = '__airlock_fuel';
export const MEMORY_IMPORT = { module: 'airlock', name: 'memory' } as const;
export { PAGE_BYTES } from '@airlock/wasi';
/**
 * The fuel a core module's start function may use: it runs inside
 * `new WebAssembly.Instance`, before the host can set the global (jco's
 * preview1 adapters have one). What it used is charged to the call when
 * the instance is added to the budget.
 */
export const START_FUEL = 1_000_000n;

/**
 * Names what rewriteCore produces, in cache keys of rewritten modules:
 * bump it whenever @airlock/meter's output or the pooling rewrite changes
 * (a stale entry would run with other fuel counts).
 */
export const REWRITE_ID = 'meter-1/pool-1';

/** What the rewrite did to one core module. */
export interface CoreShape {
  readonly metered: boolean;
  /** Set when its one memory is now imported from `airlock.memory` (pooled). */
  readonly memory?: { readonly initialPages: number; readonly maximumPages: number | undefined };
}

export interface RewriteOptions {
  readonly metering: boolean;
  readonly pooling: boolean;
}

export function rewriteCore(
  bytes: Uint8Array,
  toolName: string,
  coreName: string,
  options: RewriteOptions,
): { bytes: Uint8Array; shape: CoreShape } {
  let out = bytes;
  let memory: CoreShape['memory'];
  if (options.pooling) {
    const r = importMemory(out, MEMORY_IMPORT);
    if (r.pooled) {
      out = r.bytes;
      memory = { initialPages: r.initialPages, maximumPages: r.maximumPages };
    }
  }
  if (options.metering) {
    try {
      out = meter(out, { fuelExport: FUEL_EXPORT, initialFuel: START_FUEL }).bytes;
    } catch (e) {
      if (e instanceof AirlockError && e.code === 'WASM_INVALID') {
        throw new AirlockError('WASM_INVALID', `tool "${toolName}" cannot be metered (core module ${coreName}): ${e.message}`, {
          ...(e.details ? { details: e.details } : {}),
        });
      }
      throw e;
    }
  }
  return { bytes: out, shape: { metered: options.metering, ...(memory ? { memory } : {}) } };
}

interface FuelGlobal {
  value: bigint;
}

/** One fuel budget for every metered core instance of one call. */
export class CallBudget {
  readonly #globals: FuelGlobal[] = [];
  /** The value each global was last set to. */
  readonly #base: bigint[] = [];
  #used = 0n;

  constructor(readonly limit: bigint) {}

  /** A new instance's fuel global: its start function's use is charged; it goes on with what is left. */
  add(global: FuelGlobal): void {
    this.#used += START_FUEL - global.value;
    const left = this.limit - this.#used;
    global.value = left;
    this.#globals.push(global);
    this.#base.push(left);
  }

  /** Add up what every module spent since the last sync; give each the same remainder. */
  sync(): void {
    const gs = this.#globals;
    if (gs.length === 0) return;
    let used = this.#used;
    for (let i = 0; i < gs.length; i++) used += this.#base[i]! - gs[i]!.value;
    this.#used = used;
    const left = this.limit - used;
    for (let i = 0; i < gs.length; i++) {
      gs[i]!.value = left;
      this.#base[i] = left;
    }
  }

  get metered(): boolean {
    return this.#globals.length > 0;
  }

  /** Fuel used so far (after a sync). */
  get used(): bigint {
    return this.#used;
  }
}
