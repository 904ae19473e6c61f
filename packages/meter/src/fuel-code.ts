/**
 * The instruction sequences the rewriter inserts.
 *
 * The fuel remaining lives in the module's fuel global `$G` between calls,
 * and in a per-function i64 local `$f` while a function runs: V8 keeps a
 * local in a register, while every access to a mutable global is a memory
 * access through the instance (an i64 global charged on every loop header
 * measured 4× slower than the same loop with a local, which is ~1.02×). So a
 * function loads `$G` into `$f` at entry, charges and checks `$f`, and writes
 * it back wherever control can leave the function or another function can see
 * `$G`: before calls (reloading after), returns, tail calls, branches to the
 * function's outermost label, the function's final `end`, explicit
 * `unreachable`, and every fuel trap. (Wasmtime's fuel works the same way.)
 *
 * The syncs cost more than they save in a function without loops (fib's
 * metered/plain ratio went from 2.65× with a local to ~2× without), so such
 * functions run in *direct mode*: the same sequences with `global.get/set $G`
 * in place of the local, and no syncs.
 *
 *   load:     global.get $G  local.set $f
 *   store:    local.get $f   global.set $G
 *   charge c: local.get $f  i64.const c  i64.sub  local.set $f
 *   checked:  local.get $f  i64.const c  i64.sub  local.tee $f
 *             i64.const 0  i64.lt_s  if  store  unreachable  end
 *   bulk:     local.tee $n  local.get $f  local.get $n  i64.extend_i32_u
 *             [i64.const k  i64.shl|i64.shr_u]  i64.sub  local.tee $f
 *             i64.const 0  i64.lt_s  if  store  unreachable  end
 *
 * Each is stack-neutral (bulk keeps its operand where it was), so it can go
 * at any instruction boundary, including unreachable code, without changing
 * what the validator sees. The only new label is the `if` of a check, which
 * encloses nothing of the guest's, so guest branch depths are unchanged.
 */
import { bulkShift } from './cost-model.js';
import type { Writer } from './writer.js';

const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I64_CONST = 0x42;
const I64_SUB = 0x7d;
const I64_LT_S = 0x53;
const I64_SHL = 0x86;
const I64_SHR_U = 0x88;
const I64_EXTEND_I32_U = 0xad;
const IF = 0x04;
const EMPTY = 0x40;
const UNREACHABLE = 0x00;
const END = 0x0b;

/**
 * Indexes of the fuel global and the current function's fuel local; `local`
 * is -1 in direct mode, where charges go straight to the global (used for
 * functions without loops, see function-body.ts).
 */
export interface FuelSlots {
  global: number;
  local: number;
}

function get(w: Writer, s: FuelSlots): void {
  if (s.local < 0) {
    w.u8(GLOBAL_GET);
    w.u32(s.global);
  } else {
    w.u8(LOCAL_GET);
    w.u32(s.local);
  }
}

function set(w: Writer, s: FuelSlots): void {
  if (s.local < 0) {
    w.u8(GLOBAL_SET);
    w.u32(s.global);
  } else {
    w.u8(LOCAL_SET);
    w.u32(s.local);
  }
}

/** Set the fuel and leave the new value on the stack. */
function tee(w: Writer, s: FuelSlots): void {
  if (s.local < 0) {
    set(w, s);
    get(w, s);
  } else {
    w.u8(LOCAL_TEE);
    w.u32(s.local);
  }
}

export function emitLoad(w: Writer, s: FuelSlots): void {
  w.u8(GLOBAL_GET);
  w.u32(s.global);
  w.u8(LOCAL_SET);
  w.u32(s.local);
}

export function emitStore(w: Writer, s: FuelSlots): void {
  w.u8(LOCAL_GET);
  w.u32(s.local);
  w.u8(GLOBAL_SET);
  w.u32(s.global);
}

export function emitCharge(w: Writer, s: FuelSlots, cost: number): void {
  get(w, s);
  w.u8(I64_CONST);
  w.sleb(cost);
  w.u8(I64_SUB);
  set(w, s);
}

/** The tail of a check: the new fuel is on the stack; trap (after a store) if negative. */
function emitTrapIfNegative(w: Writer, s: FuelSlots): void {
  w.u8(I64_CONST);
  w.u8(0);
  w.u8(I64_LT_S);
  w.u8(IF);
  w.u8(EMPTY);
  if (s.local >= 0) emitStore(w, s);
  w.u8(UNREACHABLE);
  w.u8(END);
}

/** Charge `cost` (may be 0) and trap if the fuel is now below zero. */
export function emitCheckedCharge(w: Writer, s: FuelSlots, cost: number): void {
  get(w, s);
  if (cost !== 0) {
    w.u8(I64_CONST);
    w.sleb(cost);
    w.u8(I64_SUB);
    tee(w, s);
  }
  emitTrapIfNegative(w, s);
}

/** Charge for the i32 operand on top of the stack, keeping it there (via `scratch`), then check. */
export function emitBulkCharge(w: Writer, s: FuelSlots, scratch: number, kind: number): void {
  w.u8(LOCAL_TEE);
  w.u32(scratch);
  get(w, s);
  w.u8(LOCAL_GET);
  w.u32(scratch);
  w.u8(I64_EXTEND_I32_U);
  const shift = bulkShift(kind);
  if (shift !== 0) {
    w.u8(I64_CONST);
    w.u8(Math.abs(shift));
    w.u8(shift > 0 ? I64_SHL : I64_SHR_U);
  }
  w.u8(I64_SUB);
  tee(w, s);
  emitTrapIfNegative(w, s);
}
