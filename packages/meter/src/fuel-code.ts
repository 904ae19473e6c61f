/**
 * The instruction sequences the rewriter inserts. Each is stack-neutral
 * (consumes nothing it did not push, leaves nothing), so it can go at any
 * instruction boundary, including unreachable code, without changing the
 * types the validator sees. The only new label is the `if` of a check, which
 * encloses nothing of the guest's, so guest branch depths are unchanged.
 *
 *   charge c:  global.get $fuel  i64.const c  i64.sub  global.set $fuel
 *   check:     global.get $fuel  i64.const 0  i64.lt_s  if  unreachable  end
 *   bulk:      local.tee $n  global.get $fuel  local.get $n  i64.extend_i32_u
 *              [i64.const k  i64.shl|i64.shr_u]  i64.sub  global.set $fuel
 *              check
 *
 * `$fuel` holds the fuel remaining; running out means it went below zero.
 */
import { bulkShift } from './cost-model.js';
import type { Writer } from './writer.js';

const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const LOCAL_GET = 0x20;
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

export function emitCharge(w: Writer, fuel: number, cost: number): void {
  w.u8(GLOBAL_GET);
  w.u32(fuel);
  w.u8(I64_CONST);
  w.sleb(cost);
  w.u8(I64_SUB);
  w.u8(GLOBAL_SET);
  w.u32(fuel);
}

export function emitCheck(w: Writer, fuel: number): void {
  w.u8(GLOBAL_GET);
  w.u32(fuel);
  w.u8(I64_CONST);
  w.u8(0);
  w.u8(I64_LT_S);
  w.u8(IF);
  w.u8(EMPTY);
  w.u8(UNREACHABLE);
  w.u8(END);
}

/** Charge for the i32 operand on top of the stack, keeping it there (via `scratch`). */
export function emitBulkCharge(w: Writer, fuel: number, scratch: number, kind: number): void {
  w.u8(LOCAL_TEE);
  w.u32(scratch);
  w.u8(GLOBAL_GET);
  w.u32(fuel);
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
  w.u8(GLOBAL_SET);
  w.u32(fuel);
  emitCheck(w, fuel);
}
