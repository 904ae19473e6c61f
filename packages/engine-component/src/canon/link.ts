/**
 * Link: a parsed component (ast.ts) → a `Plan` that instance.ts runs once
 * per fresh instance. This is the part of a component runtime that jco's
 * transpiler does in Rust and prints as JS; we evaluate the component's
 * instantiation graph once, at load time, symbolically:
 *
 *   - every index space of every (nested) component holds symbolic values:
 *     a core instance is a *slot* (the n-th core instance made at run time)
 *     or a bundle of items; a component function is a host import or a
 *     lifted core function; a type is resolved to a `ValType`/`FuncType`;
 *   - nested components are evaluated in place with their arguments bound
 *     (wit-component uses one to give an exported interface its types), so
 *     the plan is flat: a list of core instantiations in order, the
 *     lowered imports (one `canon lower` each), the lifted exports;
 *   - every imported resource type gets one handle table per instance.
 *
 * Anything outside the synchronous subset we run (async built-ins, guest-
 * defined resources, start functions, non-UTF-8 strings, imported core
 * modules or components, lowering a lifted function) throws `Unsupported`:
 * the engine then falls back to jco's glue, which runs everything.
 */
import type * as A from './ast.js';
import type { CanonOptions, FuncType, HostCall, ResourceRef, ValType } from './types.js';

/** The component is valid but uses something our glue does not run. */
export class Unsupported extends Error {
  override readonly name = 'Unsupported';
}

/** Where a core item comes from at run time. */
export type CoreItem =
  /** An export of the `inst`-th core instance made by this plan. */
  | { readonly k: 'export'; readonly inst: number; readonly name: string }
  /** The `index`-th lowered host import (`Plan.lowers`). */
  | { readonly k: 'lower'; readonly index: number }
  /** `canon resource.drop` of an imported resource: its handle table. */
  | { readonly k: 'drop'; readonly table: number }
  /**
   * An export of a core instance made *later* (fixup.ts, for the shim it
   * replaces): a JS function that forwards each call to that export, looked
   * up when first called.
   */
  | { readonly k: 'late'; readonly inst: number; readonly name: string };

export type CoreArg =
  | { readonly k: 'instance'; readonly inst: number }
  | { readonly k: 'bundle'; readonly items: readonly (readonly [string, CoreItem])[] };

export interface InstantiateStep {
  readonly k: 'instantiate';
  /** Index into `Plan.modules`. */
  readonly module: number;
  readonly args: readonly (readonly [string, CoreArg])[];
}

/** Where a fixup instance was elided (fixup.ts): set Wasm functions into a table, then call `start`. */
export interface FillStep {
  readonly k: 'fill';
  readonly table: CoreItem;
  readonly entries: readonly (readonly [slot: number, fn: CoreItem])[];
  readonly start?: CoreItem;
}

/** A core instance the plan no longer needs (fixup.ts removed every use of it). */
export interface SkipStep {
  readonly k: 'skip';
}

/** One step per core instance of the component, in order; `inst` indices name steps. */
export type Step = InstantiateStep | FillStep | SkipStep;

export interface LowerPlan {
  /** The unversioned interface, the key of the host's import object (`wasi:filesystem/types`). */
  readonly iface: string;
  /** The WIT name (`[method]descriptor.stat`). */
  readonly name: string;
  readonly call: HostCall;
  /** The key of the host's interface object: a function name, or a class for `static`/`constructor`. */
  readonly hostKey: string | undefined;
  readonly type: FuncType;
  readonly opts: CanonOptions;
}

export interface LiftPlan {
  readonly type: FuncType;
  readonly opts: CanonOptions & { readonly callee: number };
}

export type ExportPlan =
  | { readonly k: 'func'; readonly lift: number }
  | { readonly k: 'instance'; readonly funcs: readonly (readonly [string, number])[] };

export interface Plan {
  readonly modules: readonly Uint8Array[];
  readonly steps: readonly Step[];
  readonly lowers: readonly LowerPlan[];
  readonly lifts: readonly LiftPlan[];
  /** `st.memories[i]` / `st.funcs[i]` is this export of this core instance. */
  readonly memories: readonly { readonly inst: number; readonly name: string }[];
  readonly funcs: readonly { readonly inst: number; readonly name: string }[];
  /** One handle table per imported resource type. */
  readonly tables: readonly ResourceRef[];
  readonly exports: readonly (readonly [string, ExportPlan])[];
  /** Imported interfaces that have functions, unversioned, in import order (types-only ones need no host). */
  readonly imports: readonly string[];
}

// ---- symbolic values ---------------------------------------------------------

type CoreInst = { readonly k: 'slot'; readonly slot: number } | { readonly k: 'bundle'; readonly items: Map<string, CoreItem> };

type TypeVal =
  | { readonly k: 'val'; readonly v: ValType }
  | { readonly k: 'func'; readonly f: FuncType }
  | { readonly k: 'resource'; readonly r: ResourceRef }
  | { readonly k: 'instance'; readonly decls: readonly A.Decl[]; readonly scope: Scope }
  | { readonly k: 'component'; readonly decls: readonly A.Decl[]; readonly scope: Scope };

type FuncVal =
  | { readonly k: 'host'; readonly iface: string; readonly name: string; readonly type: FuncType }
  | { readonly k: 'lifted'; readonly index: number };

type Item =
  | { readonly sort: 'func'; readonly v: FuncVal }
  | { readonly sort: 'type'; readonly v: TypeVal }
  | { readonly sort: 'instance'; readonly v: InstVal }
  | { readonly sort: 'component'; readonly v: CompVal };

interface InstVal {
  /** The imported interface it stands for (a host instance), or undefined for a bundle made in the component. */
  readonly iface: string | undefined;
  readonly exports: Map<string, Item>;
}

interface CompVal {
  readonly ast: A.Component;
  readonly scope: Scope;
}

class Scope {
  readonly coreModules: number[] = [];
  readonly coreInstances: CoreInst[] = [];
  readonly coreFuncs: CoreItem[] = [];
  readonly coreTables: CoreItem[] = [];
  readonly coreMemories: CoreItem[] = [];
  readonly coreGlobals: CoreItem[] = [];
  readonly funcs: FuncVal[] = [];
  readonly types: TypeVal[] = [];
  readonly instances: InstVal[] = [];
  readonly components: CompVal[] = [];
  constructor(readonly parent: Scope | undefined) {}

  outer(count: number): Scope {
    let s: Scope | undefined = this;
    for (let i = 0; i < count; i++) s = s?.parent;
    if (s === undefined) throw new Unsupported(`an outer alias reaches ${count} components out`);
    return s;
  }
}

const at = <T>(space: readonly T[], index: number, what: string): T => {
  const v = space[index];
  if (v === undefined) throw new Unsupported(`${what} index ${index} is out of range`);
  return v;
};

/** `wasi:filesystem/types@0.2.12` → `wasi:filesystem/types`. */
export const unversioned = (name: string): string => name.replace(/@[^@/]*$/, '');

const camel = (kebab: string): string => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (kebab: string): string => {
  const c = camel(kebab);
  return c.charAt(0).toUpperCase() + c.slice(1);
};

/** How jco's glue (and so our host) names a WIT function: see `HostCall`. */
export function hostCallOf(name: string): { call: HostCall; hostKey: string | undefined } {
  let m = /^\[method\]([^.]+)\.(.+)$/.exec(name);
  if (m) return { call: { kind: 'method', name: camel(m[2] as string) }, hostKey: undefined };
  m = /^\[static\]([^.]+)\.(.+)$/.exec(name);
  if (m) return { call: { kind: 'static', name: camel(m[2] as string) }, hostKey: pascal(m[1] as string) };
  m = /^\[constructor\](.+)$/.exec(name);
  if (m) return { call: { kind: 'constructor' }, hostKey: pascal(m[1] as string) };
  return { call: { kind: 'function' }, hostKey: camel(name) };
}

// ---- the linker ----------------------------------------------------------------

class Linker {
  readonly modules: Uint8Array[] = [];
  readonly steps: Step[] = [];
  readonly lowers: LowerPlan[] = [];
  readonly lifts: LiftPlan[] = [];
  readonly memories: { inst: number; name: string }[] = [];
  readonly funcs: { inst: number; name: string }[] = [];
  readonly tables: ResourceRef[] = [];
  readonly imports: string[] = [];
  #memoryIndex = new Map<string, number>();
  #funcIndex = new Map<string, number>();

  /** Evaluates one component's definitions; returns its exports. */
  component(ast: A.Component, scope: Scope, args: Map<string, Item> | undefined): Map<string, Item> {
    const exports = new Map<string, Item>();
    for (const d of ast.definitions) this.definition(d, scope, args, exports);
    return exports;
  }

  definition(d: A.Definition, s: Scope, args: Map<string, Item> | undefined, exports: Map<string, Item>): void {
    switch (d.tag) {
      case 'core-module':
        s.coreModules.push(this.modules.push(d.bytes) - 1);
        return;
      case 'core-instance-instantiate': {
        const module = at(s.coreModules, d.module, 'core module');
        const stepArgs = d.args.map(({ name, instance }): [string, CoreArg] => {
          const ci = at(s.coreInstances, instance, 'core instance');
          return [name, ci.k === 'slot' ? { k: 'instance', inst: ci.slot } : { k: 'bundle', items: [...ci.items] }];
        });
        const slot = this.steps.push({ k: 'instantiate', module, args: stepArgs }) - 1;
        s.coreInstances.push({ k: 'slot', slot });
        return;
      }
      case 'core-instance-exports': {
        const items = new Map<string, CoreItem>();
        for (const e of d.exports) items.set(e.name, this.coreItem(s, e.sort, e.index));
        s.coreInstances.push({ k: 'bundle', items });
        return;
      }
      case 'core-type':
        return;
      case 'component':
        s.components.push({ ast: d.component, scope: s });
        return;
      case 'instance-instantiate': {
        const comp = at(s.components, d.component, 'component');
        const bound = new Map<string, Item>();
        for (const a of d.args) bound.set(a.name, this.item(s, a.sort, a.index));
        const inner = new Scope(comp.scope);
        s.instances.push({ iface: undefined, exports: this.component(comp.ast, inner, bound) });
        return;
      }
      case 'instance-exports': {
        const ex = new Map<string, Item>();
        for (const e of d.exports) ex.set(e.name, this.item(s, e.sort, e.index));
        s.instances.push({ iface: undefined, exports: ex });
        return;
      }
      case 'alias-export': {
        const inst = at(s.instances, d.instance, 'instance');
        const it = inst.exports.get(d.name);
        if (it === undefined) throw new Unsupported(`instance ${d.instance} has no export ${d.name}`);
        this.push(s, d.sort, it);
        return;
      }
      case 'alias-core-export': {
        const ci = at(s.coreInstances, d.instance, 'core instance');
        const item: CoreItem | undefined = ci.k === 'slot' ? { k: 'export', inst: ci.slot, name: d.name } : ci.items.get(d.name);
        if (item === undefined) throw new Unsupported(`core instance ${d.instance} has no export ${d.name}`);
        this.pushCore(s, d.sort, item);
        return;
      }
      case 'alias-outer': {
        const from = s.outer(d.count);
        this.push(s, d.sort, this.item(from, d.sort, d.index));
        return;
      }
      case 'type':
        s.types.push(this.typeDef(d.type, s));
        return;
      case 'canon-lift': {
        const callee = this.coreItem(s, 'func', d.coreFunc);
        const t = at(s.types, d.type, 'type');
        if (t.k !== 'func') throw new Unsupported('canon lift of a non-function type');
        const opts = this.options(s, d.opts, true);
        const index = this.lifts.push({ type: t.f, opts: { ...opts, callee: this.funcSlot(callee) } }) - 1;
        s.funcs.push({ k: 'lifted', index });
        return;
      }
      case 'canon-lower': {
        const f = at(s.funcs, d.func, 'func');
        if (f.k !== 'host') throw new Unsupported('lowering a lifted function (component-to-component fusion)');
        const opts = this.options(s, d.opts, false);
        const { call, hostKey } = hostCallOf(f.name);
        const index = this.lowers.push({ iface: unversioned(f.iface), name: f.name, call, hostKey, type: f.type, opts }) - 1;
        s.coreFuncs.push({ k: 'lower', index });
        return;
      }
      case 'canon-resource-drop': {
        const t = at(s.types, d.type, 'type');
        if (t.k !== 'resource') throw new Unsupported('resource.drop of a non-resource type');
        s.coreFuncs.push({ k: 'drop', table: t.r.table });
        return;
      }
      case 'canon-resource-new':
      case 'canon-resource-rep':
        throw new Unsupported('resources defined by the component (resource.new/rep)');
      case 'canon-unsupported':
        throw new Unsupported(`canon built-in 0x${d.opcode.toString(16)} (async or threads)`);
      case 'start':
        throw new Unsupported('a component start function');
      case 'import':
        this.import(d, s, args);
        return;
      case 'export': {
        const it = this.item(s, d.sort, d.index);
        exports.set(d.name, it);
        this.push(s, d.sort, it);
        return;
      }
    }
  }

  import(d: Extract<A.Definition, { tag: 'import' }>, s: Scope, args: Map<string, Item> | undefined): void {
    if (args !== undefined) {
      // A nested component: imports are its instantiation arguments.
      const it = args.get(d.name);
      if (it === undefined) throw new Unsupported(`nested component import ${d.name} has no argument`);
      this.push(s, sortOfDesc(d.desc), it);
      return;
    }
    const desc = d.desc;
    switch (desc.sort) {
      case 'instance': {
        const t = at(s.types, desc.type, 'type');
        if (t.k !== 'instance') throw new Unsupported(`import ${d.name} is not of an instance type`);
        const inst = this.hostInstance(d.name, t);
        // A types-only interface (airlock:tool/types) needs nothing from the host.
        const needsHost = [...inst.exports.values()].some((it) => it.sort === 'func');
        if (needsHost && !this.imports.includes(unversioned(d.name))) this.imports.push(unversioned(d.name));
        s.instances.push(inst);
        return;
      }
      case 'type': {
        if ('eq' in desc.bound) s.types.push(at(s.types, desc.bound.eq, 'type'));
        else throw new Unsupported(`import ${d.name}: an abstract resource imported by the root component`);
        return;
      }
      default:
        throw new Unsupported(`import ${d.name} of a ${desc.sort} (only instances and types are imported)`);
    }
  }

  /** An imported instance: its type's declarations, with a fresh resource per exported resource type. */
  hostInstance(iface: string, t: Extract<TypeVal, { k: 'instance' }>): InstVal {
    const s = new Scope(t.scope);
    const exports = new Map<string, Item>();
    for (const d of t.decls) {
      switch (d.tag) {
        case 'core-type':
          break;
        case 'type':
          s.types.push(this.typeDef(d.type, s));
          break;
        case 'alias-outer':
          this.push(s, d.sort, this.item(s.outer(d.count), d.sort, d.index));
          break;
        case 'export': {
          const desc = d.desc;
          if (desc.sort === 'type') {
            let tv: TypeVal;
            if ('eq' in desc.bound) tv = at(s.types, desc.bound.eq, 'type');
            else {
              const r: ResourceRef = { table: this.tables.length, name: d.name };
              this.tables.push(r);
              tv = { k: 'resource', r };
            }
            s.types.push(tv);
            exports.set(d.name, { sort: 'type', v: tv });
          } else if (desc.sort === 'func') {
            const ft = at(s.types, desc.type, 'type');
            if (ft.k !== 'func') throw new Unsupported(`${iface}#${d.name} is not a function type`);
            const v: FuncVal = { k: 'host', iface, name: d.name, type: ft.f };
            exports.set(d.name, { sort: 'func', v });
          } else throw new Unsupported(`${iface} exports a ${desc.sort}`);
          break;
        }
        default:
          throw new Unsupported(`${iface}: a ${d.tag} declaration in an instance type`);
      }
    }
    return { iface, exports };
  }

  typeDef(t: A.TypeDef, s: Scope): TypeVal {
    switch (t.tag) {
      case 'defined':
        return { k: 'val', v: this.defined(t.type, s) };
      case 'func': {
        if (t.async) throw new Unsupported('an async function type');
        const params = t.params.map((p) => ({ name: p.name, type: this.val(p.type, s) }));
        return { k: 'func', f: t.result === undefined ? { params } : { params, result: this.val(t.result, s) } };
      }
      case 'instance':
        return { k: 'instance', decls: t.decls, scope: s };
      case 'component':
        return { k: 'component', decls: t.decls, scope: s };
      case 'resource':
        throw new Unsupported('a resource type defined by the component');
    }
  }

  val(r: A.ValTypeRef, s: Scope): ValType {
    if ('prim' in r) {
      if (r.prim === 'error-context') throw new Unsupported('error-context');
      return { kind: r.prim };
    }
    const t = at(s.types, r.type, 'type');
    if (t.k !== 'val') throw new Unsupported(`type ${r.type} is not a value type`);
    return t.v;
  }

  defined(d: A.DefValType, s: Scope): ValType {
    const v = (r: A.ValTypeRef): ValType => this.val(r, s);
    switch (d.kind) {
      case 'prim':
        return v({ prim: d.prim });
      case 'record':
        return { kind: 'record', fields: d.fields.map((f) => ({ name: f.name, type: v(f.type) })) };
      case 'variant':
        return {
          kind: 'variant',
          cases: d.cases.map((c) => (c.type === undefined ? { name: c.name } : { name: c.name, type: v(c.type) })),
        };
      case 'list':
        if (d.length !== undefined) throw new Unsupported('a fixed-size list');
        return { kind: 'list', elem: v(d.elem) };
      case 'tuple':
        return { kind: 'tuple', types: d.types.map(v) };
      case 'flags':
        return { kind: 'flags', names: d.names };
      case 'enum':
        return { kind: 'enum', names: d.names };
      case 'option':
        return { kind: 'option', type: v(d.type) };
      case 'result':
        return { kind: 'result', ...(d.ok === undefined ? {} : { ok: v(d.ok) }), ...(d.err === undefined ? {} : { err: v(d.err) }) };
      case 'own':
      case 'borrow': {
        const t = at(s.types, d.type, 'type');
        if (t.k !== 'resource') throw new Unsupported(`${d.kind} of a non-resource type`);
        return { kind: d.kind, resource: t.r };
      }
      case 'unsupported':
        throw new Unsupported(`value type opcode 0x${d.opcode.toString(16)} (stream/future)`);
    }
  }

  options(s: Scope, opts: readonly A.CanonOpt[], lift: boolean): CanonOptions {
    let memory: number | undefined;
    let realloc: number | undefined;
    let postReturn: number | undefined;
    for (const o of opts) {
      switch (o.tag) {
        case 'utf8':
          break;
        case 'memory':
          memory = this.memorySlot(at(s.coreMemories, o.index, 'core memory'));
          break;
        case 'realloc':
          realloc = this.funcSlot(at(s.coreFuncs, o.index, 'core func'));
          break;
        case 'post-return':
          if (!lift) throw new Unsupported('post-return on canon lower');
          postReturn = this.funcSlot(at(s.coreFuncs, o.index, 'core func'));
          break;
        default:
          throw new Unsupported(`canonical option ${o.tag}`);
      }
    }
    return {
      ...(memory === undefined ? {} : { memory }),
      ...(realloc === undefined ? {} : { realloc }),
      ...(postReturn === undefined ? {} : { postReturn }),
    };
  }

  memorySlot(item: CoreItem): number {
    if (item.k !== 'export') throw new Unsupported('a memory that is not a core export');
    const key = `${item.inst}\0${item.name}`;
    let i = this.#memoryIndex.get(key);
    if (i === undefined) {
      i = this.memories.push({ inst: item.inst, name: item.name }) - 1;
      this.#memoryIndex.set(key, i);
    }
    return i;
  }

  funcSlot(item: CoreItem): number {
    if (item.k !== 'export') throw new Unsupported('a realloc, post-return or lifted function that is not a core export');
    const key = `${item.inst}\0${item.name}`;
    let i = this.#funcIndex.get(key);
    if (i === undefined) {
      i = this.funcs.push({ inst: item.inst, name: item.name }) - 1;
      this.#funcIndex.set(key, i);
    }
    return i;
  }

  coreItem(s: Scope, sort: A.CoreSort, index: number): CoreItem {
    switch (sort) {
      case 'func':
        return at(s.coreFuncs, index, 'core func');
      case 'table':
        return at(s.coreTables, index, 'core table');
      case 'memory':
        return at(s.coreMemories, index, 'core memory');
      case 'global':
        return at(s.coreGlobals, index, 'core global');
      default:
        throw new Unsupported(`a core ${sort} as an instance export`);
    }
  }

  pushCore(s: Scope, sort: A.CoreSort, item: CoreItem): void {
    switch (sort) {
      case 'func':
        s.coreFuncs.push(item);
        return;
      case 'table':
        s.coreTables.push(item);
        return;
      case 'memory':
        s.coreMemories.push(item);
        return;
      case 'global':
        s.coreGlobals.push(item);
        return;
      default:
        throw new Unsupported(`an alias of a core ${sort}`);
    }
  }

  item(s: Scope, sort: A.Sort, index: number): Item {
    switch (sort) {
      case 'func':
        return { sort, v: at(s.funcs, index, 'func') };
      case 'type':
        return { sort, v: at(s.types, index, 'type') };
      case 'instance':
        return { sort, v: at(s.instances, index, 'instance') };
      case 'component':
        return { sort, v: at(s.components, index, 'component') };
      default:
        throw new Unsupported(`a ${typeof sort === 'string' ? sort : `core ${sort.core}`} as a component item`);
    }
  }

  push(s: Scope, sort: A.Sort, it: Item): void {
    if (typeof sort !== 'string' || sort !== it.sort) {
      // Core items never travel through component instances in what we run.
      throw new Unsupported(`a ${typeof sort === 'string' ? sort : `core ${sort.core}`} where a ${it.sort} was given`);
    }
    switch (it.sort) {
      case 'func':
        s.funcs.push(it.v);
        return;
      case 'type':
        s.types.push(it.v);
        return;
      case 'instance':
        s.instances.push(it.v);
        return;
      case 'component':
        s.components.push(it.v);
        return;
    }
  }
}

const sortOfDesc = (d: A.ExternDesc): A.Sort => (d.sort === 'module' ? { core: 'module' } : d.sort);

/** Links a parsed root component; throws `Unsupported` outside the subset. */
export function link(root: A.Component): Plan {
  const l = new Linker();
  const exported = l.component(root, new Scope(undefined), undefined);
  const exports: [string, ExportPlan][] = [];
  for (const [name, it] of exported) {
    if (it.sort === 'func') {
      if (it.v.k !== 'lifted') throw new Unsupported(`export ${name} re-exports an import`);
      exports.push([name, { k: 'func', lift: it.v.index }]);
    } else if (it.sort === 'instance') {
      const funcs: [string, number][] = [];
      for (const [fname, f] of it.v.exports) {
        if (f.sort !== 'func') continue;
        if (f.v.k !== 'lifted') throw new Unsupported(`export ${name}#${fname} re-exports an import`);
        funcs.push([fname, f.v.index]);
      }
      exports.push([name, { k: 'instance', funcs }]);
    }
    // Exported types need nothing at run time.
  }
  return {
    modules: l.modules,
    steps: l.steps,
    lowers: l.lowers,
    lifts: l.lifts,
    memories: l.memories,
    funcs: l.funcs,
    tables: l.tables,
    exports,
    imports: l.imports,
  };
}
