/**
 * The core function types a component's canonical built-ins require.
 *
 * A `canon lift` or `canon lower` fixes the core signature of the function
 * on the other side: the CanonicalABI flattens the component-level types
 * into core values (abi/layout.ts `flatten`), and spills to memory past a
 * few of them. wasm-tools (and so jco) validates that whole components
 * agree with this; V8 only validates each core module on its own, and our
 * generated trampolines trust the component. A component whose lifted
 * export or lowered import has another core type would be run with its
 * arguments misread, so it is refused here, at load, like wasm-tools
 * refuses it:
 *
 *   lift     core params  = flat params, or one i32 (a pointer) past 16;
 *            core results = the flat result if it is at most one value,
 *                           else one i32 (a pointer to it);
 *   lower    core params  = flat params (or one i32 past 16), plus a
 *                           trailing i32 out-pointer if the result is more
 *                           than one flat value; core results = the flat
 *                           result if one value, else none;
 *   resource.drop (i32) -> ();  realloc (i32, i32, i32, i32) -> (i32);
 *   post-return  the lift's core results -> ().
 *
 * What the core reader (core-info.ts) cannot read, a module or a type, is
 * skipped: V8 still validates the module, and such a module is outside
 * what wit-component produces today.
 */
import { AirlockError } from '@airlock/core';
import { flatten, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './abi/layout.js';
import { type CoreFuncType, type CoreInfo, coreInfo, funcTypeOf } from './core-info.js';
import type { CoreItem, Plan } from './link.js';
import type { FuncType, ValType } from './types.js';

/** Throws WASM_INVALID naming the first core function whose type disagrees with its canonical built-in. */
export function checkSignatures(plan: Plan, toolName: string): void {
  // coreInfo reads each module once (and shares it with fixup.ts and prune.ts, which run next).
  const infoOf = (module: number): CoreInfo | undefined => coreInfo(plan.modules[module] as Uint8Array);
  /** `have` is the core type found, or what is wrong instead (`is not a function`). */
  const fail = (what: string, have: CoreFuncType | string, want: CoreFuncType): never => {
    const problem = typeof have === 'string' ? `${have}; expected a function of type` : `has type ${coreSig(have)}, expected`;
    throw new AirlockError('WASM_INVALID', `tool "${toolName}": ${what} ${problem} ${coreSig(want)}`, {
      details: { expected: coreSig(want), actual: typeof have === 'string' ? have : coreSig(have) },
    });
  };
  /** Checks export `name` of core instance `inst` (one of `plan.funcs`); unknown modules and types pass. */
  const checkExport = (f: { inst: number; name: string }, what: () => string, want: CoreFuncType): void => {
    const step = plan.steps[f.inst];
    if (step?.k !== 'instantiate') return;
    const info = infoOf(step.module);
    if (info === undefined) return;
    const e = info.exports.get(f.name);
    if (e === undefined) fail(what(), `is not exported by core module ${step.module}`, want);
    else if (e.kind !== 0) fail(what(), 'is not a function', want);
    else {
      const have = funcTypeOf(info, e.index);
      if (have !== undefined && !same(have, want)) fail(what(), have, want);
    }
  };
  const liftNames = namesOfLifts(plan);
  const reallocs = new Set<number>();
  const checkRealloc = (realloc: number | undefined, of: () => string): void => {
    const f = realloc === undefined ? undefined : plan.funcs[realloc];
    if (f === undefined || reallocs.has(realloc as number)) return;
    reallocs.add(realloc as number);
    checkExport(f, () => `the core function "${f.name}", realloc of ${of()},`, REALLOC);
  };

  plan.lifts.forEach((lift, i) => {
    const wit = (): string => witFunc(liftNames[i] ?? `lift #${i}`, lift.type);
    const want = liftSignature(lift.type);
    const callee = plan.funcs[lift.opts.callee];
    if (callee !== undefined) checkExport(callee, () => `the core function "${callee.name}" lifted as ${wit()}`, want);
    checkRealloc(lift.opts.realloc, wit);
    const post = lift.opts.postReturn === undefined ? undefined : plan.funcs[lift.opts.postReturn];
    if (post !== undefined) {
      checkExport(post, () => `the core function "${post.name}", post-return of ${wit()},`, { params: want.results, results: [] });
    }
  });
  for (const lower of plan.lowers) checkRealloc(lower.opts.realloc, () => witFunc(`${lower.iface}#${lower.name}`, lower.type));

  // Lowered functions and resource.drop, where a core module imports them.
  for (const step of plan.steps) {
    if (step.k !== 'instantiate') continue;
    for (const [ns, arg] of step.args) {
      if (arg.k !== 'bundle') continue; // a whole core instance: V8 checks its exports' types at instantiation
      for (const [name, item] of arg.items) {
        const expected = importExpectation(plan, item);
        if (expected === undefined) continue;
        const info = infoOf(step.module);
        if (info === undefined) break;
        const imp = info.imports.find((x) => x.module === ns && x.name === name);
        if (imp === undefined) continue; // an argument nobody imports
        const what = (): string => `the core import "${ns}" "${name}" of core module ${step.module}, ${expected.of()},`;
        if (imp.kind !== 0) fail(what(), 'is not a function', expected.want);
        const have = imp.type === undefined ? undefined : info.types[imp.type];
        if (have !== undefined && !same(have, expected.want)) fail(what(), have, expected.want);
      }
    }
  }
}

const REALLOC: CoreFuncType = { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] };
const DROP: CoreFuncType = { params: ['i32'], results: [] };

/** What a core import bound to `item` must be, if it is a canonical built-in. */
function importExpectation(plan: Plan, item: CoreItem): { want: CoreFuncType; of: () => string } | undefined {
  if (item.k === 'drop') {
    return { want: DROP, of: () => `resource.drop of ${plan.tables[item.table]?.name ?? 'a resource'}` };
  }
  if (item.k !== 'lower') return undefined;
  const lower = plan.lowers[item.index];
  if (lower === undefined) return undefined;
  return { want: lowerSignature(lower.type), of: () => `lowered from ${witFunc(`${lower.iface}#${lower.name}`, lower.type)}` };
}

/** The core type of the function a `canon lift` of `f` calls (CanonicalABI `flatten_functype`, lift). */
function liftSignature(f: FuncType): CoreFuncType {
  const params = flatParams(f);
  const results = f.result === undefined ? [] : flatten(f.result);
  return { params, results: results.length > MAX_FLAT_RESULTS ? ['i32'] : results };
}

/** The core type of the function a `canon lower` of `f` makes (CanonicalABI `flatten_functype`, lower). */
function lowerSignature(f: FuncType): CoreFuncType {
  const params = flatParams(f);
  const results = f.result === undefined ? [] : flatten(f.result);
  return results.length > MAX_FLAT_RESULTS ? { params: [...params, 'i32'], results: [] } : { params, results };
}

function flatParams(f: FuncType): string[] {
  const params = f.params.flatMap((p) => flatten(p.type));
  return params.length > MAX_FLAT_PARAMS ? ['i32'] : params;
}

const same = (a: CoreFuncType, b: CoreFuncType): boolean =>
  a.params.length === b.params.length &&
  a.results.length === b.results.length &&
  a.params.every((t, i) => t === b.params[i]) &&
  a.results.every((t, i) => t === b.results[i]);

/** `(i32, i32) -> (i32)`, as wasm-tools prints a core function type. */
const coreSig = (t: CoreFuncType): string => `(${t.params.join(', ')}) -> (${t.results.join(', ')})`;

/** The exported name of each lift: `call`, or `wasi:cli/run@0.2.0#run` for a function of an exported instance. */
function namesOfLifts(plan: Plan): (string | undefined)[] {
  const names: (string | undefined)[] = [];
  for (const [name, e] of plan.exports) {
    if (e.k === 'func') names[e.lift] = name;
    else for (const [fn, lift] of e.funcs) names[lift] = `${name}#${fn}`;
  }
  return names;
}

/** `call(input: string) -> result<string, variant { … }>`: a component function, WIT-like. */
function witFunc(name: string, f: FuncType): string {
  const params = f.params.map((p) => `${p.name}: ${wit(p.type)}`).join(', ');
  return `${name}(${params})${f.result === undefined ? '' : ` -> ${wit(f.result)}`}`;
}

/** WIT-like spelling of a resolved type. Types have no names once linked, so records and variants show their labels. */
function wit(t: ValType): string {
  const labels = (kind: string, names: readonly string[]): string =>
    `${kind} { ${names.length > 4 ? `${names.slice(0, 4).join(', ')}, …` : names.join(', ')} }`;
  switch (t.kind) {
    case 'list':
      return `list<${wit(t.elem)}>`;
    case 'option':
      return `option<${wit(t.type)}>`;
    case 'tuple':
      return `tuple<${t.types.map(wit).join(', ')}>`;
    case 'result':
      if (t.ok === undefined && t.err === undefined) return 'result';
      if (t.err === undefined) return `result<${wit(t.ok as ValType)}>`;
      return `result<${t.ok === undefined ? '_' : wit(t.ok)}, ${wit(t.err)}>`;
    case 'own':
      return t.resource.name;
    case 'borrow':
      return `borrow<${t.resource.name}>`;
    case 'record':
      return labels(
        'record',
        t.fields.map((f) => f.name),
      );
    case 'variant':
      return labels(
        'variant',
        t.cases.map((c) => c.name),
      );
    case 'enum':
      return labels('enum', t.names);
    case 'flags':
      return labels('flags', t.names);
    default:
      return t.kind;
  }
}
