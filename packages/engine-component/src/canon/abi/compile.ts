/**
 * Turns generated trampoline source into a factory, once per signature.
 *
 * The source is compiled with `new Function` into a module-like closure:
 * runtime helpers and hoisted constants at the top, then `bind(label)`
 * returning the per-function factory `(st, host) => trampoline`. The
 * compiled module is cached by a canonical key of (direction, type,
 * HostCall, options): two imports with the same signature share one
 * compilation (and V8's optimized code), and only `bind` runs per import.
 * Calling the factory per instance allocates two closures and nothing else.
 */

import { runtime } from './runtime.js';

/** What a generator produces: module-level constants and the trampoline's parameter list and body. */
export interface Generated {
  readonly hoisted: readonly string[];
  readonly params: readonly string[];
  readonly body: string;
  /** The factory's parameters after `st` (e.g. `host`). */
  readonly factoryParams: readonly string[];
}

type Bind = (label: string) => (...factoryArgs: never[]) => unknown;

const cache = new Map<string, Bind>();
const helperNames = Object.keys(runtime).join(', ');

/** The compiled module for `key`, generating and compiling it on first use. */
export function compiled(key: string, generate: () => Generated): Bind {
  let bind = cache.get(key);
  if (bind === undefined) {
    const gen = generate();
    const src = [
      "'use strict';",
      `const { ${helperNames} } = rt;`,
      ...gen.hoisted,
      'return function bind(L) {',
      `  return function factory(${['st', ...gen.factoryParams].join(', ')}) {`,
      '    let DV = EMPTY_VIEW;',
      '    const view = (m) => { const b = m.buffer; return DV.buffer === b ? DV : (DV = new DataView(b)); };',
      `    return function trampoline(${gen.params.join(', ')}) {`,
      gen.body
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n'),
      '    };',
      '  };',
      '};',
    ].join('\n');
    try {
      bind = new Function('rt', src)(runtime) as Bind;
    } catch (e) {
      throw new Error(`canonical ABI code generator produced invalid JS (internal error): ${(e as Error).message}\n${src}`);
    }
    cache.set(key, bind);
  }
  return bind;
}

/** How many distinct signatures have been compiled (for tests of the cache). */
export function compiledCount(): number {
  return cache.size;
}

/** The generated source for `key`, if compiled (debugging aid). */
export function compiledSource(key: string): string | undefined {
  return cache.get(key)?.toString();
}
