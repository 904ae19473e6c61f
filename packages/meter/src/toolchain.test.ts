// Real toolchain output: the example tools (C compiled by clang to WASI
// preview 1) all meter into valid modules, and survive mutation the same way
// the hand-written fixtures do.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { AirlockError } from '@airlock/core';
import { meter } from './index.js';
import { Wasm } from './test-helpers.test.js';

const toolsDir = new URL('../../../examples/tools/', import.meta.url);
const tools = readdirSync(toolsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(new URL(`${d.name}/`, toolsDir))
      .filter((f) => f.endsWith('.wasm'))
      .map((f) => new URL(`${d.name}/${f}`, toolsDir)),
  );

describe('toolchain modules', () => {
  test('toolchain_examples_meter_to_valid_modules', () => {
    assert.ok(tools.length >= 5, `found ${tools.length} example tools`);
    for (const url of tools) {
      const bytes = new Uint8Array(readFileSync(url));
      assert.ok(Wasm.validate(bytes));
      const r = meter(bytes, { maxMemoryPages: 1024 });
      assert.ok(Wasm.validate(r.bytes), `${url.pathname} metered validates`);
      assert.ok(r.stats.functions > 10 && r.stats.checks >= r.stats.functions);
      assert.equal(r.stats.memoriesCapped, 1);
    }
  });

  test('toolchain_example_mutations_never_become_valid', () => {
    const bytes = new Uint8Array(readFileSync(tools[0]!));
    let s = 0x5eed;
    const next = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s;
    };
    for (let k = 0; k < 300; k++) {
      const b = bytes.slice();
      b[8 + (next() % (b.length - 8))] = next() & 0xff;
      const before = Wasm.validate(b);
      try {
        const out = meter(b).bytes;
        assert.equal(Wasm.validate(out), before, `mutation ${k}`);
      } catch (e) {
        assert.ok(e instanceof AirlockError && e.code === 'WASM_INVALID', String(e));
      }
    }
  });
});
