/**
 * A cursor over module bytes that refuses anything the binary format refuses.
 *
 * Every read checks the end of its window (a section, a function body) and
 * throws `WASM_INVALID` with the byte offset instead of reading past it, so a
 * truncated or lying size field surfaces as a typed error, never as `undefined`
 * arithmetic. LEB128 reads are as strict as the spec: at most ⌈N/7⌉ bytes for
 * an N-bit value, and the unused bits of the last byte must be zero (for
 * signed values: copies of the sign bit). An engine rejects those encodings;
 * if we accepted them we could re-encode an invalid field as a valid one.
 *
 * Vector counts are checked against the bytes left (`count`): a 4-byte module
 * cannot announce four billion entries and make us loop or allocate for them.
 */
import { invalid } from './errors.js';

export class Reader {
  pos: number;
  end: number;

  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    end = bytes.length,
  ) {
    this.pos = pos;
    this.end = end;
  }

  /** Bytes left in the current window. */
  get left(): number {
    return this.end - this.pos;
  }

  fail(message: string, at = this.pos): never {
    throw invalid(at, message);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.bytes[this.pos++]!;
  }

  /** Skip `n` raw bytes (a float immediate, a lane index list, a name). */
  skip(n: number): void {
    if (n > this.end - this.pos) this.fail(`unexpected end: ${n} bytes needed, ${this.end - this.pos} left`);
    this.pos += n;
  }

  /** Unsigned 32-bit LEB128: at most 5 bytes, the 5th carrying only 4 bits. */
  u32(): number {
    const b = this.bytes;
    let p = this.pos;
    const end = this.end;
    if (p < end) {
      const x = b[p]!;
      if (x < 0x80) {
        this.pos = p + 1;
        return x;
      }
    }
    const start = p;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (p >= end) this.fail('unexpected end inside a LEB128 number', start);
      const x = b[p++]!;
      if (shift === 28) {
        if (x & 0xf0) this.fail('integer too large (u32 LEB128 overflow)', start);
        result += x * 0x10000000;
        break;
      }
      result |= (x & 0x7f) << shift;
      if (x < 0x80) break;
      shift += 7;
    }
    this.pos = p;
    return result >>> 0;
  }

  /** Signed LEB128 of `bits` (32, 33 or 64) bits; the value only matters for s32/s33. */
  sleb(bits: 32 | 33 | 64): number {
    const b = this.bytes;
    let p = this.pos;
    const end = this.end;
    const start = p;
    const maxBytes = Math.ceil(bits / 7);
    let result = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (p >= end) this.fail('unexpected end inside a LEB128 number', start);
      const x = b[p++]!;
      if (i === maxBytes - 1) {
        // The last permitted byte: no continuation, and the bits above the
        // value's top (sign) bit must all be copies of it: 0x00/0x7f for s64.
        if (x & 0x80) this.fail(`integer too large (s${bits} LEB128 overflow)`, start);
        const used = bits - 7 * i; // value bits in this byte, 1..7
        const top = x >> (used - 1); // the sign bit and the bits above it
        if (top !== 0 && top !== (1 << (8 - used)) - 1) this.fail(`integer too large (s${bits} LEB128 overflow)`, start);
        result += (x & 0x7f) * mul;
        if (x & 0x40) result -= 128 * mul;
        break;
      }
      result += (x & 0x7f) * mul;
      if (x < 0x80) {
        if (x & 0x40) result -= 128 * mul;
        break;
      }
      mul *= 128;
    }
    this.pos = p;
    return result;
  }

  /**
   * A vector count: each entry takes at least `minBytes` bytes, so a count
   * larger than the bytes left divided by that cannot be honest.
   */
  count(what: string, minBytes = 1): number {
    const at = this.pos;
    const n = this.u32();
    if (n * minBytes > this.end - this.pos) this.fail(`${what} count ${n} exceeds the ${this.end - this.pos} bytes left`, at);
    return n;
  }

  /** A name: a byte vector. UTF-8 validity is the engine's to check; we copy names verbatim. */
  name(): { start: number; end: number } {
    const n = this.count('name length');
    const start = this.pos;
    this.pos += n;
    return { start, end: this.pos };
  }

  expectEnd(what: string): void {
    if (this.pos !== this.end) this.fail(`${what}: ${this.end - this.pos} unexpected bytes at its end`);
  }
}
