/**
 * wasi:io@0.2.12 (error, poll, streams) for one instance.
 *
 * Everything Airlock grants is in memory or synchronous (stdin is the call's
 * input, stdout/stderr are captures, files are Vfs reads and writes), so
 * every pollable is ready at once and `block` never waits. Streams are thin
 * objects over a `pull` or `push` function given by whoever opened them;
 * they hold no state outside themselves.
 *
 * Error convention of jco's glue: a host function returning `result<T, E>`
 * returns T, or throws E as a plain value (not an Error). Throwing an Error
 * is a trap, which is what a LimitTrap must be.
 */
import type { RunGuard } from '@airlock/wasi';

/** The `error` resource: a message, and the filesystem error code behind it, if any. */
export class IoError {
  constructor(
    readonly message: string,
    /** What `wasi:filesystem/types.filesystem-error-code` answers. */
    readonly fsCode?: string,
  ) {}
  toDebugString(): string {
    return this.message;
  }
}

export class Pollable {
  ready(): boolean {
    return true;
  }
  block(): void {}
}

/** `poll`: everything we hand out is ready, so every index is. */
export function poll(pollables: readonly Pollable[]): Uint32Array {
  const ready = new Uint32Array(pollables.length);
  for (let i = 0; i < ready.length; i++) ready[i] = i;
  return ready;
}

export type StreamError = { tag: 'closed' } | { tag: 'last-operation-failed'; val: IoError };
export const CLOSED: StreamError = Object.freeze({ tag: 'closed' });

/** Most bytes handed over by one read or accepted by one write. */
export const MAX_CHUNK = 64 * 1024;

/** What turns a host failure into a stream error (`last-operation-failed`); LimitTraps pass through. */
export type FailureMapper = (error: unknown) => StreamError;

export class InputStream {
  /**
   * @param pull up to `n` bytes, or `null` at the end (the stream is then closed).
   */
  constructor(
    readonly guard: RunGuard,
    readonly pull: (n: number) => Uint8Array | null,
    readonly mapFailure: FailureMapper,
  ) {}

  read(len: bigint): Uint8Array {
    this.guard.check();
    let chunk: Uint8Array | null;
    try {
      chunk = this.pull(Number(len > BigInt(MAX_CHUNK) ? BigInt(MAX_CHUNK) : len));
    } catch (e) {
      throw this.mapFailure(e);
    }
    if (chunk === null) throw CLOSED;
    return chunk;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

export class OutputStream {
  /**
   * @param push write all of `data` or throw (a VfsError, a LimitTrap).
   */
  constructor(
    readonly guard: RunGuard,
    readonly push: (data: Uint8Array) => void,
    readonly mapFailure: FailureMapper,
  ) {}

  checkWrite(): bigint {
    this.guard.check();
    return BigInt(MAX_CHUNK);
  }
  write(contents: Uint8Array): void {
    this.guard.check();
    try {
      this.push(contents);
    } catch (e) {
      throw this.mapFailure(e);
    }
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  subscribe(): Pollable {
    return new Pollable();
  }
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(Number(len > BigInt(MAX_CHUNK) ? BigInt(MAX_CHUNK) : len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(src: InputStream, len: bigint): bigint {
    const chunk = src.read(len);
    this.write(chunk);
    return BigInt(chunk.length);
  }
  blockingSplice(src: InputStream, len: bigint): bigint {
    return this.splice(src, len);
  }
}

/** Failures of stdio streams: nothing but a limit trap can happen, and that is rethrown. */
export const rethrow: FailureMapper = (e) => {
  if (e instanceof Error) throw e;
  return { tag: 'last-operation-failed', val: new IoError(String(e)) };
};
