/**
 * What follows each opcode, and what it does to control flow.
 *
 * The rewriter never interprets an instruction; it only needs to know how many
 * bytes its immediates take (to find the next instruction) and whether it
 * starts or ends a basic block. These tables say exactly that for every opcode
 * of the feature set we support: MVP, sign extension, saturating float-to-int,
 * multi-value, bulk memory, reference types, mutable globals, fixed-width SIMD,
 * tail calls and multi-memory memory immediates. Anything not listed is
 * `IMM_INVALID`: we refuse to guess how long an unknown instruction is,
 * because a wrong guess would insert metering code in the middle of one.
 *
 * Not supported (rejected as unknown opcodes, to add deliberately later):
 * exception handling (0x06-0x0a, 0x18, 0x19, 0x1f), typed function references
 * and GC (0x14, 0x15, 0xd3-0xd6, 0xfb), threads (0xfe), relaxed SIMD
 * (0xfd 0x100-0x113), memory64 (its 64-bit limits are rejected instead).
 */

/** Immediate kinds. */
export const IMM_NONE = 0;
/** One u32 LEB128 (a label, function, table, data, element or memory index). */
export const IMM_U32 = 1;
/** A local index, checked against the function's locals. */
export const IMM_LOCAL = 2;
/** A global index, checked against the module's original globals. */
export const IMM_GLOBAL = 3;
/** A block type: 0x40, one value type byte, or an s33 type index. */
export const IMM_BLOCK = 4;
export const IMM_BR_TABLE = 5;
/** Alignment (bit 6 says a memory index follows: multi-memory), offset. */
export const IMM_MEMARG = 6;
export const IMM_S32 = 7;
export const IMM_S64 = 8;
export const IMM_F32 = 9;
export const IMM_F64 = 10;
/** `select t*`: a vector of value types. */
export const IMM_SELECT_T = 11;
/** `ref.null t`: one reference type byte. */
export const IMM_REFTYPE = 12;
export const IMM_U32X2 = 13;
export const IMM_INVALID = 14;
export const IMM_PREFIX_FC = 15;
export const IMM_PREFIX_FD = 16;
/** SIMD load/store lane: a memarg then a lane index byte. */
export const IMM_MEMARG_LANE = 17;
/** 16 raw bytes: `v128.const`, `i8x16.shuffle`. */
export const IMM_V128 = 18;
/** One lane index byte. */
export const IMM_LANE = 19;

/** Control-flow classes. */
export const FLOW_NONE = 0;
export const FLOW_BLOCK = 1;
export const FLOW_LOOP = 2;
export const FLOW_IF = 3;
export const FLOW_ELSE = 4;
export const FLOW_END = 5;
/** Control never falls through: br, br_table, return, unreachable, return_call*. */
export const FLOW_JUMP = 6;
/** A bulk operation whose top-of-stack i32 operand is a length (see cost-model.ts). */
export const FLOW_BULK = 7;
/** `call`, `call_indirect`: another function runs and sees the fuel global. */
export const FLOW_CALL = 8;
/** `br_if`: falls through when not taken, but may leave the function. */
export const FLOW_BR_IF = 9;

/** Immediate kind per single-byte opcode. */
export const IMM = new Uint8Array(256).fill(IMM_INVALID);
/** Control-flow class per single-byte opcode. */
export const FLOW = new Uint8Array(256);

function set(from: number, to: number, imm: number, flow = FLOW_NONE): void {
  for (let op = from; op <= to; op++) {
    IMM[op] = imm;
    FLOW[op] = flow;
  }
}

set(0x00, 0x00, IMM_NONE, FLOW_JUMP); // unreachable
set(0x01, 0x01, IMM_NONE); // nop
set(0x02, 0x02, IMM_BLOCK, FLOW_BLOCK);
set(0x03, 0x03, IMM_BLOCK, FLOW_LOOP);
set(0x04, 0x04, IMM_BLOCK, FLOW_IF);
set(0x05, 0x05, IMM_NONE, FLOW_ELSE);
set(0x0b, 0x0b, IMM_NONE, FLOW_END);
set(0x0c, 0x0c, IMM_U32, FLOW_JUMP); // br
set(0x0d, 0x0d, IMM_U32, FLOW_BR_IF);
set(0x0e, 0x0e, IMM_BR_TABLE, FLOW_JUMP);
set(0x0f, 0x0f, IMM_NONE, FLOW_JUMP); // return
set(0x10, 0x10, IMM_U32, FLOW_CALL);
set(0x11, 0x11, IMM_U32X2, FLOW_CALL); // call_indirect type table
set(0x12, 0x12, IMM_U32, FLOW_JUMP); // return_call
set(0x13, 0x13, IMM_U32X2, FLOW_JUMP); // return_call_indirect
set(0x1a, 0x1b, IMM_NONE); // drop, select
set(0x1c, 0x1c, IMM_SELECT_T);
set(0x20, 0x22, IMM_LOCAL); // local.get/set/tee
set(0x23, 0x24, IMM_GLOBAL); // global.get/set
set(0x25, 0x26, IMM_U32); // table.get/set
set(0x28, 0x3e, IMM_MEMARG); // loads and stores
set(0x3f, 0x3f, IMM_U32); // memory.size memidx
set(0x40, 0x40, IMM_U32, FLOW_BULK); // memory.grow memidx
set(0x41, 0x41, IMM_S32);
set(0x42, 0x42, IMM_S64);
set(0x43, 0x43, IMM_F32);
set(0x44, 0x44, IMM_F64);
set(0x45, 0xc4, IMM_NONE); // numeric, conversions, sign extension
set(0xd0, 0xd0, IMM_REFTYPE); // ref.null
set(0xd1, 0xd1, IMM_NONE); // ref.is_null
set(0xd2, 0xd2, IMM_U32); // ref.func
set(0xfc, 0xfc, IMM_PREFIX_FC);
set(0xfd, 0xfd, IMM_PREFIX_FD);

/** 0xFC sub-opcodes 0..17: immediates and control class. */
export const FC_IMM = Uint8Array.from([
  ...[0, 1, 2, 3, 4, 5, 6, 7].map(() => IMM_NONE), // i32/i64.trunc_sat_f32/f64_s/u
  IMM_U32X2, // 8 memory.init data mem
  IMM_U32, // 9 data.drop
  IMM_U32X2, // 10 memory.copy dst src
  IMM_U32, // 11 memory.fill mem
  IMM_U32X2, // 12 table.init elem table
  IMM_U32, // 13 elem.drop
  IMM_U32X2, // 14 table.copy dst src
  IMM_U32, // 15 table.grow
  IMM_U32, // 16 table.size
  IMM_U32, // 17 table.fill
]);
export const FC_FLOW = Uint8Array.from([
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  FLOW_BULK,
  0,
  FLOW_BULK,
  FLOW_BULK,
  FLOW_BULK,
  0,
  FLOW_BULK,
  FLOW_BULK,
  0,
  FLOW_BULK,
]);

/** 0xFD (SIMD) sub-opcodes 0..255: immediates; unassigned ones are invalid. */
export const FD_IMM = new Uint8Array(256).fill(IMM_NONE);
for (let op = 0x00; op <= 0x0b; op++) FD_IMM[op] = IMM_MEMARG; // v128.load*, splats, v128.store
FD_IMM[0x0c] = IMM_V128; // v128.const
FD_IMM[0x0d] = IMM_V128; // i8x16.shuffle: 16 lane indexes
for (let op = 0x15; op <= 0x22; op++) FD_IMM[op] = IMM_LANE; // extract/replace_lane
for (let op = 0x54; op <= 0x5b; op++) FD_IMM[op] = IMM_MEMARG_LANE; // load/store*_lane
FD_IMM[0x5c] = IMM_MEMARG; // v128.load32_zero
FD_IMM[0x5d] = IMM_MEMARG; // v128.load64_zero
for (const op of [0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee]) {
  FD_IMM[op] = IMM_INVALID; // gaps left by removed proposals
}
