/**
 * `meter`'s options and result, and checking the options.
 */
import { badOption } from './errors.js';
import { MAX_PAGES, MAX_TABLE } from './limits.js';

export interface MeterOptions {
  /**
   * Export name for the fuel global (an i64 holding the fuel remaining). The
   * host picks it; a module that already exports this name is rejected.
   * Default `DEFAULT_FUEL_EXPORT`.
   */
  readonly fuelExport?: string;
  /**
   * Fuel the global starts with, for a start function that runs during
   * instantiation, before the host can set it. Default 0 (deny by default:
   * a metered start function traps unless fuel is given here).
   */
  readonly initialFuel?: number | bigint;
  /** Cap (64 KiB pages) on the maximum of every defined and imported memory. */
  readonly maxMemoryPages?: number;
  /** Cap (elements) on the maximum of every defined and imported table. */
  readonly maxTablesElements?: number;
}

export interface MeterStats {
  readonly inputBytes: number;
  readonly outputBytes: number;
  /** Function bodies rewritten. */
  readonly functions: number;
  readonly instructions: number;
  /** Charges inserted (segments with a non-zero cost). */
  readonly charges: number;
  /** Fuel checks inserted (function entries, loop headers, bulk operations). */
  readonly checks: number;
  /** Fuel local/global syncs inserted (around calls, at exits). */
  readonly syncs: number;
  /** Bulk operations charged by their length operand. */
  readonly bulk: number;
  readonly memoriesCapped: number;
  readonly tablesCapped: number;
  /** Index of the fuel global in the global index space (always the last). */
  readonly fuelGlobalIndex: number;
}

export interface MeterResult {
  readonly bytes: Uint8Array;
  /** The export name under which the fuel global is reachable. */
  readonly fuelGlobalExport: string;
  readonly stats: MeterStats;
}

export const DEFAULT_FUEL_EXPORT = '__airlock_fuel';

const I64_MAX = (1n << 63n) - 1n;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface CheckedOptions {
  readonly fuelExport: string;
  readonly initialFuel: bigint;
  readonly maxMemoryPages: number | undefined;
  readonly maxTablesElements: number | undefined;
}

function cap(name: string, v: unknown, top: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > top) {
    throw badOption(`${name} must be an integer from 0 to ${top}, got ${String(v)}`);
  }
  return v;
}

export function checkOptions(o: MeterOptions): CheckedOptions {
  const fuelExport = o.fuelExport ?? DEFAULT_FUEL_EXPORT;
  if (typeof fuelExport !== 'string' || LONE_SURROGATE.test(fuelExport)) {
    throw badOption('fuelExport must be a well-formed string');
  }
  const f = o.initialFuel ?? 0;
  const ok = typeof f === 'bigint' ? f >= 0n && f <= I64_MAX : typeof f === 'number' && Number.isSafeInteger(f) && f >= 0;
  if (!ok) throw badOption(`initialFuel must be an integer from 0 to 2^63-1, got ${String(f)}`);
  return {
    fuelExport,
    initialFuel: BigInt(f),
    maxMemoryPages: cap('maxMemoryPages', o.maxMemoryPages, MAX_PAGES),
    maxTablesElements: cap('maxTablesElements', o.maxTablesElements, MAX_TABLE),
  };
}
