/**
 * The per-instance table of handles to host resources (`own<R>` and
 * `borrow<R>` of an imported resource type): what the guest holds is a
 * small integer, the host object stays here. Like a file-descriptor table,
 * a freed slot is reused by the next insert, so a long-running guest that
 * opens and drops streams keeps the table small.
 *
 * Slots live in one dense array; a free slot holds the index of the next
 * free slot (a number), a live slot holds its object. Handle 0 is never
 * handed out: it is the guest's "no handle" value in some bindings.
 */

import type { HandleTableLike } from '../types.js';

export class HandleTable implements HandleTableLike {
  /** Index 0 is a permanent sentinel; `slots[h]` is an object (live) or the next free index (free). */
  readonly #slots: (object | number)[] = [0];
  /** Head of the free list, 0 when it is empty. */
  #free = 0;
  #live = 0;

  /** How many handles are live (for leak checks in tests and disposal). */
  get size(): number {
    return this.#live;
  }

  insert(value: object): number {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
      throw new TypeError(`resource value must be an object, got ${value === null ? 'null' : typeof value}`);
    }
    this.#live++;
    const h = this.#free;
    if (h !== 0) {
      this.#free = this.#slots[h] as number;
      this.#slots[h] = value;
      return h;
    }
    return this.#slots.push(value) - 1;
  }

  get(handle: number): object {
    const v = this.#slots[handle];
    if (typeof v !== 'object' || handle === 0) throw badHandle(handle);
    return v;
  }

  remove(handle: number): object {
    const v = this.#slots[handle];
    if (typeof v !== 'object' || handle === 0) throw badHandle(handle);
    this.#slots[handle] = this.#free;
    this.#free = handle;
    this.#live--;
    return v;
  }
}

/** A trap: the guest named a handle it does not hold. */
function badHandle(handle: unknown): TypeError {
  return new TypeError(`invalid resource handle ${String(handle)}: not in the handle table (trap)`);
}
