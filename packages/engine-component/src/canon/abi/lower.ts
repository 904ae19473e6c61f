/**
 * `canon lower` of an imported host function: a trampoline a core Wasm
 * instance imports. It receives flat core arguments, lifts them to JS
 * values, calls the host (per HostCall), and lowers the result back, flat
 * (≤ 1 core value) or into the caller's return area (the last argument).
 * More than 16 flat parameters arrive as one pointer to a tuple in memory.
 *
 * A host function whose WIT result is `result<T, E>` returns T, or throws
 * E (jco's getErrorPayload: an Error without own `payload` is not an err
 * but a trap, and propagates: LimitTrap and ExitSignal travel this way).
 */

import type { CanonOptions, FuncType, HostCall, InstanceState, ValType } from '../types.js';
import { compiled, type Generated } from './compile.js';
import { Emitter, member, usesMemory } from './emitter.js';
import { flatSource, liftFlat, load } from './gen-lift.js';
import { type Dispatcher, lowerFlat, lowerVariantFlat, store, storeVariant } from './gen-lower.js';
import { alignment, type Case, casesOf, elemSize, fieldOffsets, flatten, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './layout.js';

export type LowerFactory = (st: InstanceState, host: unknown) => (...flat: never[]) => unknown;

export function compileLower(fn: FuncType, call: HostCall, opts: CanonOptions, label: string): LowerFactory {
  const key = `lower ${JSON.stringify([fn, call, opts.memory, opts.realloc, opts.postReturn])}`;
  return compiled(key, () => generateLower(fn, call, opts, label))(label) as LowerFactory;
}

function generateLower(fn: FuncType, call: HostCall, opts: CanonOptions, label: string): Generated {
  const g = new Emitter();
  // Before anything else: the engine's hook (a fuel sync) sees the guest's state as of the call.
  g.line('if (st.onHostCall !== undefined) st.onHostCall();');
  const types = fn.params.map((p) => p.type);
  const flatCount = types.flatMap(flatten).length;
  const paramsInMemory = flatCount > MAX_FLAT_PARAMS;
  const result = fn.result;
  const resultInMemory = result !== undefined && flatten(result).length > MAX_FLAT_RESULTS;
  const args = paramsInMemory ? ['a0'] : Array.from({ length: flatCount }, (_, i) => `a${i}`);
  const retp = resultInMemory ? `a${args.length}` : undefined;

  const needsMemory = paramsInMemory || resultInMemory || types.some(usesMemory) || (result !== undefined && usesMemory(result));
  const needsRealloc = result !== undefined && usesMemory(result);
  if (needsMemory && opts.memory === undefined) throw new Error(`${label}: canon lower needs a memory option`);
  if (needsRealloc && opts.realloc === undefined) throw new Error(`${label}: canon lower needs a realloc option`);
  if (needsMemory) g.line(`const memory = st.memories[${opts.memory}];`);
  if (needsMemory) g.line('let dv = view(memory);');
  if (needsRealloc) g.line(`const realloc = st.funcs[${opts.realloc}];`);

  // Parameters: guest → JS.
  let vals: string[];
  if (paramsInMemory) {
    const tuple: ValType = { kind: 'tuple', types };
    const p = g.let('a0 >>> 0', 'pp');
    g.line(`checkRange(L, dv.buffer, ${p}, ${elemSize(tuple)}, ${alignment(tuple)});`);
    const offs = fieldOffsets(types);
    vals = types.map((t, i) => g.let(load(g, t, p, offs[i] as number), 'x'));
  } else {
    const src = flatSource(args);
    vals = types.map((t) => g.let(liftFlat(g, t, src), 'x'));
  }

  // The call, with jco's result<T, E> convention when the WIT result is a result.
  const callExpr = hostCall(call, vals);
  const topResult = result?.kind === 'result';
  if (result === undefined) g.line(`${callExpr};`);
  else if (!topResult) g.line(`const r = ${callExpr};`);
  else {
    g.line('let ok = true, r;');
    g.open('try {');
    g.line(`r = ${callExpr};`);
    g.close('} catch (e) {');
    g.line('  ok = false;');
    g.line('  r = errorPayload(e);');
    g.line('}');
    // jco passes through a host value that already is a { tag: 'ok' | 'err', val } result.
    g.open("if (ok && typeof r === 'object' && r !== null && (r.tag === 'ok' || r.tag === 'err')) {");
    g.line("ok = r.tag === 'ok';");
    g.line('r = r.val;');
    g.close();
  }
  if (result === undefined) return done(g, args, retp);
  if (needsMemory) g.line('dv = view(memory);');

  // Result: JS → guest.
  const select: Dispatcher | undefined = topResult ? selectResult(g, result, 'ok', 'r') : undefined;
  if (!resultInMemory) {
    const flat = select !== undefined ? lowerVariantFlat(g, result, select) : lowerFlat(g, result, 'r');
    if (flat.length === 1) g.line(`return ${flat[0]};`);
  } else {
    const rp = g.let(`${retp} >>> 0`, 'rp');
    g.line(`checkRange(L, dv.buffer, ${rp}, ${elemSize(result)}, ${alignment(result)});`);
    if (select !== undefined) storeVariant(g, result, rp, 0, select);
    else store(g, result, 'r', rp, 0);
  }
  return done(g, args, retp);
}

function done(g: Emitter, args: string[], retp: string | undefined): Generated {
  return { hoisted: g.hoisted, params: retp === undefined ? args : [...args, retp], body: g.source(), factoryParams: ['host'] };
}

/** The top-level result's case comes from the `ok` flag, its payload is `r` itself. */
function selectResult(g: Emitter, t: ValType, ok: string, r: string): Dispatcher {
  const [okCase, errCase] = casesOf(t) as [Case, Case];
  return (onCase) => {
    g.open(`if (${ok}) {`);
    onCase(0, okCase, okCase.type !== undefined ? r : undefined);
    g.mid('} else {');
    onCase(1, errCase, errCase.type !== undefined ? r : undefined);
    g.close();
  };
}

function hostCall(call: HostCall, vals: string[]): string {
  switch (call.kind) {
    case 'function':
      return `host(${vals.join(', ')})`;
    case 'method': {
      const [self, ...rest] = vals;
      if (self === undefined) throw new Error(`[method] ${call.name} has no self parameter`);
      return `${member(self, call.name)}(${rest.join(', ')})`;
    }
    case 'static':
      return `${member('host', call.name)}(${vals.join(', ')})`;
    case 'constructor':
      return `new host(${vals.join(', ')})`;
  }
}
