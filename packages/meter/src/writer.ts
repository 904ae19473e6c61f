/**
 * A growable byte buffer with the LEB128 encoders the rewriter needs.
 *
 * It doubles its backing array when full, so appending is amortised O(1) and
 * a rewrite costs one final copy (`finish`). Encodings are canonical (the
 * shortest form); the rewriter only re-encodes counts, sizes, limits and its
 * own constants, and copies everything else verbatim with `bytes`.
 */
export class Writer {
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(x: number): void {
    if (this.len >= this.buf.length) this.reserve(1);
    this.buf[this.len++] = x;
  }

  /** Unsigned LEB128 of a value in [0, 2^32). */
  u32(x: number): void {
    this.reserve(5);
    const b = this.buf;
    let v = x >>> 0;
    while (v >= 0x80) {
      b[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.len++] = v;
  }

  /** Signed LEB128 of a safe integer (any sign, up to 2^53 in magnitude). */
  sleb(x: number): void {
    this.reserve(10);
    let v = x;
    for (;;) {
      const low = ((v % 128) + 128) % 128; // the low 7 bits, two's complement
      v = (v - low) / 128;
      const done = (v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0);
      this.buf[this.len++] = done ? low : low | 0x80;
      if (done) return;
    }
  }

  /** Signed LEB128 of a bigint (an i64 constant). */
  slebBig(x: bigint): void {
    let v = x;
    for (;;) {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (low & 0x40) === 0) || (v === -1n && (low & 0x40) !== 0);
      this.u8(done ? low : low | 0x80);
      if (done) return;
    }
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.reserve(n);
    const b = this.buf;
    let o = this.len;
    if (n < 64) {
      // Most copies are the few bytes between two insertions: a loop beats
      // allocating a subarray view for each.
      for (let i = start; i < end; i++) b[o++] = src[i]!;
    } else {
      b.set(src.subarray(start, end), o);
      o += n;
    }
    this.len = o;
  }

  /** A copy of what was written, exactly `len` bytes long. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** How many bytes `Writer.u32(x)` takes. */
export function u32Size(x: number): number {
  return x < 0x80 ? 1 : x < 0x4000 ? 2 : x < 0x200000 ? 3 : x < 0x10000000 ? 4 : 5;
}
