/**
 * Malformed but parseable components through the whole of our glue's load
 * path (parse → link → signature check → plan rewrites): a mutated
 * component either links, is `undefined` (outside our subset: the engine
 * then asks jco, whose validator has the last word), or is WASM_INVALID,
 * never another exception. Mutations avoid the core modules' bodies (their
 * validity is V8's business at compile time) and hit the component-level
 * sections: types, imports, aliases, canon options, instances, exports.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isAirlockError } from '@airlock/core';
import { linkComponent } from '../load.js';
import { parseComponent } from './parse.js';

const example = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../../../examples/components/${name}/${name}.wasm`, import.meta.url)));

/** Byte ranges of the core modules inside the component (views of the same buffer). */
function coreRanges(bytes: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  const walk = (defs: ReturnType<typeof parseComponent>['definitions']): void => {
    for (const d of defs) {
      if (d.tag === 'core-module')
        out.push([d.bytes.byteOffset - bytes.byteOffset, d.bytes.byteOffset - bytes.byteOffset + d.bytes.length]);
      if (d.tag === 'component') walk(d.component.definitions);
    }
  };
  walk(parseComponent(bytes).definitions);
  return out;
}

/** A small deterministic PRNG (xorshift32), so a failure names a reproducible seed. */
const rng = (seed: number) => () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};

for (const name of ['call-counter', 'word-count']) {
  test(`link fuzz (${name}): mutated component sections link, fall back, or are WASM_INVALID; nothing else`, () => {
    const original = example(name);
    const cores = coreRanges(original);
    const inCore = (i: number): boolean => cores.some(([a, b]) => i >= a && i < b);
    const candidates: number[] = [];
    for (let i = 8; i < original.length; i++) if (!inCore(i)) candidates.push(i);
    assert.ok(candidates.length > 1000, 'enough component-level bytes to mutate');
    const next = rng(0x5eed + name.length);
    const outcomes = { linked: 0, fallback: 0, invalid: 0 };
    for (let n = 0; n < 1500; n++) {
      const bytes = new Uint8Array(original); // a copy (Buffer#slice would be a view)
      const flips = 1 + Math.floor(next() * 3);
      for (let k = 0; k < flips; k++) {
        const at = candidates[Math.floor(next() * candidates.length)] as number;
        bytes[at] = Math.floor(next() * 256);
      }
      try {
        const plan = linkComponent(bytes, 'fuzz');
        if (plan === undefined) outcomes.fallback++;
        else outcomes.linked++;
      } catch (e) {
        if (!isAirlockError(e, 'WASM_INVALID')) {
          assert.fail(`mutation ${n} of ${name} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
        outcomes.invalid++;
      }
    }
    // The mutations reach every outcome (the test could see each of them).
    assert.ok(outcomes.invalid > 100, JSON.stringify(outcomes));
    assert.ok(outcomes.linked > 10, JSON.stringify(outcomes));
    assert.ok(outcomes.fallback > 10, JSON.stringify(outcomes));
  });
}
