/**
 * The canonical ABI code generator: specialised JS glue for the
 * synchronous subset of the Component Model (canon lift / lower /
 * resource.drop), in jco's JS value conventions.
 *
 * `compileLower(...)(st, host)`: `host` is the function itself for a
 * `function` HostCall, the class for `static` (`host.name(...)`) and
 * `constructor` (`new host(...)`), and unused for `method` (the method is
 * looked up on the borrowed `self`, the first parameter).
 *
 * Not supported (compile-time Error): lowering a `borrow<R>` into the guest
 * (an export parameter or an import result), string encodings other than
 * UTF-8, async. Factories are cached per signature for the process.
 */

export { resourceDrop } from './drop.js';
export { ComponentError, errorPayload } from './errors.js';
export { HandleTable } from './handles.js';
export { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './layout.js';
export { compileLift, type LiftFactory } from './lift.js';
export { compileLower, type LowerFactory } from './lower.js';
