/**
 * What things cost, in fuel units. One place, so the host's limits and the
 * tests agree on what a unit means.
 *
 * A unit is about one Wasm instruction. Structural markers that compile to no
 * machine code (`block`, `loop`, `else`, `end`) are free; every other
 * instruction costs 1, including `nop`, `if`, branches and calls, and entering a
 * function costs 1 more (for the call and its return, charged with the entry
 * block), so every call costs at least 1.
 *
 * Bulk operations do work proportional to an operand, so on top of their one
 * unit they are charged for that operand before they run (the operand is the
 * i32 on top of the stack: the length for memory.fill/copy/init and
 * table.fill/copy/init, the delta for memory.grow and table.grow):
 *
 * - memory bytes: 1 unit per 16 bytes (`len >> 4`), about what a vectorised
 *   copy loop written in Wasm would cost per instruction;
 * - memory.grow: 4096 units per 64 KiB page (`delta << 12`), the same rate
 *   for the zeroed bytes a page brings, charged even when the grow fails;
 * - table elements: 1 unit per element.
 */

export const BULK_MEMORY = 1;
export const BULK_TABLE = 2;
export const BULK_GROW = 3;

/** Shift applied to the operand: positive = left (multiply), negative = right (divide). */
export function bulkShift(kind: number): number {
  return kind === BULK_MEMORY ? -4 : kind === BULK_GROW ? 12 : 0;
}

/** Fuel units for one non-structural instruction. */
export const INSTRUCTION_COST = 1;
