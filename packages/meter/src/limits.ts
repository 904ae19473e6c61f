/**
 * Memory and table limits, and capping them.
 *
 * `limits ::= 0x00 min | 0x01 min max` (0x03 adds "shared", threads). A
 * module's memory can never grow past its declared maximum, so lowering that
 * maximum to the call's limit makes `memory.grow` past it return -1 and makes
 * instantiation refuse a larger imported memory. A memory with no maximum
 * gets one. For an imported memory or table the cap lowers the maximum the
 * import declares, so the host must hand in one that is capped as well.
 *
 * We check what an engine checks (min ≤ max, pages ≤ 65536) before rewriting:
 * an out-of-range maximum capped to an in-range one would turn an invalid
 * module into a valid one. A minimum above the cap cannot be honoured, and is
 * refused with a typed error rather than emitted as an invalid module.
 * 64-bit limits (memory64, table64) are not supported.
 */
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export const MAX_PAGES = 65536;
export const MAX_TABLE = 0xffffffff;

export interface Limits {
  flags: number;
  min: number;
  max: number | undefined;
}

export function readLimits(r: Reader, what: 'memory' | 'table'): Limits {
  const at = r.pos;
  const flags = r.u8();
  const allowed = what === 'memory' ? flags === 0 || flags === 1 || flags === 3 : flags === 0 || flags === 1;
  if (!allowed) r.fail(`unsupported ${what} limits flags 0x${flags.toString(16)}`, at);
  const min = r.u32();
  const max = flags & 1 ? r.u32() : undefined;
  const top = what === 'memory' ? MAX_PAGES : MAX_TABLE;
  if (min > top) r.fail(`${what} minimum ${min} above ${top}`, at);
  if (max !== undefined && max > top) r.fail(`${what} maximum ${max} above ${top}`, at);
  if (max !== undefined && min > max) r.fail(`${what} minimum ${min} above its maximum ${max}`, at);
  return { flags, min, max };
}

/** Write `l` with its maximum lowered to `cap` (or unchanged when `cap` is undefined). */
export function writeCapped(w: Writer, r: Reader, at: number, l: Limits, cap: number | undefined, what: string): boolean {
  if (cap === undefined) {
    w.u8(l.flags);
    w.u32(l.min);
    if (l.max !== undefined) w.u32(l.max);
    return false;
  }
  if (l.min > cap) r.fail(`${what} needs at least ${l.min}, above the cap of ${cap}`, at);
  const max = l.max === undefined ? cap : Math.min(l.max, cap);
  w.u8(l.flags | 1);
  w.u32(l.min);
  w.u32(max);
  return true;
}
