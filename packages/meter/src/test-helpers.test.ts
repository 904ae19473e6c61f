// Shared helpers for this package's tests (a *.test.ts file so it is never
// part of the published surface; it defines no tests itself).
import assert from 'node:assert/strict';
import { AirlockError } from '@airlock/core';
import wabtInit from 'wabt';
import { type MeterOptions, meter } from './index.js';

const wabt = await wabtInit();

/** The slice of the WebAssembly JS API the tests use (no DOM lib here). */
export interface WasmGlobal {
  value: unknown;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  instantiate(bytes: Uint8Array, imports?: Imports): Promise<{ instance: WasmInstance }>;
  readonly RuntimeError: new (...args: never[]) => Error;
  readonly Memory: new (d: { initial: number; maximum?: number }) => { grow(n: number): number; buffer: ArrayBuffer };
  readonly Global: new (d: { value: string; mutable?: boolean }, v: unknown) => WasmGlobal;
}
export type Imports = Record<string, Record<string, unknown>>;
export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Assemble WAT text with every feature the rewriter supports switched on. */
export function wat(text: string): Uint8Array {
  const m = wabt.parseWat('test.wat', text, { tail_call: true, multi_memory: true } as Parameters<typeof wabt.parseWat>[2]);
  try {
    return m.toBinary({}).buffer;
  } finally {
    m.destroy();
  }
}

export interface Metered {
  readonly exports: Record<string, unknown>;
  /** Read or set the fuel remaining. */
  fuel: bigint;
}

/** Meter `bytes`, instantiate, and give access to the fuel global. */
export async function instantiateMetered(
  bytes: Uint8Array,
  fuel: bigint,
  options: MeterOptions = {},
  imports: Imports = {},
): Promise<Metered> {
  const m = meter(bytes, options);
  assert.ok(Wasm.validate(m.bytes), 'metered module validates');
  const { instance } = await Wasm.instantiate(m.bytes, imports);
  const g = instance.exports[m.fuelGlobalExport] as WasmGlobal;
  g.value = fuel;
  return {
    exports: instance.exports as Record<string, unknown>,
    get fuel(): bigint {
      return g.value as bigint;
    },
    set fuel(v: bigint) {
      g.value = v;
    },
  };
}

export async function instantiatePlain(bytes: Uint8Array, imports: Imports = {}): Promise<Record<string, unknown>> {
  const { instance } = await Wasm.instantiate(bytes, imports);
  return instance.exports as Record<string, unknown>;
}

/** Call `f` and return its error; fail if it returns normally. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail('expected an exception');
}

/** `f` throws AirlockError WASM_INVALID (and nothing else). */
export function assertInvalid(f: () => unknown, message?: RegExp): void {
  const e = thrown(f);
  assert.ok(e instanceof AirlockError, `expected AirlockError, got ${String(e)}`);
  assert.equal(e.code, 'WASM_INVALID', e.message);
  if (message) assert.match(e.message, message);
}

/** A call that must trap with `unreachable` (the fuel check's trap). */
export function assertFuelTrap(f: () => unknown): void {
  const e = thrown(f);
  assert.ok(e instanceof Wasm.RuntimeError, `expected a trap, got ${String(e)}`);
  assert.match((e as Error).message, /unreachable/);
}

export type Fn = (...args: unknown[]) => unknown;
