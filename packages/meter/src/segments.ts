/**
 * Element and data sections, read only to check them: they are copied
 * verbatim, but their constant expressions may name globals (see
 * const-expr.ts), and a malformed one must not slip through.
 */
import { skipConstExpr } from './const-expr.js';
import type { Reader } from './reader.js';

function skipIndexes(r: Reader): void {
  const n = r.count('element index');
  for (let i = 0; i < n; i++) r.u32();
}

function skipExprs(r: Reader, globals: number): void {
  const n = r.count('element expression');
  for (let i = 0; i < n; i++) skipConstExpr(r, globals);
}

export function checkElements(r: Reader, globals: number): void {
  const n = r.count('element segment', 2);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const flags = r.u32();
    if (flags > 7) r.fail(`invalid element segment flags ${flags}`, at);
    if (flags === 2 || flags === 6) r.u32(); // table index
    if ((flags & 1) === 0) skipConstExpr(r, globals); // active: offset
    if (flags !== 0 && flags !== 4) r.u8(); // element kind or reference type
    if (flags & 4) skipExprs(r, globals);
    else skipIndexes(r);
  }
  r.expectEnd('element section');
}

export function checkData(r: Reader, globals: number): void {
  const n = r.count('data segment', 2);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const flags = r.u32();
    if (flags > 2) r.fail(`invalid data segment flags ${flags}`, at);
    if (flags === 2) r.u32(); // memory index
    if (flags !== 1) skipConstExpr(r, globals);
    r.skip(r.count('data byte'));
  }
  r.expectEnd('data section');
}
