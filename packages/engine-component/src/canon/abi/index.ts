/**
 * The canonical ABI code generator: specialised JS glue for the
 * synchronous subset of the Component Model (canon lift / lower /
 * resource.drop), in jco's JS value conventions.
 */

export { resourceDrop } from './drop.js';
export { ComponentError, errorPayload } from './errors.js';
export { HandleTable } from './handles.js';
export { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './layout.js';
export { compileLift, type LiftFactory } from './lift.js';
export { compileLower, type LowerFactory } from './lower.js';
