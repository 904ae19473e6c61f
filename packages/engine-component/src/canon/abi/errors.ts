/**
 * The error a lifted export throws when the guest returns `err(e)` from a
 * function whose result is `result<T, E>`, the same convention as jco's
 * generated glue: the JS caller gets `T` back on `ok` and catches a
 * `ComponentError` whose own `payload` property is `E` on `err`. The engine
 * tells a guest error from a trap by `Object.hasOwn(e, 'payload')`.
 */
export class ComponentError extends Error {
  declare readonly payload: unknown;

  constructor(payload: unknown) {
    // A string payload is the message itself; anything else is described and
    // left enumerable so that it shows up when the error is logged.
    const enumerable = typeof payload !== 'string';
    super(enumerable ? `${String(payload)} (see error.payload)` : (payload as string));
    this.name = 'ComponentError';
    Object.defineProperty(this, 'payload', { value: payload, enumerable });
  }
}

/**
 * The `err` payload of an exception thrown by a host function whose WIT
 * result is `result<T, E>` (jco's getErrorPayload): an object carrying its
 * own `payload` is a ComponentError-like err; any other Error (LimitTrap,
 * ExitSignal, a bug) is a trap and propagates; a non-Error thrown value
 * (`throw 'access'`, `throw { tag: 'closed' }`) is the payload itself.
 */
export function errorPayload(e: unknown): unknown {
  if (e !== null && e !== undefined && Object.hasOwn(e as object, 'payload')) return (e as { payload: unknown }).payload;
  if (e instanceof Error) throw e;
  return e;
}
