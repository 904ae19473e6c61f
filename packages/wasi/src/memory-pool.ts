/**
 * A small pool of zeroed linear memories for one tool.
 *
 * Why: a fresh instance that defines its own memory allocates a new external
 * ArrayBuffer per call, and V8 answers that external-memory pressure with
 * frequent full collections (1.5–5 ms each), which set the tail latency of
 * every call. A memory the instance imports can be reused instead
 * (docs/decisions/0010-memory-pooling.md).
 *
 * The rule that keeps calls apart (DESIGN.md §5): a memory goes back into the
 * pool only if it is still its initial size, and only after every byte of it
 * is zeroed. A memory that grew is dropped (its larger buffer would sit idle
 * in the pool, and zeroing it would cost in proportion to what the guest
 * took). A memory is held by exactly one call between `take` and `give`.
 *
 * Memories are keyed by (initial pages, maximum pages): the maximum is the
 * call's memory cap, so calls with different limits never share one.
 */
import { Wasm, type WasmMemory } from './wasm-api.js';

export const PAGE_BYTES = 65536;

/** How many idle memories one key keeps, and how many keys one pool keeps. */
export const POOL_PER_KEY = 4;
export const POOL_MAX_KEYS = 8;

export class MemoryPool {
  readonly #free = new Map<string, WasmMemory[]>();

  constructor(
    readonly perKey = POOL_PER_KEY,
    readonly maxKeys = POOL_MAX_KEYS,
  ) {}

  /** A zeroed memory of `initial` pages that cannot grow past `maximum`. */
  take(initial: number, maximum: number): WasmMemory {
    const idle = this.#free.get(`${initial}/${maximum}`)?.pop();
    return idle ?? new Wasm.Memory({ initial, maximum });
  }

  /**
   * Hand a memory back after its call. Kept only when it is still `initial`
   * pages; then zeroed entirely before anyone can take it again.
   */
  give(memory: WasmMemory, initial: number, maximum: number): boolean {
    if (this.perKey === 0 || memory.buffer.byteLength !== initial * PAGE_BYTES) return false;
    const key = `${initial}/${maximum}`;
    let list = this.#free.get(key);
    if (list === undefined) {
      if (this.#free.size >= this.maxKeys) {
        // Forget the oldest key: limits changed, its memories are stale.
        const oldest = this.#free.keys().next().value as string;
        this.#free.delete(oldest);
      }
      list = [];
      this.#free.set(key, list);
    }
    if (list.length >= this.perKey) return false;
    new Uint8Array(memory.buffer).fill(0);
    list.push(memory);
    return true;
  }

  /** Idle memories held (for tests and diagnostics). */
  get idle(): number {
    let n = 0;
    for (const list of this.#free.values()) n += list.length;
    return n;
  }
}
