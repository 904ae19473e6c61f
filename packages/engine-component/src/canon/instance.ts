/**
 * Runs a linked plan (link.ts): the per-instance half of our glue.
 *
 * `compilePlan` generates the canonical-ABI trampolines once per component
 * (abi/, specialised JS per function type); `instantiate` then makes one
 * fresh instance: new handle tables, a lowered trampoline per imported
 * function bound to this call's host, each core module instantiated in plan
 * order, and the lifted exports. Everything an instance can change (core
 * instances and their memories, tables, globals; handle tables; the state
 * the trampolines close over) is created here, per call; what is shared is
 * compiled code and the frozen plan.
 *
 * The result has the shape of jco's `instantiate` (load.ts `GeneratedModule`),
 * so the engine runs either glue the same way.
 */
import { AirlockError } from '@airlock/core';
import type { WasmModule } from '@airlock/wasi';
import { compileLift, compileLower, HandleTable, type LiftFactory, type LowerFactory, resourceDrop } from './abi/index.js';
import type { CoreArg, CoreItem, Plan } from './link.js';
import type { InstanceState } from './types.js';

interface CoreInstanceLike {
  readonly exports: Readonly<Record<string, unknown>>;
}

export type InstantiateCoreFn = (module: WasmModule, imports?: Record<string, unknown>) => CoreInstanceLike | Promise<CoreInstanceLike>;

/** The name `getCoreModule` is asked for plan module `i`. */
export const coreModuleName = (i: number): string => `core${i}.wasm`;

const camel = (kebab: string): string => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export interface CompiledGlue {
  instantiate(
    getCoreModule: (name: string) => WasmModule,
    imports: Record<string, Record<string, unknown>>,
    instantiateCore?: InstantiateCoreFn,
    /** Called before every host call a lowered import makes (InstanceState.onHostCall). */
    onHostCall?: () => void,
  ): Promise<Record<string, unknown>>;
}

const NO_INSTANCE: CoreInstanceLike = { exports: {} };

type Capture = readonly (readonly [index: number, name: string])[];

export function compilePlan(plan: Plan): CompiledGlue {
  const lowerFactories: LowerFactory[] = plan.lowers.map((l) => compileLower(l.type, l.call, l.opts, `${l.iface}#${l.name}`));
  const liftFactories: LiftFactory[] = plan.lifts.map((l, i) => compileLift(l.type, l.opts, `export ${i}`));
  const dropFactories = plan.tables.map((_, t) => resourceDrop(t));
  const moduleNames = plan.modules.map((_, i) => coreModuleName(i));
  // Per core instance: which st.memories / st.funcs entries it fills.
  const memCaptures: Capture[] = plan.steps.map((_, s) => plan.memories.flatMap((m, i) => (m.inst === s ? [[i, m.name] as const] : [])));
  const funcCaptures: Capture[] = plan.steps.map((_, s) => plan.funcs.flatMap((f, i) => (f.inst === s ? [[i, f.name] as const] : [])));
  const defaultCore: InstantiateCoreFn = (m, imps) =>
    new (globalThis as unknown as { WebAssembly: { Instance: new (m: WasmModule, i?: object) => CoreInstanceLike } }).WebAssembly.Instance(
      m,
      imps,
    );

  return {
    async instantiate(getCoreModule, imports, instantiateCore = defaultCore, onHostCall) {
      const st: InstanceState = {
        memories: new Array(plan.memories.length),
        funcs: new Array(plan.funcs.length),
        tables: plan.tables.map(() => new HandleTable()),
        onHostCall,
      };
      const lowered = new Array<unknown>(plan.lowers.length);
      for (let i = 0; i < plan.lowers.length; i++) {
        const l = plan.lowers[i] as Plan['lowers'][number];
        let host: unknown;
        if (l.hostKey !== undefined) {
          host = imports[l.iface]?.[l.hostKey];
          if (host === undefined) {
            throw new AirlockError('WASM_INVALID', `the component imports ${l.iface}#${l.name}, which the host does not provide`);
          }
        }
        lowered[i] = (lowerFactories[i] as LowerFactory)(st, host);
      }
      const drops = new Array<unknown>(plan.tables.length);
      const insts: CoreInstanceLike[] = [];
      const item = (it: CoreItem): unknown => {
        switch (it.k) {
          case 'export': {
            const v = (insts[it.inst] as CoreInstanceLike).exports[it.name];
            if (v === undefined) throw new AirlockError('WASM_INVALID', `core instance ${it.inst} has no export ${it.name}`);
            return v;
          }
          case 'lower':
            return lowered[it.index];
          case 'drop': {
            drops[it.table] ??= (dropFactories[it.table] as ReturnType<typeof resourceDrop>)(st);
            return drops[it.table];
          }
          case 'late': {
            // Made before the instance it forwards to exists (fixup.ts dropShim).
            const { inst, name } = it;
            let target: ((...a: unknown[]) => unknown) | undefined;
            return (...a: unknown[]): unknown => {
              target ??= (insts[inst] as CoreInstanceLike).exports[name] as (...a: unknown[]) => unknown;
              return target(...a);
            };
          }
        }
      };
      const arg = (a: CoreArg): unknown => {
        if (a.k === 'instance') return (insts[a.inst] as CoreInstanceLike).exports;
        const o: Record<string, unknown> = {};
        for (const [name, it] of a.items) o[name] = item(it);
        return o;
      };
      for (let s = 0; s < plan.steps.length; s++) {
        const step = plan.steps[s] as Plan['steps'][number];
        if (step.k === 'skip') {
          insts.push(NO_INSTANCE);
          continue;
        }
        if (step.k === 'fill') {
          if (step.entries.length > 0) {
            const table = item(step.table) as { set(i: number, f: unknown): void };
            for (const [slot, fn] of step.entries) table.set(slot, item(fn));
          }
          if (step.start !== undefined) (item(step.start) as () => void)();
          insts.push(NO_INSTANCE);
          continue;
        }
        const imps: Record<string, unknown> = {};
        for (const [ns, a] of step.args) imps[ns] = arg(a);
        const made = instantiateCore(getCoreModule(moduleNames[step.module] as string), imps);
        const inst = made instanceof Promise ? await made : made;
        insts.push(inst);
        for (const [i, name] of memCaptures[s] as Capture) st.memories[i] = inst.exports[name] as InstanceState['memories'][number];
        for (const [i, name] of funcCaptures[s] as Capture) st.funcs[i] = inst.exports[name] as InstanceState['funcs'][number];
      }
      const exports: Record<string, unknown> = {};
      for (const [name, e] of plan.exports) {
        if (e.k === 'func') exports[camel(name)] = (liftFactories[e.lift] as LiftFactory)(st);
        else {
          const o: Record<string, unknown> = {};
          for (const [fname, lift] of e.funcs) o[camel(fname)] = (liftFactories[lift] as LiftFactory)(st);
          exports[name] = o;
        }
      }
      return exports;
    },
  };
}

const pascal = (kebab: string): string => {
  const c = camel(kebab);
  return c.charAt(0).toUpperCase() + c.slice(1);
};

/**
 * What the plan's lowered imports need from a host import object that is
 * not there, as `iface#wit-name` (empty when everything is): a function, a
 * class with the static, or a class whose prototype has the method. Checked
 * at load against a host built with no grants, so a component that needs a
 * function our host lacks fails to load, naming it, instead of trapping
 * mid-call. Interfaces absent from `imports` are skipped (checked elsewhere).
 */
export function missingHostFunctions(plan: Plan, imports: Record<string, Record<string, unknown> | undefined>): string[] {
  const missing: string[] = [];
  for (const l of plan.lowers) {
    const ns = imports[l.iface];
    if (ns === undefined) continue;
    let ok: boolean;
    switch (l.call.kind) {
      case 'function':
        ok = typeof ns[l.hostKey as string] === 'function';
        break;
      case 'constructor':
        ok = typeof ns[l.hostKey as string] === 'function';
        break;
      case 'static': {
        const cls = ns[l.hostKey as string] as Record<string, unknown> | undefined;
        ok = typeof cls?.[l.call.name] === 'function';
        break;
      }
      case 'method': {
        const resource = /^\[method\]([^.]+)\./.exec(l.name)?.[1] ?? '';
        const cls = ns[pascal(resource)] as { prototype?: Record<string, unknown> } | undefined;
        ok = typeof cls?.prototype?.[l.call.name] === 'function';
        break;
      }
    }
    if (!ok) missing.push(`${l.iface}#${l.name}`);
  }
  return missing;
}
