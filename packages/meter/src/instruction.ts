/**
 * Decoding one instruction: its opcode, the length of its immediates, and the
 * two facts the rewriter acts on (its control-flow class, and for a bulk
 * operation, the unit its length operand counts in).
 *
 * Index immediates are checked where a wrong index would become right after
 * rewriting: a `local.*` index must name an existing local (we append a
 * scratch local, which would otherwise make `local.get N` valid), and a
 * `global.*` index must name an original global (we append the fuel global;
 * `global.set N` on it would let a guest refill its own fuel). Every other
 * index is copied verbatim and left to the engine's validator.
 */
import { BULK_GROW, BULK_MEMORY, BULK_TABLE } from './cost-model.js';
import {
  FC_FLOW,
  FC_IMM,
  FD_IMM,
  FLOW,
  FLOW_BULK,
  IMM,
  IMM_BLOCK,
  IMM_BR_TABLE,
  IMM_F32,
  IMM_F64,
  IMM_GLOBAL,
  IMM_INVALID,
  IMM_LANE,
  IMM_LOCAL,
  IMM_MEMARG,
  IMM_MEMARG_LANE,
  IMM_NONE,
  IMM_PREFIX_FC,
  IMM_PREFIX_FD,
  IMM_REFTYPE,
  IMM_S32,
  IMM_S64,
  IMM_SELECT_T,
  IMM_U32,
  IMM_U32X2,
  IMM_V128,
} from './opcodes.js';
import type { Reader } from './reader.js';
import { isRefType, isValType } from './types.js';

/** The decoder's output for the instruction just read (reused, never allocated per instruction). */
export class Decoded {
  /** FLOW_* class. */
  flow = 0;
  /** For FLOW_BULK: BULK_MEMORY, BULK_TABLE or BULK_GROW. */
  bulk = 0;
  /** The opcode byte (the prefix byte for prefixed instructions). */
  op = 0;
  /** For br and br_if: the label; for br_table: the largest label. */
  label = 0;
}

/** Bulk unit per 0xFC sub-opcode (memory.init/copy/fill count bytes, table.* elements). */
const FC_BULK: Record<number, number> = {
  8: BULK_MEMORY,
  10: BULK_MEMORY,
  11: BULK_MEMORY,
  12: BULK_TABLE,
  14: BULK_TABLE,
  15: BULK_TABLE,
  17: BULK_TABLE,
};

function memarg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // multi-memory: a memory index follows
  r.u32(); // offset
}

/**
 * Read one instruction at `r.pos` and its immediates into `d`.
 * `locals` and `globals` are the counts that indexes must stay below.
 */
export function decodeInstruction(r: Reader, d: Decoded, locals: number, globals: number): void {
  const at = r.pos;
  const op = r.u8();
  let imm = IMM[op]!;
  d.flow = FLOW[op]!;
  d.op = op;
  if (imm === IMM_NONE) return;
  if (imm === IMM_PREFIX_FC) {
    const sub = r.u32();
    imm = sub < FC_IMM.length ? FC_IMM[sub]! : IMM_INVALID;
    if (imm === IMM_INVALID) r.fail(`unknown instruction 0xfc ${sub}`, at);
    d.flow = FC_FLOW[sub]!;
    if (d.flow === FLOW_BULK) d.bulk = FC_BULK[sub]!;
  } else if (imm === IMM_PREFIX_FD) {
    const sub = r.u32();
    imm = sub < FD_IMM.length ? FD_IMM[sub]! : IMM_INVALID;
    if (imm === IMM_INVALID) r.fail(`unknown SIMD instruction 0xfd ${sub}`, at);
  } else if (op === 0x40) {
    d.bulk = BULK_GROW;
  }
  switch (imm) {
    case IMM_NONE:
      return;
    case IMM_U32:
      d.label = r.u32();
      return;
    case IMM_LOCAL: {
      const i = r.u32();
      if (i >= locals) r.fail(`local index ${i} out of range (${locals} locals)`, at);
      return;
    }
    case IMM_GLOBAL: {
      const i = r.u32();
      if (i >= globals) r.fail(`global index ${i} out of range (${globals} globals)`, at);
      return;
    }
    case IMM_BLOCK: {
      if (r.pos >= r.end) r.fail('unexpected end in a block type');
      const b = r.bytes[r.pos]!;
      if (b === 0x40 || isValType(b)) r.pos++;
      else if (r.sleb(33) < 0) r.fail('invalid block type', at + 1);
      return;
    }
    case IMM_BR_TABLE: {
      const n = r.count('br_table label');
      let max = 0;
      for (let i = 0; i <= n; i++) {
        const l = r.u32();
        if (l > max) max = l;
      }
      d.label = max;
      return;
    }
    case IMM_MEMARG:
      memarg(r);
      return;
    case IMM_MEMARG_LANE:
      memarg(r);
      r.skip(1);
      return;
    case IMM_S32:
      r.sleb(32);
      return;
    case IMM_S64:
      r.sleb(64);
      return;
    case IMM_F32:
      r.skip(4);
      return;
    case IMM_F64:
      r.skip(8);
      return;
    case IMM_V128:
      r.skip(16);
      return;
    case IMM_LANE:
      r.skip(1);
      return;
    case IMM_U32X2:
      r.u32();
      r.u32();
      return;
    case IMM_SELECT_T: {
      const n = r.count('select type');
      for (let i = 0; i < n; i++) if (!isValType(r.u8())) r.fail('invalid value type in select', r.pos - 1);
      return;
    }
    case IMM_REFTYPE:
      if (!isRefType(r.u8())) r.fail('invalid reference type', r.pos - 1);
      return;
    default:
      r.fail(`unknown instruction 0x${op.toString(16).padStart(2, '0')}`, at);
  }
}
