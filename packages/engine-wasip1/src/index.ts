/**
 * @airlock/engine-wasip1: the Engine for WASI preview1 command modules.
 */
export type { Wasip1EngineOptions } from './engine.js';
export { createWasip1Engine } from './engine.js';
