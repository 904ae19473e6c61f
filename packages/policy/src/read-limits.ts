/**
 * Reading a `limits` map. The rules (which keys exist, what a valid value
 * is) are core's `validateLimits`, applied one key at a time so that every
 * bad key is reported with its own position instead of only the first.
 */
import { type Limits, validateLimits } from '@airlock/core';
import type { Val, YamlReader } from './yaml-reader.js';

export function readLimits(r: YamlReader, v: Val, what: string): Partial<Limits> | undefined {
  const entries = r.map(v, what);
  if (!entries) return undefined;
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const e of entries) {
    const value = r.scalar(e.value);
    try {
      Object.assign(out, validateLimits({ [e.key]: value }, undefined, what));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message.startsWith('unknown limit')) r.problem(e.keyAt, `${what}: ${message}`);
      else r.problem(e.value.at, `${what}: ${message}, got ${r.describe(e.value)}`);
      ok = false;
    }
  }
  return ok ? (out as Partial<Limits>) : undefined;
}
