/**
 * Value types of the supported feature set (MVP numbers, v128, funcref,
 * externref). Typed references (0x63/0x64) and GC types are not supported and
 * are rejected wherever a value type is read.
 */
export function isValType(b: number): boolean {
  return (b >= 0x7b && b <= 0x7f) || b === 0x70 || b === 0x6f;
}

export function isRefType(b: number): boolean {
  return b === 0x70 || b === 0x6f;
}

export const I32 = 0x7f;
export const I64 = 0x7e;
