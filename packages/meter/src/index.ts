/**
 * @airlock/meter: a WebAssembly binary rewriter that makes a core module run
 * on fuel (a deterministic instruction budget held in a global only the host
 * can reach) and within capped memories and tables. No dependencies; works
 * wherever JavaScript runs. See docs/decisions/0006-fuel-metering.md; and
 * `importMemory`, which turns a defined memory into an import so the host can
 * pool memories (docs/decisions/0010-memory-pooling.md).
 */
export { BULK_GROW, BULK_MEMORY, BULK_TABLE, bulkShift, INSTRUCTION_COST } from './cost-model.js';
export { type ImportMemoryOptions, type ImportMemoryResult, importMemory } from './import-memory.js';
export { meter } from './meter.js';
export { DEFAULT_FUEL_EXPORT, type MeterOptions, type MeterResult, type MeterStats } from './options.js';
