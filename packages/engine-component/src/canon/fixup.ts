/**
 * wit-component's indirection modules, and how we do without one of them.
 *
 * A component built from a core module and a preview1 adapter has a cycle:
 * the main module imports the adapter's functions, the adapter imports the
 * main module's memory, and the adapter's imports (lowered host functions)
 * need the adapter's own `cabi_import_realloc`. wit-component breaks it
 * with two tiny modules:
 *
 *   shim   — exports one function per indirect import, each just
 *            `local.get 0..n; i32.const K; call_indirect` into its table;
 *            instantiated first, its exports stand in for the real ones;
 *   fixup  — instantiated last: imports the real functions and the shim's
 *            table and fills slot K with the K-th real function in an
 *            active element segment (and may call the main module's
 *            `_initialize` as its start function).
 *
 * Putting a *JS* function into a table (our lowered host imports) makes V8
 * (Node 20) compile a wasm-to-JS wrapper per function per instance: a
 * fixup instance with 13 such entries measured ~190 µs, more than the
 * whole budget of a fresh instance. So when the shapes are exactly these,
 * `elideFixups` removes the fixup instance from the plan:
 *
 *   - a slot that the fixup fills with a lowered host function is used only
 *     by instances made before it (the adapter, through the shim's export);
 *     those uses get the host function itself as a plain import (no table,
 *     and V8 caches plain import wrappers per signature);
 *   - a slot filled with a Wasm function (an adapter export the main module
 *     calls through the shim) is set from JS (`table.set`: no wrapper);
 *   - the fixup's start function is called after the slots are set, where
 *     the fixup instance would have run it.
 *
 * Anything that does not match exactly keeps the fixup instance as is.
 */
import { type CoreImport, coreInfo } from './core-info.js';
import type { CoreArg, CoreItem, Plan, Step } from './link.js';

/** Returns `plan` without its fixup instance where that is safe (see above); else `plan` itself. */
export function elideFixups(plan: Plan): Plan {
  let steps: Step[] = [...plan.steps];
  for (let f = 0; f < steps.length; f++) {
    try {
      const rewritten = elideOne(plan, steps, f);
      if (rewritten !== undefined) steps = rewritten;
    } catch (e) {
      if (!(e instanceof Keep)) throw e;
    }
  }
  return steps === plan.steps ? plan : { ...plan, steps };
}

function elideOne(plan: Plan, steps: Step[], f: number): Step[] | undefined {
  const step = steps[f];
  if (step === undefined || step.k !== 'instantiate') return undefined;
  const info = coreInfo(plan.modules[step.module] as Uint8Array);
  if (info === undefined || info.other || info.definedFuncs !== 0 || info.exports.size !== 0 || info.elems === undefined) return undefined;
  const tables = info.imports.filter((i) => i.kind === 1);
  if (tables.length !== 1 || info.imports.some((i) => i.kind !== 0 && i.kind !== 1)) return undefined;
  const funcImports = info.imports.filter((i) => i.kind === 0);
  // What the fixup's imports are bound to.
  const bound = (imp: CoreImport): CoreItem | undefined => {
    const arg = step.args.find(([ns]) => ns === imp.module)?.[1];
    if (arg === undefined) return undefined;
    if (arg.k === 'instance') return { k: 'export', inst: arg.inst, name: imp.name };
    return arg.items.find(([n]) => n === imp.name)?.[1];
  };
  const tableItem = bound(tables[0] as CoreImport);
  if (tableItem === undefined || tableItem.k !== 'export') return undefined;
  // The shim: the instance that owns the table, all of whose functions forward to a slot.
  const shimStep = steps[tableItem.inst];
  if (shimStep === undefined || shimStep.k !== 'instantiate' || shimStep.args.length !== 0) return undefined;
  const shim = coreInfo(plan.modules[shimStep.module] as Uint8Array);
  if (shim === undefined || shim.imports.length !== 0) return undefined;
  const slotOfExport = new Map<string, number>();
  for (const [name, e] of shim.exports) {
    if (e.kind !== 0) continue;
    const k = shim.forwarders[e.index];
    if (k === undefined) return undefined;
    slotOfExport.set(name, k);
  }
  // Slot → the real function.
  const fill = new Map<number, CoreItem>();
  for (const seg of info.elems) {
    if (seg.table !== 0) return undefined;
    for (const [i, fn] of seg.funcs.entries()) {
      const imp = funcImports[fn];
      const it = imp === undefined ? undefined : bound(imp);
      if (it === undefined) return undefined;
      fill.set(seg.offset + i, it);
    }
  }
  let start: CoreItem | undefined;
  if (info.start !== undefined) {
    const imp = funcImports[info.start];
    start = imp === undefined ? undefined : bound(imp);
    if (start === undefined) return undefined;
  }
  // Uses of shim exports whose slot gets a host function: replace them, in
  // steps before the fixup only; any other use keeps the fixup.
  const isShimUse = (it: CoreItem): number | undefined =>
    it.k === 'export' && it.inst === tableItem.inst ? slotOfExport.get(it.name) : undefined;
  const out = [...steps];
  for (let s = 0; s < out.length; s++) {
    const st = out[s] as Step;
    if (st.k !== 'instantiate' || s === f) continue;
    let changed = false;
    const args = st.args.map(([ns, a]): [string, typeof a] => {
      if (a.k === 'instance') {
        if (a.inst === tableItem.inst) {
          // The whole shim instance as an import namespace: only wasm slots may stay behind it.
          for (const k of slotOfExport.values()) if (fill.get(k)?.k !== 'export') throw new Keep();
        }
        return [ns, a];
      }
      const items = a.items.map(([n, it]): [string, CoreItem] => {
        const k = isShimUse(it);
        if (k === undefined) return [n, it];
        const real = fill.get(k);
        if (real === undefined) throw new Keep();
        if (real.k === 'export') return [n, it]; // a Wasm function: stays behind the table
        if (s > f) throw new Keep();
        changed = true;
        return [n, real];
      });
      return [ns, { k: 'bundle', items }];
    });
    if (changed) out[s] = { ...st, args };
  }
  const wasmSlots = [...fill].filter(([, it]) => it.k === 'export') as [number, CoreItem][];
  out[f] = { k: 'fill', table: tableItem, entries: wasmSlots, ...(start === undefined ? {} : { start }) };
  return dropShim(out, f, tableItem.inst, slotOfExport, fill) ?? out;
}

/**
 * Once the host functions go to the adapter directly, the shim only carries
 * the main module's calls into the adapter (Wasm functions made later).
 * Instantiating it costs more (~7 µs: a table and exported functions) than
 * the few JS forwarders that can replace it (`late` items: ~0.5 µs each to
 * import, ~50 ns per preview1 call), so when every remaining use of the
 * shim is such a bundle item, the shim goes and the fill keeps only `start`.
 */
function dropShim(
  steps: Step[],
  f: number,
  shimSlot: number,
  slotOfExport: ReadonlyMap<string, number>,
  fill: ReadonlyMap<number, CoreItem>,
): Step[] | undefined {
  try {
    return withoutShim(steps, f, shimSlot, slotOfExport, fill);
  } catch (e) {
    if (e instanceof Keep) return undefined;
    throw e;
  }
}

function withoutShim(
  steps: Step[],
  f: number,
  shimSlot: number,
  slotOfExport: ReadonlyMap<string, number>,
  fill: ReadonlyMap<number, CoreItem>,
): Step[] | undefined {
  const out = [...steps];
  for (let s = 0; s < out.length; s++) {
    const st = out[s] as Step;
    if (s === f || st.k !== 'instantiate') continue;
    let changed = false;
    const args = st.args.map(([ns, a]): [string, CoreArg] => {
      if (a.k === 'instance') {
        if (a.inst === shimSlot) throw new Keep();
        return [ns, a];
      }
      const items = a.items.map(([n, it]): [string, CoreItem] => {
        if (it.k !== 'export' || it.inst !== shimSlot) return [n, it];
        const real = fill.get(slotOfExport.get(it.name) ?? -1);
        if (real?.k !== 'export') throw new Keep();
        changed = true;
        return [n, { k: 'late', inst: real.inst, name: real.name }];
      });
      return [ns, { k: 'bundle', items }];
    });
    if (changed) out[s] = { ...st, args };
  }
  const fillStep = out[f];
  if (fillStep?.k !== 'fill') return undefined;
  out[f] = { ...fillStep, entries: [] };
  out[shimSlot] = { k: 'skip' };
  return out;
}

/** Thrown inside elideOne: this fixup must stay. */
class Keep extends Error {}
