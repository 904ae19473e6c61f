/**
 * An AppendLog in memory: the storage for hosts without a file system
 * (browsers, workers) when losing the log with the page is acceptable, and
 * for tests. It keeps track of what was synced, so `durable()` shows what a
 * crash right now would leave — a test can "crash" by opening a new log
 * over those bytes.
 */
import type { AppendLog } from '@airlock/core';
import { ByteBuffer } from './byte-buffer.js';

export class MemoryAppendLog implements AppendLog {
  readonly #buffer: ByteBuffer;
  #synced: number;
  #closed = false;

  /** Start from `initial` bytes (considered durable), or empty. */
  constructor(initial?: Uint8Array) {
    this.#buffer = new ByteBuffer(initial);
    this.#synced = this.#buffer.length;
  }

  async readAll(): Promise<Uint8Array> {
    this.#check();
    return this.#buffer.copy();
  }

  async append(data: Uint8Array): Promise<void> {
    this.#check();
    this.#buffer.append(data);
  }

  async sync(): Promise<void> {
    this.#check();
    this.#synced = this.#buffer.length;
  }

  async truncate(length: number): Promise<void> {
    this.#check();
    this.#buffer.truncate(length);
    this.#synced = Math.min(this.#synced, this.#buffer.length);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Everything appended, synced or not. */
  contents(): Uint8Array {
    return this.#buffer.copy();
  }

  /** Only what was synced: what survives a crash now. */
  durable(): Uint8Array {
    return this.#buffer.copy(this.#synced);
  }

  #check(): void {
    if (this.#closed) throw new Error('memory append log is closed');
  }
}
