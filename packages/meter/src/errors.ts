/**
 * The two ways a caller can hand the rewriter something wrong.
 *
 * Malformed module bytes are `WASM_INVALID` with the byte offset where the
 * reader gave up, so a report points at the bad byte the way a compiler points
 * at a line. Bad options (a fuel export name that is not a string, a negative
 * page cap) are `ARGS_INVALID`. Nothing else is ever thrown on purpose: any
 * other exception out of `meter` is a bug in this package.
 */
import { AirlockError } from '@airlock/core';

/** Malformed input: `message (at byte N)`, with the offset in `details`. */
export function invalid(offset: number, message: string): AirlockError {
  return new AirlockError('WASM_INVALID', `${message} (at byte ${offset})`, { details: { offset } });
}

/** A bad argument to `meter` itself. */
export function badOption(message: string): AirlockError {
  return new AirlockError('ARGS_INVALID', message);
}
