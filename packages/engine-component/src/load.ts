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
import { MemoryPool, Wasm, type WasmModule } from '@airlock/wasi';
import { prepareGlue } from './glue.js';
import { type CoreShape, type RewriteOptions, rewriteCore } from './metering.js';
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
  /** What the metering rewrite did to each core module, by name (metering.ts). */
  readonly shapes: ReadonlyMap<string, CoreShape>;
  /** The shape of a compiled core module this component gave out. */
  readonly shapeOf: (module: WasmModule) => CoreShape | undefined;
  /** Zeroed memories for the pooled core modules of this tool. */
  readonly pool: MemoryPool;
}

/** `shapeOf` and `pool` for a set of compiled modules and their shapes (also used in the wasi:http worker). */
export function shapeLookup(
  modules: ReadonlyMap<string, WasmModule>,
  shapes: ReadonlyMap<string, CoreShape>,
): Pick<LoadedComponent, 'shapeOf' | 'pool' | 'shapes'> {
  const byModule = new Map<WasmModule, CoreShape>();
  for (const [name, m] of modules) {
    const s = shapes.get(name);
    if (s !== undefined) byModule.set(m, s);
  }
  return { shapes, shapeOf: (m) => byModule.get(m), pool: new MemoryPool() };
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

export async function load(
  t: Transpiled,
  toolName: string,
  key: string,
  loadModule: ModuleLoader,
  rewrite: RewriteOptions = { metering: true, pooling: true },
): Promise<LoadedComponent> {
  checkImports(t, toolName);
  const kind = kindOf(t, toolName);
  const modules = new Map<string, WasmModule>();
  const shapes = new Map<string, CoreShape>();
  await Promise.all(
    [...t.cores].map(async ([name, bytes]) => {
      const r = rewriteCore(bytes, toolName, name, rewrite);
      shapes.set(name, r.shape);
      try {
        modules.set(name, await Wasm.compile(r.bytes));
      } catch (e) {
        throw new AirlockError(
          'INTERNAL',
          `the rewritten core module ${name} of tool "${toolName}" does not compile (a rewriter bug): ${String(e)}`,
        );
      }
    }),
  );
  // jco's module with its per-instance JSPI probe made cheap (glue.ts).
  const generated = await loadModule(prepareGlue(t.js).js, key);
  if (typeof generated.instantiate !== 'function') throw new AirlockError('INTERNAL', 'the generated module has no instantiate()');
  const getCoreModule = (name: string): WasmModule => {
    const m = modules.get(name);
    if (m === undefined) throw new AirlockError('INTERNAL', `the generated code asked for an unknown core module ${name}`);
    return m;
  };
  return { kind, generated, getCoreModule, transpiled: t, ...shapeLookup(modules, shapes) };
}
