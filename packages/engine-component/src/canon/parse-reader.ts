/**
 * A bounds-checked cursor over a component binary: the LEB128 integers,
 * names and vectors every production of the binary format is built from.
 *
 * The parser trusts nothing in the input. Every read checks against `end`,
 * the end of the innermost enclosing section (or of the file), so a bogus
 * length fails at once as WASM_INVALID instead of reading into the next
 * section, allocating gigabytes or looping. Every error names the absolute
 * byte offset where the input went wrong, like a compiler's line:column.
 */

import { AirlockError } from '@airlock/core';

/** Nested component and type definitions recurse; cap them so a crafted file cannot overflow the stack. */
const MAX_DEPTH = 100;

/** `fatal` rejects bad UTF-8; `ignoreBOM` keeps a leading U+FEFF as part of the name instead of eating it. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class Reader {
  readonly bytes: Uint8Array;
  /** Offset of the next unread byte. */
  pos = 0;
  /** Reads stop here: the end of the current section (the parser narrows and restores it). */
  end: number;
  private depth = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.end = bytes.length;
  }

  fail(message: string, at: number = this.pos): never {
    throw new AirlockError('WASM_INVALID', `invalid component binary: ${message} (at byte offset ${at})`, {
      details: { offset: at },
    });
  }

  /** Throws unless `n` more bytes are available before `end`. */
  need(n: number): void {
    if (n > this.end - this.pos) {
      const where = this.end === this.bytes.length ? 'the input' : 'the enclosing section';
      this.fail(`unexpected end: ${n} byte(s) needed but ${where} ends at byte offset ${this.end}`);
    }
  }

  u8(): number {
    if (this.pos >= this.end) this.need(1);
    return this.bytes[this.pos++] as number;
  }

  /** One byte that must be `expected` (a fixed opcode or a reserved 0x00). */
  expect(expected: number, what: string): void {
    const at = this.pos;
    const b = this.u8();
    if (b !== expected) this.fail(`${what}: expected 0x${hex(expected)}, found 0x${hex(b)}`, at);
  }

  /** `<T>?`: 0x00 when absent, 0x01 when a `T` follows. */
  optional(what: string): boolean {
    const at = this.pos;
    const b = this.u8();
    if (b === 0x01) return true;
    if (b !== 0x00) this.fail(`${what}: expected 0x00 (absent) or 0x01 (present), found 0x${hex(b)}`, at);
    return false;
  }

  /** Unsigned LEB128, at most 5 bytes, value < 2^32 (the 5th byte may carry only 4 bits). */
  u32(): number {
    const { bytes } = this;
    if (this.pos < this.end) {
      const b = bytes[this.pos] as number;
      if (b < 0x80) {
        this.pos++;
        return b;
      }
    }
    const start = this.pos;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = this.u8();
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    const last = this.u8();
    if (last > 0x0f) this.fail('u32 LEB128 is too long or out of range', start);
    return (result >>> 0) + last * 0x10000000;
  }

  /** Skips an unsigned LEB128 of up to 64 bits (core memory/table limits, which may be 64-bit). */
  skipU64(): void {
    const start = this.pos;
    for (let i = 0; i < 9; i++) if (this.u8() < 0x80) return;
    if (this.u8() > 0x01) this.fail('u64 LEB128 is too long or out of range', start);
  }

  /**
   * A vector's element count. Every element of every vector in the format
   * takes at least one byte, so a count above the remaining bytes is a lie:
   * reject it before anyone loops or allocates on it.
   */
  count(what: string): number {
    const at = this.pos;
    const n = this.u32();
    if (n > this.end - this.pos) this.fail(`${what} count ${n} exceeds the ${this.end - this.pos} remaining byte(s)`, at);
    return n;
  }

  /** A `core:name`: u32 byte length, then that many bytes of valid UTF-8. */
  name(): string {
    const len = this.u32();
    this.need(len);
    const start = this.pos;
    this.pos += len;
    // The native decoder beats a byte loop even for short ASCII names,
    // most of all on the first (not yet optimised) parse of a process.
    try {
      return utf8.decode(this.bytes.subarray(start, this.pos));
    } catch {
      return this.fail('name is not valid UTF-8', start);
    }
  }

  /** A view (not a copy) of the next `len` bytes. */
  view(len: number): Uint8Array {
    this.need(len);
    const start = this.pos;
    this.pos += len;
    return this.bytes.subarray(start, this.pos);
  }

  /** Call around every recursive production; `leave` when it returns. */
  enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  leave(): void {
    this.depth--;
  }
}

export function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
