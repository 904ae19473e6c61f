/**
 * The helpers generated trampolines call: everything that is the same for
 * every type (string coding, range checks, bit casts, traps) lives here
 * once, so the generated code stays short and these functions stay
 * monomorphic. The code generator destructures them into its own scope
 * when it compiles, so calls are direct, never through an object.
 *
 * Two kinds of failure, as in jco: a bad value from the host (wrong type,
 * integer out of range, unknown enum case) is a TypeError; bad data from
 * the guest (pointer out of bounds, invalid UTF-8, bad discriminant) is a
 * WebAssembly.RuntimeError, the same class a core Wasm trap throws.
 */

import type { WebAssemblyMemoryLike } from '../types.js';
import { ComponentError, errorPayload } from './errors.js';

/** The class of a core Wasm trap (a Web standard; packages/ has no DOM lib to type it). */
const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly.RuntimeError;

const MAX_STRING_BYTES = 2 ** 31 - 1;

/** A guest fault: the component broke the ABI contract. */
function trap(label: string, msg: string): never {
  throw new RuntimeError(`${label}: ${msg}`);
}

/** A host fault: the host handed over a value the WIT type does not allow. */
function badValue(label: string, what: string, v: unknown): TypeError {
  let shown: string;
  try {
    shown = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v);
  } catch {
    shown = typeof v;
  }
  return new TypeError(`${label}: expected ${what}, got ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}`);
}

// ---- memory ranges ---------------------------------------------------------

/** Traps unless [ptr, ptr + size) lies in `buffer` and ptr is aligned. `ptr` is a u32. */
function checkRange(label: string, buffer: ArrayBuffer, ptr: number, size: number, align: number): void {
  if (ptr % align !== 0) trap(label, `pointer ${ptr} is not aligned to ${align}`);
  if (ptr + size > buffer.byteLength) trap(label, `[${ptr}, ${ptr + size}) is outside guest memory (${buffer.byteLength} bytes)`);
}

/** Like checkRange for a list of `len` elements of `size` bytes; returns its byte length. */
function checkList(label: string, buffer: ArrayBuffer, ptr: number, len: number, size: number, align: number): number {
  const bytes = len * size;
  if (ptr % align !== 0) trap(label, `list pointer ${ptr} is not aligned to ${align}`);
  if (ptr + bytes > buffer.byteLength) trap(label, `list [${ptr}, +${len}×${size}) is outside guest memory (${buffer.byteLength} bytes)`);
  return bytes;
}

type Realloc = (oldPtr: number, oldSize: number, align: number, newSize: number) => number;

/**
 * Asks the guest for `size` bytes (CanonicalABI: realloc(0, 0, align, size))
 * and checks what it returns. The call may grow memory: callers re-read
 * `memory.buffer` afterwards.
 */
function alloc(label: string, realloc: Realloc, memory: WebAssemblyMemoryLike, align: number, size: number): number {
  const ptr = realloc(0, 0, align, size) >>> 0;
  if (ptr % align !== 0) trap(label, `realloc returned ${ptr}, not aligned to ${align}`);
  if (ptr + size > memory.buffer.byteLength) trap(label, `realloc returned [${ptr}, +${size}), outside guest memory`);
  return ptr;
}

// ---- strings -----------------------------------------------------------------

/**
 * A one-entry cache of a byte view over the last memory buffer seen, so
 * short strings are read and written without allocating a view per call.
 * A grown memory has a new buffer, which simply misses the cache.
 */
let cachedBuffer: ArrayBuffer | undefined;
let cachedBytes = new Uint8Array(0);

function bytesOfBuffer(buffer: ArrayBuffer): Uint8Array {
  if (buffer !== cachedBuffer) {
    cachedBuffer = buffer;
    cachedBytes = new Uint8Array(buffer);
  }
  return cachedBytes;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * Decodes guest UTF-8. Short ASCII strings (most names and paths) are built
 * in JS, which beats a TextDecoder call; anything else goes through the
 * fatal decoder, so invalid UTF-8 traps as the spec requires.
 */
function liftString(label: string, buffer: ArrayBuffer, ptr: number, len: number): string {
  ptr >>>= 0;
  len >>>= 0;
  if (ptr + len > buffer.byteLength) trap(label, `string [${ptr}, +${len}) is outside guest memory (${buffer.byteLength} bytes)`);
  if (len <= 16) {
    const all = bytesOfBuffer(buffer);
    let s = '';
    let i = ptr;
    const end = ptr + len;
    for (; i < end; i++) {
      const c = all[i] as number;
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === end) return s;
  }
  try {
    return decoder.decode(new Uint8Array(buffer, ptr, len));
  } catch {
    return trap(label, `invalid UTF-8 in string at ${ptr} (${len} bytes)`);
  }
}

/** Byte length of the last string lowered by lowerString (a second return value without an allocation). */
const out = { len: 0 };

/** Reused encoding buffer for long strings; big one-off strings get their own. */
let scratch = new Uint8Array(4096);
const SCRATCH_KEEP = 1 << 20;

/**
 * Encodes `s` as UTF-8 into guest memory obtained from realloc, with an
 * exact-size allocation (the preview1 adapter's import allocator only
 * supports one allocation per call, never a shrink, as jco notes). Short
 * strings are measured in JS and written directly; long ones are encoded
 * natively into a scratch buffer first, which measures them for free, then
 * copied in one memcpy. Returns the pointer; the length is in `out.len`.
 */
function lowerString(label: string, s: unknown, realloc: Realloc, memory: WebAssemblyMemoryLike): number {
  if (typeof s !== 'string') throw badValue(label, 'a string', s);
  const n = s.length;
  if (n === 0) {
    out.len = 0;
    return 1; // any aligned in-bounds pointer will do for zero bytes (jco passes 1 without calling realloc)
  }
  if (n <= 12) {
    let len = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) len += 1;
      else if (c < 0x800) len += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        len += 4;
        i++;
      } else len += 3; // includes a lone surrogate, which the encoder writes as U+FFFD
    }
    const ptr = alloc(label, realloc, memory, 1, len);
    const all = bytesOfBuffer(memory.buffer);
    if (len === n) for (let i = 0; i < n; i++) all[ptr + i] = s.charCodeAt(i);
    else encoder.encodeInto(s, all.subarray(ptr, ptr + len));
    out.len = len;
    return ptr;
  }
  const worst = n * 3;
  let buf = scratch;
  if (buf.length < worst) {
    buf = new Uint8Array(worst);
    if (worst <= SCRATCH_KEEP) scratch = buf;
  }
  const len = encoder.encodeInto(s, buf).written;
  if (len > MAX_STRING_BYTES) throw badValue(label, 'a string under 2 GiB', `${len} bytes`);
  const ptr = alloc(label, realloc, memory, 1, len);
  new Uint8Array(memory.buffer, ptr, len).set(len === buf.length ? buf : buf.subarray(0, len));
  out.len = len;
  return ptr;
}

// ---- chars -------------------------------------------------------------------

function liftChar(label: string, code: number): string {
  code >>>= 0;
  if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) trap(label, `${code} is not a Unicode scalar value`);
  return String.fromCodePoint(code);
}

function lowerChar(label: string, v: unknown): number {
  if (typeof v === 'string') {
    const cp = v.codePointAt(0);
    if (cp !== undefined && v.length === (cp > 0xffff ? 2 : 1) && !(cp >= 0xd800 && cp < 0xe000)) return cp;
  }
  throw badValue(label, 'a char (a string of one Unicode scalar value)', v);
}

// ---- 64-bit integers ---------------------------------------------------------

/** s64 from the host: a bigint in range, or (as jco accepts) a safe-integer number. */
function lowerS64(label: string, v: unknown): bigint {
  if (typeof v === 'bigint') {
    if (BigInt.asIntN(64, v) === v) return v;
  } else if (Number.isSafeInteger(v)) return BigInt(v as number);
  throw badValue(label, 's64', v);
}

function lowerU64(label: string, v: unknown): bigint {
  if (typeof v === 'bigint') {
    if (v >= 0n && BigInt.asUintN(64, v) === v) return v;
  } else if (Number.isSafeInteger(v) && (v as number) >= 0) return BigInt(v as number);
  throw badValue(label, 'u64', v);
}

// ---- bit casts between joined variant slots (CanonicalABI "join") -------------

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

function f32ToBits(x: number): number {
  f32[0] = x;
  return i32[0] as number;
}
function bitsToF32(x: number): number {
  i32[0] = x;
  return f32[0] as number;
}
function f64ToBits(x: number): bigint {
  f64[0] = x;
  return i64[0] as bigint;
}
function bitsToF64(x: bigint): number {
  i64[0] = x;
  return f64[0] as number;
}

// ---- lists -------------------------------------------------------------------

type TypedArrayCtor = new (buffer: ArrayBuffer) => ArrayBufferView;

/** A copy (never a view: guest memory moves and is reused) of a list of numbers, as the typed array jco uses. */
function liftTyped(label: string, buffer: ArrayBuffer, ptr: number, len: number, size: number, Ctor: TypedArrayCtor): ArrayBufferView {
  ptr >>>= 0;
  len >>>= 0;
  const bytes = checkList(label, buffer, ptr, len, size, size);
  return new Ctor(buffer.slice(ptr, ptr + bytes));
}

/** Whether a host value can be lowered as a list: an array or any typed array (element-wise). */
function isListLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** The raw bytes of a typed array (or ArrayBuffer, for list<u8>) the host gave for a matching list type. */
function bytesOf(v: ArrayBufferView | ArrayBuffer): Uint8Array {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** The helpers the generated code may name, destructured by name into its scope. */
export const runtime = {
  trap,
  badValue,
  checkRange,
  checkList,
  alloc,
  liftString,
  lowerString,
  out,
  liftChar,
  lowerChar,
  lowerS64,
  lowerU64,
  f32ToBits,
  bitsToF32,
  f64ToBits,
  bitsToF64,
  liftTyped,
  isListLike,
  bytesOf,
  errorPayload,
  ComponentError,
  EMPTY_VIEW: new DataView(new ArrayBuffer(0)),
} as const;

export type Runtime = typeof runtime;
