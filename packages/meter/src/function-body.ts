/**
 * Metering one function body: find its basic blocks, then copy it with a
 * charge at the start of each (the sequences are in fuel-code.ts).
 *
 * Where a block (a "segment": straight-line code charged up front) starts:
 *
 * - at function entry;
 * - right after `loop` (the loop header, target of every back edge);
 * - right after `if` and after `else` (each arm runs conditionally);
 * - right after every `end` but the function's last (a join point: a branch
 *   target of a `block`/`if`, or the fallthrough out of a `loop`);
 * - right after an unconditional transfer (`br`, `br_table`, `return`,
 *   `unreachable`, `return_call*`): the code up to the next `end`/`else` is
 *   dead, so it gets no charge at all.
 *
 * Where a segment does not end: at `block` (entered only by falling in), at
 * `br_if` (its fallthrough is prepaid; a taken branch overpays the rest of
 * the segment, a bounded and deterministic error), and at calls (the callee
 * charges for itself at its entry; the code after the call was prepaid).
 *
 * A segment's charge is the number of its non-structural instructions (see
 * cost-model.ts; the function's entry counts one more, for the call and its
 * return), subtracted at its start. The fuel is then *checked* (trap if below zero) at function
 * entry, at loop headers and after every bulk charge. Those are the only
 * places unbounded work can start: a back edge always lands on a loop header,
 * and recursion, `call_indirect` and tail calls always land on a function
 * entry. Between two checks a function runs straight-line code only, so a
 * trap comes at most one straight run (plus one per frame still to return)
 * after the fuel ran out; where it comes is deterministic.
 *
 * In a function with loops the fuel is kept in a new i64 local while it runs
 * and synced with the global around calls and exits; a function without
 * loops charges the global directly (fuel-code.ts says why and where).
 *
 * The scan is one forward pass with no recursion: nesting depth is a counter,
 * and the insertion points are parallel number arrays, so hostile nesting or
 * size costs linear time and memory.
 */
import { INSTRUCTION_COST } from './cost-model.js';
import { emitBulkCharge, emitCharge, emitCheckedCharge, emitLoad, emitStore, type FuelSlots } from './fuel-code.js';
import { Decoded, decodeInstruction } from './instruction.js';
import { FLOW_BLOCK, FLOW_BR_IF, FLOW_BULK, FLOW_CALL, FLOW_ELSE, FLOW_END, FLOW_IF, FLOW_JUMP, FLOW_LOOP } from './opcodes.js';
import type { Reader } from './reader.js';
import { I32, I64, isValType } from './types.js';
import type { Writer } from './writer.js';

/** Function-local limit of the JS embedding (params plus declared locals). */
export const MAX_LOCALS = 50_000;

/** Insertion kinds. */
const SEGMENT = 0; // charge `value` (skip if 0), no check
const CHECKED = 1; // charge `value`, then check
const DEAD = 2; // unreachable code: insert nothing
const BULK = 3; // bulk charge of kind `value` before the instruction
const ENTRY = 4; // load the fuel local, charge `value`, check
const STORE = 5; // write the fuel local back to the global
const LOAD = 6; // reload the fuel local from the global (after a call)

export interface BodyStats {
  instructions: number;
  charges: number;
  checks: number;
  bulk: number;
  syncs: number;
}

/** Reusable scratch state, so metering many functions allocates once. */
export class BodyMeter {
  private readonly at: number[] = [];
  private readonly kind: number[] = [];
  private readonly value: number[] = [];
  private readonly d = new Decoded();
  private readonly slots: FuelSlots;
  readonly stats: BodyStats = { instructions: 0, charges: 0, checks: 0, bulk: 0, syncs: 0 };

  constructor(
    fuelGlobal: number,
    private readonly globals: number,
  ) {
    this.slots = { global: fuelGlobal, local: 0 };
  }

  /**
   * Read the body in `r` (its window is exactly the body, after the size) and
   * write the metered body, without its size prefix, to `w`.
   */
  meter(r: Reader, params: number, w: Writer): void {
    const { at, kind, value, d } = this;
    at.length = 0;
    kind.length = 0;
    value.length = 0;

    // Locals: a vector of (count, type) runs. Params come first in the index space.
    const localsStart = r.pos;
    const runs = r.count('local declaration', 2);
    const runsStart = r.pos;
    let locals = params;
    for (let i = 0; i < runs; i++) {
      const n = r.u32();
      const t = r.u8();
      if (!isValType(t)) r.fail(`invalid local type 0x${t.toString(16)}`, r.pos - 1);
      locals += n;
      if (locals > 0xffffffff) r.fail('too many locals');
    }
    const codeStart = r.pos;

    // Scan: record where each segment starts; fill in its cost when it ends.
    let seg = 0;
    let cost = 0;
    let depth = 1;
    let instructions = 0;
    let needsScratch = false;
    let hasLoop = false;
    const open = (k: number): void => {
      seg = at.length;
      at.push(r.pos);
      kind.push(k);
      value.push(0);
      cost = 0;
    };
    const insert = (pos: number, k: number, v = 0): void => {
      if (kind[seg] === DEAD) return;
      at.push(pos);
      kind.push(k);
      value.push(v);
    };
    open(ENTRY);
    // The call itself (its return, however it returns) costs a unit, paid at
    // entry: every call costs at least one, zero fuel runs nothing, and the
    // final `end` needs no charge of its own.
    cost = INSTRUCTION_COST;
    for (;;) {
      const pos = r.pos;
      decodeInstruction(r, d, locals, this.globals);
      instructions++;
      const flow = d.flow;
      if (flow === 0) {
        cost += INSTRUCTION_COST;
        continue;
      }
      switch (flow) {
        case FLOW_BLOCK:
          depth++;
          break;
        case FLOW_LOOP:
          depth++;
          hasLoop = true;
          value[seg] = cost;
          open(CHECKED);
          break;
        case FLOW_IF:
          depth++;
          value[seg] = cost + INSTRUCTION_COST;
          open(SEGMENT);
          break;
        case FLOW_ELSE:
          value[seg] = cost;
          open(SEGMENT);
          break;
        case FLOW_END:
          depth--;
          value[seg] = cost;
          if (depth === 0) {
            insert(pos, STORE);
            if (r.pos !== r.end) r.fail(`function body has ${r.end - r.pos} bytes after its final end`);
          } else {
            open(SEGMENT);
          }
          break;
        case FLOW_CALL:
          cost += INSTRUCTION_COST;
          insert(pos, STORE);
          insert(r.pos, LOAD);
          break;
        case FLOW_BR_IF:
          cost += INSTRUCTION_COST;
          if (d.label >= depth - 1) insert(pos, STORE);
          break;
        case FLOW_JUMP: {
          // return, return_call*, unreachable always leave; br/br_table when
          // they name the function's own label.
          const op = d.op;
          if (op === 0x0c || op === 0x0e ? d.label >= depth - 1 : true) insert(pos, STORE);
          value[seg] = cost + INSTRUCTION_COST;
          open(DEAD);
          break;
        }
        case FLOW_BULK:
          cost += INSTRUCTION_COST;
          if (kind[seg] !== DEAD) needsScratch = true;
          insert(pos, BULK, d.bulk);
          break;
        default:
          cost += INSTRUCTION_COST;
      }
      if (depth === 0) break;
      if (r.pos >= r.end) r.fail('function body ends without its final end');
    }

    // Emit: locals plus the fuel local (i64, only with loops: see
    // fuel-code.ts) and, if a bulk charge needs it, an i32 scratch; then the
    // code with the insertions spliced in.
    const direct = !hasLoop;
    const added = (direct ? 0 : 1) + (needsScratch ? 1 : 0);
    if (locals + added > MAX_LOCALS)
      r.fail(`function has ${locals} locals; metering needs ${added} more and the limit is ${MAX_LOCALS}`, localsStart);
    const src = r.bytes;
    if (added === 0) {
      w.bytes(src, localsStart, codeStart);
    } else {
      w.u32(runs + added);
      w.bytes(src, runsStart, codeStart);
    }
    if (!direct) {
      w.u8(1);
      w.u8(I64);
    }
    if (needsScratch) {
      w.u8(1);
      w.u8(I32);
    }
    const slots = this.slots;
    slots.local = direct ? -1 : locals;
    const scratch = direct ? locals : locals + 1;
    const stats = this.stats;
    let cursor = codeStart;
    for (let i = 0; i < at.length; i++) {
      const k = kind[i]!;
      if (k === DEAD || (direct && (k === STORE || k === LOAD))) continue;
      const v = value[i]!;
      if (k === SEGMENT && v === 0) continue;
      const p = at[i]!;
      w.bytes(src, cursor, p);
      cursor = p;
      switch (k) {
        case SEGMENT:
          emitCharge(w, slots, v);
          stats.charges++;
          break;
        case ENTRY:
          if (!direct) emitLoad(w, slots);
          emitCheckedCharge(w, slots, v);
          stats.charges++;
          stats.checks++;
          break;
        case CHECKED:
          emitCheckedCharge(w, slots, v);
          if (v) stats.charges++;
          stats.checks++;
          break;
        case BULK:
          emitBulkCharge(w, slots, scratch, v);
          stats.bulk++;
          stats.checks++;
          break;
        case STORE:
          emitStore(w, slots);
          stats.syncs++;
          break;
        case LOAD:
          emitLoad(w, slots);
          stats.syncs++;
          break;
      }
    }
    w.bytes(src, cursor, r.end);
    stats.instructions += instructions;
    r.pos = r.end;
  }
}
