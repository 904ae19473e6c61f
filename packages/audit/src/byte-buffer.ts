/**
 * A growable byte array: appends copy into spare capacity, which doubles
 * when full, so a million small appends make a handful of allocations.
 */
export class ByteBuffer {
  #data: Uint8Array;
  #length = 0;

  constructor(initial?: Uint8Array) {
    this.#data = new Uint8Array(Math.max(1024, initial?.length ?? 0));
    if (initial) this.append(initial);
  }

  get length(): number {
    return this.#length;
  }

  append(bytes: Uint8Array): void {
    const need = this.#length + bytes.length;
    if (need > this.#data.length) {
      let size = this.#data.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#data.subarray(0, this.#length));
      this.#data = grown;
    }
    this.#data.set(bytes, this.#length);
    this.#length = need;
  }

  /** Forget everything after `length` bytes. */
  truncate(length: number): void {
    this.#length = Math.max(0, Math.min(length, this.#length));
  }

  /**
   * The bytes so far, handed over (not copied): the buffer starts again,
   * empty, on fresh memory sized for as many bytes as were taken, so the
   * bytes returned are never written again.
   */
  take(): Uint8Array {
    const bytes = this.#data.subarray(0, this.#length);
    this.#data = new Uint8Array(Math.max(1024, this.#length));
    this.#length = 0;
    return bytes;
  }

  /** A copy of the first `length` bytes (all by default). */
  copy(length: number = this.#length): Uint8Array {
    return this.#data.slice(0, Math.min(length, this.#length));
  }
}

/**
 * An append-only byte store in chunks, for a log that only grows (the
 * in-memory sink): appends never move earlier bytes, so there are no growth
 * copies and no doubled allocations; `copy()` joins the chunks. Chunks start
 * small and double up to 4 MiB (fresh memory costs less in big pieces).
 */
export class ChunkedBytes {
  static readonly FIRST_CHUNK = 64 * 1024;
  static readonly MAX_CHUNK = 4 * 1024 * 1024;
  readonly #full: Uint8Array[] = [];
  #fullBytes = 0;
  #chunk = new Uint8Array(ChunkedBytes.FIRST_CHUNK);
  #used = 0;

  get length(): number {
    return this.#fullBytes + this.#used;
  }

  append(bytes: Uint8Array): void {
    if (this.#used + bytes.length > this.#chunk.length) {
      if (this.#used > 0) {
        this.#full.push(this.#chunk.subarray(0, this.#used));
        this.#fullBytes += this.#used;
      }
      const size = Math.min(ChunkedBytes.MAX_CHUNK, this.#chunk.length * 2);
      this.#chunk = new Uint8Array(Math.max(size, bytes.length));
      this.#used = 0;
    }
    this.#chunk.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  /** All the bytes, in one new array. */
  copy(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.#full) {
      out.set(c, at);
      at += c.length;
    }
    out.set(this.#chunk.subarray(0, this.#used), at);
    return out;
  }
}
