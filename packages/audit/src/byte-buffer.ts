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

  /** A copy of the first `length` bytes (all by default). */
  copy(length: number = this.#length): Uint8Array {
    return this.#data.slice(0, Math.min(length, this.#length));
  }
}
