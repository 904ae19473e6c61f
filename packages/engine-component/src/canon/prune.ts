/**
 * Drop the core exports a plan never reads.
 *
 * V8 (Node 20) makes a JS function object for every exported function when
 * a module is instantiated, ~0.8 µs each (measured: a 13-function module
 * instantiates in 3.5 µs without exports and 13.8 µs with them). wit-
 * component's modules export far more than an instance of ours reads: the
 * shim's forwarders that fixup elision (fixup.ts) bypassed, the adapter's
 * preview1 functions the main module reaches through the table. Per fresh
 * instance that was ~20 µs of a ~55 µs budget.
 *
 * An export is kept if the plan names it (an alias, a bundle item, a table
 * fill, a captured memory or function) or if a whole instance is passed as
 * an import namespace and the importing module imports that name. Anything
 * this cannot read (a module coreInfo does not understand) keeps every
 * export. Export names are not observable from inside a module, so
 * removing unused ones changes nothing the guest can see.
 */
import { coreInfo } from './core-info.js';
import type { CoreItem, Plan } from './link.js';

/** The plan with every core module's unread exports removed. */
export function pruneExports(plan: Plan): Plan {
  // Needed export names per step (core instance).
  const needed = plan.steps.map(() => new Set<string>());
  const use = (it: CoreItem | undefined): void => {
    if (it?.k === 'export' || it?.k === 'late') needed[it.inst]?.add(it.name);
  };
  const everything = new Set<number>();
  for (const step of plan.steps) {
    if (step.k === 'skip') continue;
    if (step.k === 'fill') {
      if (step.entries.length > 0) use(step.table);
      for (const [, fn] of step.entries) use(fn);
      use(step.start);
      continue;
    }
    const imports = coreInfo(plan.modules[step.module] as Uint8Array)?.imports;
    for (const [ns, a] of step.args) {
      if (a.k === 'bundle') for (const [, it] of a.items) use(it);
      else if (imports === undefined) everything.add(a.inst);
      else for (const i of imports) if (i.module === ns) needed[a.inst]?.add(i.name);
    }
  }
  for (const m of plan.memories) needed[m.inst]?.add(m.name);
  for (const f of plan.funcs) needed[f.inst]?.add(f.name);

  // A module may be instantiated by several steps: keep the union.
  const byModule = new Map<number, Set<string> | 'all'>();
  plan.steps.forEach((step, s) => {
    if (step.k !== 'instantiate') return;
    const prev = byModule.get(step.module);
    if (prev === 'all' || everything.has(s)) byModule.set(step.module, 'all');
    else byModule.set(step.module, new Set([...(prev ?? []), ...(needed[s] as Set<string>)]));
  });
  const modules = plan.modules.map((bytes, i) => {
    const keep = byModule.get(i);
    return keep === undefined || keep === 'all' ? bytes : (withExports(bytes, keep) ?? bytes);
  });
  return { ...plan, modules };
}

/** `bytes` with an export section holding only `keep`; undefined if it cannot be read. */
export function withExports(bytes: Uint8Array, keep: ReadonlySet<string>): Uint8Array | undefined {
  try {
    let at = 8;
    const u32 = (): number => {
      let r = 0;
      let shift = 0;
      for (;;) {
        const x = bytes[at++];
        if (x === undefined || shift > 28) throw new RangeError('leb');
        r += (x & 0x7f) * 2 ** shift;
        if ((x & 0x80) === 0) return r;
        shift += 7;
      }
    };
    while (at < bytes.length) {
      const start = at;
      const id = bytes[at++];
      const size = u32();
      const body = at;
      const end = body + size;
      if (end > bytes.length) return undefined;
      if (id !== 7) {
        at = end;
        continue;
      }
      const kept: Uint8Array[] = [];
      let count = u32();
      for (; count > 0; count--) {
        const entry = at;
        const n = u32();
        const name = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + n));
        at += n + 1; // name, kind
        u32(); // index
        if (keep.has(name)) kept.push(bytes.subarray(entry, at));
      }
      if (at !== end) return undefined;
      const payload = [...leb(kept.length), ...kept.flatMap((k) => [...k])];
      const section = [7, ...leb(payload.length), ...payload];
      const out = new Uint8Array(start + section.length + (bytes.length - end));
      out.set(bytes.subarray(0, start), 0);
      out.set(section, start);
      out.set(bytes.subarray(end), start + section.length);
      return out;
    }
    return bytes;
  } catch {
    return undefined;
  }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
