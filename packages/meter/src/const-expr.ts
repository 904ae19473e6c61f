/**
 * Constant expressions (global initialisers, segment offsets, element
 * items): read to their `end`, checking every `global.get` index against the
 * original global count, because the fuel global we append would otherwise
 * become a valid target of an out-of-range index.
 */
import { Decoded, decodeInstruction } from './instruction.js';
import { FLOW_END, FLOW_NONE } from './opcodes.js';
import type { Reader } from './reader.js';

const d = new Decoded();

export function skipConstExpr(r: Reader, globals: number): void {
  for (;;) {
    const at = r.pos;
    decodeInstruction(r, d, 0, globals);
    const f = d.flow;
    if (f === FLOW_END) return;
    if (f !== FLOW_NONE) r.fail('not a constant instruction', at);
  }
}
