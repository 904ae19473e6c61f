/**
 * `canon lift` of an exported guest function: a JS function the engine
 * calls. It lowers JS arguments into flat core arguments (strings and
 * lists copied into memory the guest's realloc hands out; more than 16
 * flat values go as one pointer to a tuple), calls the core export, lifts
 * the result (flat, or from the pointer the export returns when it needs
 * more than one core value), and only then calls post-return, which may
 * free what was just read.
 *
 * A WIT result `result<T, E>` follows jco: T is returned on ok, a
 * ComponentError with `payload` E is thrown on err.
 */

import type { CanonOptions, FuncType, InstanceState, ValType } from '../types.js';
import { compiled, type Generated } from './compile.js';
import { Emitter, usesMemory } from './emitter.js';
import { flatSource, liftFlat, liftVariantFlat, load, loadVariant } from './gen-lift.js';
import { lowerFlat, store } from './gen-lower.js';
import { alignment, elemSize, fieldOffsets, flatten, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './layout.js';

export type LiftFactory = (st: InstanceState) => (...args: never[]) => unknown;

export function compileLift(fn: FuncType, opts: CanonOptions & { readonly callee: number }, label: string): LiftFactory {
  const key = `lift ${JSON.stringify([fn, opts.callee, opts.memory, opts.realloc, opts.postReturn])}`;
  return compiled(key, () => generateLift(fn, opts, label))(label) as LiftFactory;
}

function generateLift(fn: FuncType, opts: CanonOptions & { readonly callee: number }, label: string): Generated {
  const g = new Emitter();
  const types = fn.params.map((p) => p.type);
  const args = types.map((_, i) => `a${i}`);
  const paramsInMemory = types.flatMap(flatten).length > MAX_FLAT_PARAMS;
  const result = fn.result;
  const resultInMemory = result !== undefined && flatten(result).length > MAX_FLAT_RESULTS;

  const needsMemory = paramsInMemory || resultInMemory || types.some(usesMemory) || (result !== undefined && usesMemory(result));
  const needsRealloc = paramsInMemory || types.some(usesMemory);
  if (needsMemory && opts.memory === undefined) throw new Error(`${label}: canon lift needs a memory option`);
  if (needsRealloc && opts.realloc === undefined) throw new Error(`${label}: canon lift needs a realloc option`);
  if (needsMemory) g.line(`const memory = st.memories[${opts.memory}];`);
  if (needsMemory) g.line('let dv = view(memory);');
  if (needsRealloc) g.line(`const realloc = st.funcs[${opts.realloc}];`);

  // Parameters: JS → guest.
  let flat: string[];
  if (paramsInMemory) {
    const tuple: ValType = { kind: 'tuple', types };
    const p = g.let(`alloc(L, realloc, memory, ${alignment(tuple)}, ${elemSize(tuple)})`, 'pp');
    g.line('dv = view(memory);');
    const offs = fieldOffsets(types);
    types.forEach((t, i) => {
      store(g, t, args[i] as string, p, offs[i] as number);
    });
    flat = [p];
  } else {
    flat = types.flatMap((t, i) => lowerFlat(g, t, args[i] as string));
  }

  const callee = `st.funcs[${opts.callee}]`;
  if (result === undefined) {
    g.line(`${callee}(${flat.join(', ')});`);
    if (opts.postReturn !== undefined) g.line(`st.funcs[${opts.postReturn}]();`);
    return done(g, args);
  }
  g.line(`const r = ${callee}(${flat.join(', ')});`);
  if (needsMemory) g.line('dv = view(memory);');

  // Result: guest → JS, completely read before post-return may free it.
  const top = result.kind === 'result' ? { errFlag: 'isErr' } : undefined;
  if (top !== undefined) g.line('let isErr = false;');
  let value: string;
  if (!resultInMemory) {
    const src = flatSource(['r']);
    value = top !== undefined ? liftVariantFlat(g, result, src, top) : liftFlat(g, result, src);
  } else {
    const rp = g.let('r >>> 0', 'rp');
    g.line(`checkRange(L, dv.buffer, ${rp}, ${elemSize(result)}, ${alignment(result)});`);
    value = top !== undefined ? loadVariant(g, result, rp, 0, top) : load(g, result, rp, 0);
  }
  const v = g.let(value, 'res');
  if (opts.postReturn !== undefined) g.line(`st.funcs[${opts.postReturn}](r);`);
  if (top !== undefined) g.line(`if (isErr) throw new ComponentError(${v});`);
  g.line(`return ${v};`);
  return done(g, args);
}

function done(g: Emitter, args: string[]): Generated {
  return { hoisted: g.hoisted, params: args, body: g.source(), factoryParams: [] };
}
