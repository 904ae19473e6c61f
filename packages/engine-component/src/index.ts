/**
 * @airlock/engine-component: WebAssembly components (WASI 0.2 commands and
 * typed `airlock:tool` tools) on our own component glue (canon/: parse,
 * link, generated canonical-ABI trampolines), with jco as the fallback for
 * components outside its synchronous subset, and Airlock's own
 * capability-scoped WASI 0.2 host per instance.
 */

export { type CompiledGlue, compilePlan, coreModuleName } from './canon/instance.js';
export type { Plan } from './canon/link.js';
export type { ComponentEngine, ComponentEngineOptions, PreparedComponent, ToolDescriptor } from './engine.js';
export { createComponentEngine } from './engine.js';
export { type PreparedGlue, prepareGlue } from './glue.js';
export { importsHttp } from './http-runner.js';
export type { GeneratedModule, ModuleLoader } from './load.js';
export { dataUrlLoader, linkComponent } from './load.js';
export { PROVIDED_INTERFACES } from './preview2/host.js';
export { checkComponentHeader, TRANSPILER_ID, transpileKey } from './transpile.js';
export type { TranspileCache, Transpiled } from './transpile-cache.js';
export { decodeTranspiled, encodeTranspiled } from './transpile-cache.js';
