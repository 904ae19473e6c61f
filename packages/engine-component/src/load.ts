/**
 * From transpiled output to something we can instantiate many times:
 * the generated ES module imported once, its core modules compiled once.
 *
 * The generated module is host-neutral JS with no imports of its own, so
 * it is loaded from a `data:` URL (Node, Deno and browsers import those);
 * a host that cannot (workerd forbids runtime code) passes `loadModule`.
 * Everything the generated `instantiate` creates (handle tables, task state,
 * the core instances) lives inside that call, so two instances share only
 * the immutable compiled modules and the module's function definitions.
 */
import { AirlockError } from '@airlock/core';
import { Wasm, type WasmModule } from '@airlock/wasi';
import { PROVIDED_INTERFACES } from './preview2/host.js';
import type { Transpiled } from './transpile-cache.js';
import type { CoreInstance } from './wasm.js';

export type InstantiateCore = (module: WasmModule, imports?: Record<string, unknown>) => CoreInstance | Promise<CoreInstance>;

/** The shape of jco's generated module in instantiation mode `async`. */
export interface GeneratedModule {
  instantiate(
    getCoreModule: (name: string) => WasmModule,
    imports: Record<string, Record<string, unknown>>,
    instantiateCore?: InstantiateCore,
  ): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** Imports a generated module's source; `key` is stable per component. */
export type ModuleLoader = (source: string, key: string) => Promise<GeneratedModule>;

export const dataUrlLoader: ModuleLoader = (source) =>
  import(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`) as Promise<GeneratedModule>;

export type ComponentKind = 'command' | 'typed';

export interface LoadedComponent {
  readonly kind: ComponentKind;
  readonly generated: GeneratedModule;
  readonly getCoreModule: (name: string) => WasmModule;
  readonly transpiled: Transpiled;
}

/** Which shape of tool the exports say it is; WASM_INVALID if neither. */
export function kindOf(t: Transpiled, toolName: string): ComponentKind {
  const names = new Set(t.exports.map(([n]) => n));
  if ([...names].some((n) => /^wasi:cli\/run@0\.2\.\d+$/.test(n))) return 'command';
  if (names.has('call')) return 'typed';
  throw new AirlockError(
    'WASM_INVALID',
    `tool "${toolName}" exports neither wasi:cli/run@0.2 (a command) nor \`call\` (the airlock:tool/tool world); ` +
      `it exports: ${[...names].join(', ') || 'nothing'}`,
    { details: { exports: [...names] } },
  );
}

/** Throws WASM_INVALID naming every import we do not provide. */
export function checkImports(t: Transpiled, toolName: string): void {
  const unknown = t.imports.filter((i) => !PROVIDED_INTERFACES.has(i));
  if (unknown.length === 0) return;
  throw new AirlockError(
    'WASM_INVALID',
    `tool "${toolName}" imports ${unknown.join(', ')}, which the component engine does not provide; ` +
      `a tool may import only the interfaces of wit/tool.wit's world "grantable" (wasi:cli, wasi:filesystem, wasi:clocks, wasi:random, wasi:io, wasi:http types + outgoing-handler)`,
    { details: { imports: unknown } },
  );
}

export async function load(t: Transpiled, toolName: string, key: string, loadModule: ModuleLoader): Promise<LoadedComponent> {
  checkImports(t, toolName);
  const kind = kindOf(t, toolName);
  const modules = new Map<string, WasmModule>();
  await Promise.all(
    [...t.cores].map(async ([name, bytes]) => {
      modules.set(name, await Wasm.compile(bytes));
    }),
  );
  const generated = await loadModule(t.js, key);
  if (typeof generated.instantiate !== 'function') throw new AirlockError('INTERNAL', 'the generated module has no instantiate()');
  const getCoreModule = (name: string): WasmModule => {
    const m = modules.get(name);
    if (m === undefined) throw new AirlockError('INTERNAL', `the generated code asked for an unknown core module ${name}`);
    return m;
  };
  return { kind, generated, getCoreModule, transpiled: t };
}
