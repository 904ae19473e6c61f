/**
 * From a component to something we can instantiate many times, with one of
 * two glues (ADR 0012):
 *
 * - ours (`loadAirlock`): parse the binary (canon/parse.ts), link its
 *   instantiation graph into a flat plan (canon/link.ts), generate the
 *   canonical-ABI trampolines once (canon/abi/); no jco, no transpile;
 * - jco's (`loadJco`): its transpiled module (glue JS + core modules),
 *   imported once from a `data:` URL (Node, Deno and browsers import those;
 *   a host that cannot, like workerd, passes `loadModule`), with glue.ts's
 *   rewrite. Used for components outside our glue's synchronous subset, and
 *   as the baseline in benchmarks.
 *
 * Either way the core modules are rewritten (metering.ts) and compiled once,
 * and everything an instance can change is made per instance: the two share
 * only compiled code and immutable plans.
 */
import { AirlockError } from '@airlock/core';
import { defaultClock, MemoryPool, RunGuard, Wasm, type WasmModule } from '@airlock/wasi';
import type { Component } from './canon/ast.js';
import { elideFixups } from './canon/fixup.js';
import { compilePlan, coreModuleName, missingHostFunctions } from './canon/instance.js';
import { link, type Plan, Unsupported } from './canon/link.js';
import { parseComponent } from './canon/parse.js';
import { pruneExports } from './canon/prune.js';
import { checkSignatures } from './canon/signature.js';
import { prepareGlue } from './glue.js';
import { type CoreShape, type RewriteOptions, rewriteCore } from './metering.js';
import { CallContext } from './preview2/call-context.js';
import { buildImports, PROVIDED_INTERFACES } from './preview2/host.js';
import { checkComponentHeader } from './transpile.js';
import type { Rewritten, Transpiled } from './transpile-cache.js';
import type { CoreInstance } from './wasm.js';

export type InstantiateCore = (module: WasmModule, imports?: Record<string, unknown>) => CoreInstance | Promise<CoreInstance>;

/**
 * The shape of jco's generated module in instantiation mode `async`, which
 * our glue (canon/instance.ts) shares; only ours reads `onHostCall`.
 */
export interface GeneratedModule {
  instantiate(
    getCoreModule: (name: string) => WasmModule,
    imports: Record<string, Record<string, unknown>>,
    instantiateCore?: InstantiateCore,
    onHostCall?: () => void,
  ): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** Imports a generated module's source; `key` is stable per component. */
export type ModuleLoader = (source: string, key: string) => Promise<GeneratedModule>;

export const dataUrlLoader: ModuleLoader = (source) =>
  import(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`) as Promise<GeneratedModule>;

export type ComponentKind = 'command' | 'typed';

/**
 * Which glue instantiates the component, and what a worker needs to make
 * the same glue: our own (canon/, from the component's bytes) or jco's
 * generated module (its source).
 */
export type GlueSource = { readonly kind: 'airlock'; readonly component: Uint8Array } | { readonly kind: 'jco'; readonly js: string };

export interface LoadedComponent {
  readonly kind: ComponentKind;
  readonly generated: GeneratedModule;
  readonly getCoreModule: (name: string) => WasmModule;
  /** Core module names `getCoreModule` knows, in order. */
  readonly moduleNames: readonly string[];
  readonly glue: GlueSource;
  /** Imported interfaces, unversioned. */
  readonly imports: readonly string[];
  /** Exports as [name, 'function' | 'instance']. */
  readonly exports: readonly (readonly [string, string])[];
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

/** What kindOf and checkImports read: the component's imports and exports. */
export interface Surface {
  readonly imports: readonly string[];
  readonly exports: readonly (readonly [string, string])[];
}

/** Which shape of tool the exports say it is; WASM_INVALID if neither. */
export function kindOf(t: Surface, toolName: string): ComponentKind {
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
export function checkImports(t: Surface, toolName: string): void {
  const unknown = t.imports.filter((i) => !PROVIDED_INTERFACES.has(i));
  if (unknown.length === 0) return;
  throw new AirlockError(
    'WASM_INVALID',
    `tool "${toolName}" imports ${unknown.join(', ')}, which the component engine does not provide; ` +
      `a tool may import only the interfaces of wit/tool.wit's world "grantable" (wasi:cli, wasi:filesystem, wasi:clocks, wasi:random, wasi:io, wasi:http types + outgoing-handler)`,
    { details: { imports: unknown } },
  );
}

/** Rewrites (metering.ts) and compiles every core module, by name. */
async function compileCores(
  cores: ReadonlyMap<string, Uint8Array>,
  toolName: string,
  rewrite: RewriteOptions,
): Promise<{ modules: Map<string, WasmModule>; shapes: Map<string, CoreShape> }> {
  const r = rewriteCores(cores, toolName, rewrite);
  return { modules: await compileRewritten(r.cores, toolName), shapes: r.shapes };
}

/** The metering rewrite of every core module (the slow part of loading a large component). */
function rewriteCores(
  cores: ReadonlyMap<string, Uint8Array>,
  toolName: string,
  rewrite: RewriteOptions,
): { cores: Map<string, Uint8Array>; shapes: Map<string, CoreShape> } {
  const out = new Map<string, Uint8Array>();
  const shapes = new Map<string, CoreShape>();
  for (const [name, bytes] of cores) {
    const r = rewriteCore(bytes, toolName, name, rewrite);
    out.set(name, r.bytes);
    shapes.set(name, r.shape);
  }
  return { cores: out, shapes };
}

async function compileRewritten(cores: ReadonlyMap<string, Uint8Array>, toolName: string): Promise<Map<string, WasmModule>> {
  const modules = new Map<string, WasmModule>();
  await Promise.all(
    [...cores].map(async ([name, bytes]) => {
      try {
        modules.set(name, await Wasm.compile(bytes));
      } catch (e) {
        throw new AirlockError(
          'INTERNAL',
          `the rewritten core module ${name} of tool "${toolName}" does not compile (a rewriter bug): ${String(e)}`,
        );
      }
    }),
  );
  return modules;
}

/**
 * Names our glue's cache entries: bump it when the plan rewrites (fixup.ts,
 * prune.ts) change the core modules they produce. The rewrite itself is
 * named by metering.ts REWRITE_ID.
 */
export const GLUE_ID = 'airlock-glue/1';

/**
 * Where our glue keeps a component's rewritten core modules between
 * processes (the engine adapts a TranspileCache to it), and who hears about
 * a rewrite long enough for a progress line.
 */
export interface RewriteStore {
  get(): Promise<Rewritten | undefined>;
  set(r: Rewritten): Promise<void>;
  /** Told before and after rewriting core modules of `bytes` in total, on a cache miss. */
  progress?(phase: 'rewrite' | 'done', bytes: number, ms?: number): void;
}

const sameNames = (a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean =>
  a.size === b.size && [...a.keys()].every((k) => b.has(k));

const moduleGetter =
  (modules: ReadonlyMap<string, WasmModule>) =>
  (name: string): WasmModule => {
    const m = modules.get(name);
    if (m === undefined) throw new AirlockError('INTERNAL', `the glue asked for an unknown core module ${name}`);
    return m;
  };

/**
 * Our own glue (canon/): parse, link, generate the trampolines. Undefined
 * when the component uses something outside the synchronous subset our glue
 * runs (`Unsupported`); the caller then uses jco's. A malformed component is
 * WASM_INVALID from the parser.
 */
export async function loadAirlock(
  bytes: Uint8Array,
  toolName: string,
  rewrite: RewriteOptions = { metering: true, pooling: true },
  store?: RewriteStore,
): Promise<LoadedComponent | undefined> {
  const plan = linkComponent(bytes, toolName);
  if (plan === undefined) return undefined;
  const surface = surfaceOf(plan);
  checkImports(surface, toolName);
  checkHostFunctions(plan, toolName);
  const kind = kindOf(surface, toolName);
  const cores = new Map(plan.modules.map((m, i) => [coreModuleName(i), m]));
  const hit = await store?.get();
  let rewritten: { cores: ReadonlyMap<string, Uint8Array>; shapes: ReadonlyMap<string, CoreShape> };
  if (hit !== undefined && sameNames(hit.cores, cores) && sameNames(hit.shapes, cores)) {
    rewritten = { cores: hit.cores, shapes: hit.shapes as ReadonlyMap<string, CoreShape> };
  } else {
    const total = plan.modules.reduce((n, m) => n + m.length, 0);
    const t0 = Date.now();
    store?.progress?.('rewrite', total);
    rewritten = rewriteCores(cores, toolName, rewrite);
    store?.progress?.('done', total, Date.now() - t0);
    await store?.set(rewritten);
  }
  const modules = await compileRewritten(rewritten.cores, toolName);
  const shapes = rewritten.shapes;
  return {
    kind,
    generated: compilePlan(plan),
    getCoreModule: moduleGetter(modules),
    moduleNames: [...cores.keys()],
    glue: { kind: 'airlock', component: bytes },
    ...surface,
    ...shapeLookup(modules, shapes),
  };
}

/** WASM_INVALID naming every lowered function our WASI host (built with no grants) does not have. */
function checkHostFunctions(plan: Plan, toolName: string): void {
  const guard = new RunGuard(defaultClock, 1_000, 0);
  const ctx = new CallContext({ guard, outputBytes: 0, stderrBytes: 0 });
  const host = buildImports(ctx, { args: [], env: {}, stdin: new Uint8Array(0), mounts: [], realtime: () => 0 });
  const missing = missingHostFunctions(plan, host);
  if (missing.length === 0) return;
  throw new AirlockError(
    'WASM_INVALID',
    `tool "${toolName}" imports ${missing.join(', ')}, which Airlock's WASI host does not implement (the interface is known, the function is not)`,
    { details: { imports: missing } },
  );
}

/** Parse + link + the plan rewrites, or undefined outside our subset. Also used in the wasi:http worker. */
export function linkComponent(bytes: Uint8Array, toolName: string): Plan | undefined {
  checkComponentHeader(bytes, toolName);
  let ast: Component;
  try {
    ast = parseComponent(bytes);
  } catch (e) {
    if (e instanceof AirlockError) {
      throw new AirlockError('WASM_INVALID', `the artifact of tool "${toolName}" is not a valid component: ${e.message}`, { cause: e });
    }
    throw e;
  }
  try {
    const plan = link(ast);
    // Core types against the canonical ABI, as wasm-tools validates them (signature.ts).
    checkSignatures(plan, toolName);
    // Fixup elision, then export pruning: both only for speed (fixup.ts, prune.ts).
    return pruneExports(elideFixups(plan));
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

/** Imports (unversioned) and exports of a linked plan, as kindOf/checkImports read them. */
export function surfaceOf(plan: Plan): Surface {
  return {
    imports: plan.imports,
    exports: plan.exports.map(([n, e]) => [n, e.k === 'func' ? 'function' : 'instance'] as const),
  };
}

/** jco's generated glue, from its transpiled output. */
export async function loadJco(
  t: Transpiled,
  toolName: string,
  key: string,
  loadModule: ModuleLoader,
  rewrite: RewriteOptions = { metering: true, pooling: true },
): Promise<LoadedComponent> {
  checkImports(t, toolName);
  const kind = kindOf(t, toolName);
  const { modules, shapes } = await compileCores(t.cores, toolName, rewrite);
  // jco's module with its per-instance JSPI probe made cheap (glue.ts).
  const generated = await loadModule(prepareGlue(t.js).js, key);
  if (typeof generated.instantiate !== 'function') throw new AirlockError('INTERNAL', 'the generated module has no instantiate()');
  return {
    kind,
    generated,
    getCoreModule: moduleGetter(modules),
    moduleNames: [...t.cores.keys()],
    glue: { kind: 'jco', js: t.js },
    imports: t.imports,
    exports: t.exports,
    ...shapeLookup(modules, shapes),
  };
}
