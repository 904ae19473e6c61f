/**
 * What a preview1 command module must look like before we will run it.
 *
 * Checked once, at prepare time, so that a bad artifact is a misuse error
 * (WASM_INVALID, naming what to fix) rather than a crash on the first call:
 *
 * - every import is a function from `wasi_snapshot_preview1` that we
 *   provide. A module importing anything else (`env.memory`, another WASI
 *   version, a host function it hopes for) is refused, and the error names
 *   the import. Import *signatures* are not checked here: JS host functions
 *   accept any signature, and a mismatch shows up as a guest error.
 * - it exports a `_start` function and its `memory`: a command, not a
 *   reactor or a library.
 *
 * Checked on the rewritten module: the one memory import the pooling rewrite
 * added (`pooledMemory`) is allowed; the original had no memory import (the
 * rewrite refuses those), so a guest cannot smuggle one in under that name.
 */
import { AirlockError } from '@airlock/core';
import { PREVIEW1_FUNCTIONS, PREVIEW1_MODULE, Wasm, type WasmModule } from '@airlock/wasi';

export function checkModuleShape(
  module: WasmModule,
  toolName: string,
  pooledMemory?: { readonly module: string; readonly name: string },
): void {
  for (const imp of Wasm.Module.imports(module)) {
    const name = `${imp.module}.${imp.name}`;
    if (pooledMemory && imp.kind === 'memory' && imp.module === pooledMemory.module && imp.name === pooledMemory.name) continue;
    if (imp.module !== PREVIEW1_MODULE || imp.kind !== 'function' || !PREVIEW1_FUNCTIONS.has(imp.name)) {
      throw new AirlockError(
        'WASM_INVALID',
        `tool "${toolName}" imports ${imp.kind} "${name}", which the wasip1 engine does not provide; ` +
          `a wasip1 tool may import only ${PREVIEW1_MODULE} functions`,
        { details: { import: name, kind: imp.kind } },
      );
    }
  }
  const exports = new Map(Wasm.Module.exports(module).map((e) => [e.name, e.kind]));
  if (exports.get('_start') !== 'function') {
    throw new AirlockError('WASM_INVALID', `tool "${toolName}" does not export a "_start" function: build it as a WASI command`, {
      details: { missingExport: '_start' },
    });
  }
  if (exports.get('memory') !== 'memory') {
    throw new AirlockError('WASM_INVALID', `tool "${toolName}" does not export its "memory"`, { details: { missingExport: 'memory' } });
  }
}
