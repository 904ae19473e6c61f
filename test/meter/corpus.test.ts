/**
 * Semantic preservation of @airlock/meter on a corpus (issue 4, acceptance
 * "semantic preservation" and "property tests"):
 *
 * - random modules: `wasm-opt -ttf` (binaryen 132, translate-to-fuzz) over
 *   seed bytes this test makes from a fixed PRNG seed, with the features the
 *   meter supports (corpus.ts, TTF_FEATURES). Each is instantiated original
 *   and metered (ample fuel), every function export is called twice with
 *   deterministic arguments, and the two runs must agree on every return
 *   value or trap message, every call the module makes to its imports (the
 *   fuzzer's logging imports, in order, with their arguments), every exported
 *   global's value, exported memory's bytes and table's length afterwards.
 * - the repo's own modules: the preview1 fixtures in test/fixtures/wat that
 *   terminate, the metering kernels in test/fixtures/meter and the example
 *   tools' modules, run through @airlock/wasi's Preview1 with the same input,
 *   comparing exit code or trap, stdout, stderr and the final linear memory.
 * - invalid stays invalid: random mutations of the generated modules that the
 *   engine rejects are, after `meter`, either refused (WASM_INVALID) or still
 *   rejected.
 *
 * Knobs (env): AIRLOCK_TTF_MODULES (default 48), AIRLOCK_TTF_SEED,
 * AIRLOCK_TTF_MUTATIONS per module (default 80). The counts are printed as
 * test diagnostics.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { AirlockError, DEFAULT_LIMITS } from '@airlock/core';
import { meter } from '@airlock/meter';
import { Preview1 } from '@airlock/wasi';
import wabtInit from 'wabt';
import { exampleTools, generate, mutate, prng, ROOT, runTtf, WebAssembly } from './corpus.js';

const MODULES = Number(process.env['AIRLOCK_TTF_MODULES'] ?? 48);
const SEED = Number(process.env['AIRLOCK_TTF_SEED'] ?? 0x5eed4);
const MUTATIONS = Number(process.env['AIRLOCK_TTF_MUTATIONS'] ?? 80);
const PLENTY = 1n << 60n;
const FUEL = '__airlock_fuel';

let assertions = 0;
const eq = (got: unknown, want: unknown, what: string): void => {
  assertions++;
  assert.deepEqual(got, want, what);
};

const counts = {
  ttf: 0,
  ttfCalls: 0,
  ttfEvents: 0,
  fixtures: 0,
  fixtureRuns: 0,
  mutants: 0,
  mutantsInvalid: 0,
  refused: 0,
  stillInvalid: 0,
};

const summary = (): string =>
  `# meter corpus: ${counts.ttf} wasm-opt -ttf modules (${counts.ttfCalls} export calls, ${counts.ttfEvents} events compared) + ${counts.fixtures} repo modules (${counts.fixtureRuns} runs), ${assertions} equality assertions; ` +
  `${counts.mutantsInvalid} invalid mutants of ${counts.mutants} (${counts.refused} refused by meter, ${counts.stillInvalid} still invalid after meter, 0 made valid)`;

describe(`meter semantic corpus: ${MODULES} random wasm-opt -ttf modules + the repo's fixtures and example tools, original vs metered`, () => {
  let modules: Uint8Array[] = [];

  test(`generate ${MODULES} modules with wasm-opt -ttf (binaryen 132)`, async () => {
    modules = await generate(MODULES, SEED, 2);
    for (const [i, m] of modules.entries()) assert.ok(WebAssembly.validate(m), `ttf module ${i} validates in this engine`);
  });

  test(`${MODULES} ttf modules: same returns, traps, import calls, globals, memories and tables metered`, async (t) => {
    assert.equal(modules.length, MODULES);
    for (const [i, bytes] of modules.entries()) {
      const metered = meter(bytes, { fuelExport: FUEL, initialFuel: PLENTY });
      assert.ok(WebAssembly.validate(metered.bytes), `module ${i}: metered validates`);
      const want = await runTtf(bytes);
      const got = await runTtf(
        metered.bytes,
        (x) => {
          (x[FUEL] as { value: unknown }).value = PLENTY;
        },
        FUEL,
      );
      eq(got.events.length, want.events.length, `module ${i}: number of events`);
      for (const [k, e] of want.events.entries()) eq(got.events[k], e, `module ${i}: event ${k}`);
      eq(got.globals, want.globals, `module ${i}: exported globals`);
      eq(got.tables, want.tables, `module ${i}: exported tables`);
      eq(Object.keys(got.memories), Object.keys(want.memories), `module ${i}: exported memories`);
      for (const [name, mem] of Object.entries(want.memories)) {
        assertions++;
        assert.ok(Buffer.from(mem).equals(Buffer.from(got.memories[name]!)), `module ${i}: memory ${name} bytes`);
      }
      counts.ttf++;
      counts.ttfCalls += want.calls;
      counts.ttfEvents += want.events.length;
    }
    t.diagnostic(`${counts.ttf} modules, ${counts.ttfCalls} export calls, ${assertions} assertions so far`);
  });

  test(`invalid stays invalid: ${MUTATIONS} mutations of each ttf module`, (t) => {
    const rand = prng(SEED ^ 0xbad);
    for (const bytes of modules) {
      for (let k = 0; k < MUTATIONS; k++) {
        const mutant = mutate(bytes, rand);
        counts.mutants++;
        if (WebAssembly.validate(mutant)) continue;
        counts.mutantsInvalid++;
        let out: Uint8Array;
        try {
          out = meter(mutant, { fuelExport: FUEL }).bytes;
        } catch (e) {
          assert.ok(e instanceof AirlockError && e.code === 'WASM_INVALID', `only WASM_INVALID is thrown, got ${String(e)}`);
          counts.refused++;
          continue;
        }
        assertions++;
        assert.ok(!WebAssembly.validate(out), 'an invalid module stays invalid after metering');
        counts.stillInvalid++;
      }
    }
    assert.ok(counts.mutantsInvalid > counts.mutants / 2, 'most mutants are invalid');
    t.diagnostic(`${counts.mutantsInvalid} invalid mutants: ${counts.refused} refused, ${counts.stillInvalid} still invalid`);
  });

  // ---- The repo's own modules, through Preview1. ----

  const wabtReady = wabtInit();
  const wat = async (path: URL): Promise<Uint8Array> => {
    const wabt = await wabtReady;
    const m = wabt.parseWat(path.pathname, readFileSync(path, 'utf8'), {});
    const b = m.toBinary({}).buffer;
    m.destroy();
    return b;
  };

  interface P1Result {
    status: string;
    stdout: string;
    stderr: string;
    memory: Buffer | undefined;
  }
  const clock = { monotonic: () => 0 };
  async function runP1(bytes: Uint8Array, stdin: string, fuel: bigint | undefined): Promise<P1Result> {
    const p1 = new Preview1({
      args: ['tool'],
      env: { A: '1' },
      stdin: new TextEncoder().encode(stdin),
      preopens: [],
      limits: { ...DEFAULT_LIMITS, wallMs: 1e9 },
      clock,
      realtime: () => 0,
    });
    let status: string;
    let memory: Buffer | undefined;
    try {
      const { instance } = await WebAssembly.instantiate(bytes, p1.imports as never);
      if (fuel !== undefined) (instance.exports[FUEL] as { value: unknown }).value = fuel;
      const mem = instance.exports['memory'];
      try {
        status = typeof instance.exports['_start'] === 'function' ? `exit ${p1.start(instance as never)}` : 'no _start';
      } catch (e) {
        status = `trap ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      }
      if (mem instanceof WebAssembly.Memory) memory = Buffer.from(mem.buffer.slice(0));
    } catch (e) {
      status = `instantiate ${e instanceof Error ? e.name : String(e)}`;
    }
    return {
      status,
      stdout: Buffer.from(p1.stdout.bytes()).toString('latin1'),
      stderr: Buffer.from(p1.stderr.bytes()).toString('latin1'),
      memory,
    };
  }

  async function samePreview1(name: string, bytes: Uint8Array, inputs: string[]): Promise<void> {
    const metered = meter(bytes, { fuelExport: FUEL }).bytes;
    for (const input of inputs) {
      const want = await runP1(bytes, input, undefined);
      const got = await runP1(metered, input, PLENTY);
      eq(got.status, want.status, `${name} <${input}>: exit or trap`);
      eq(got.stdout, want.stdout, `${name} <${input}>: stdout`);
      eq(got.stderr, want.stderr, `${name} <${input}>: stderr`);
      assertions++;
      assert.ok(want.memory === undefined ? got.memory === undefined : got.memory?.equals(want.memory), `${name} <${input}>: memory`);
      counts.fixtureRuns++;
    }
    counts.fixtures++;
  }

  // Runaways (stopped only by a limit, so there is no "original result"):
  // covered by the conformance suite's fuel cases instead.
  const RUNAWAY = new Set(['br-table-loop', 'bulk', 'call-indirect-loop', 'compute-loop', 'grow-bomb', 'recurse', 'sleep', 'spin']);
  const watInputs: Record<string, string[]> = {
    echo: ['', 'hello\n', 'x'.repeat(10_000)],
    exit: ['0', '3', '9'],
    flood: ['1', '2'],
    'memory-secret': ['w', 'r', '"w"'],
    probe: ['', 'o', 'r'],
  };
  const watDir = new URL('test/fixtures/wat/', ROOT);
  const watNames = readdirSync(watDir)
    .filter((f) => f.endsWith('.wat'))
    .map((f) => f.slice(0, -4))
    .filter((n) => !RUNAWAY.has(n))
    .sort();

  test(`${watNames.length} preview1 WAT fixtures (test/fixtures/wat, runaways excluded): same exit, output and memory metered`, async () => {
    for (const name of watNames) await samePreview1(name, await wat(new URL(`${name}.wat`, watDir)), watInputs[name] ?? ['', 'input']);
  });

  const tools = exampleTools();
  const toolInputs = [
    '{}',
    'not json',
    '{"path":"/workspace","pattern":"a"}',
    '{"text":"name,age\\nann,31\\nbob,27\\n"}',
    '{"data":"hello","algorithm":"sha256"}',
    '{"path":"/workspace/n.txt","content":"hi"}',
  ];
  test(`${tools.length} example tools' modules (examples/tools/*/*.wasm), ${toolInputs.length} inputs each: same exit, output and memory metered`, async () => {
    assert.ok(tools.length >= 5);
    for (const t of tools) await samePreview1(t.name, t.bytes, toolInputs);
  });

  const kernels: [string, number[]][] = [
    ['fib', [0, 1, 15]],
    ['loop-sum', [0, 1000, 77777]],
    ['matmul', [1, 12]],
    ['sieve', [2, 10000]],
    ['copy-hash', [1, 5000]],
  ];
  test(`${kernels.length} metering kernels (test/fixtures/meter): same results and memory metered`, async () => {
    for (const [name, args] of kernels) {
      const bytes = await wat(new URL(`test/fixtures/meter/${name}.wat`, ROOT));
      const plain = (await WebAssembly.instantiate(bytes)).instance.exports;
      const m = meter(bytes, { fuelExport: FUEL });
      const metered = (await WebAssembly.instantiate(m.bytes)).instance.exports;
      for (const n of args) {
        (metered[FUEL] as { value: unknown }).value = PLENTY;
        eq((metered['run'] as (n: number) => unknown)(n), (plain['run'] as (n: number) => unknown)(n), `${name}(${n})`);
        for (const [k, v] of Object.entries(plain)) {
          if (v instanceof WebAssembly.Memory) {
            assertions++;
            assert.ok(Buffer.from(v.buffer).equals(Buffer.from((metered[k] as { buffer: ArrayBuffer }).buffer)), `${name}(${n}): memory`);
          }
        }
        counts.fixtureRuns++;
      }
      counts.fixtures++;
    }
  });

  test('corpus totals', (t) => {
    assert.equal(counts.ttf, MODULES);
    assert.ok(assertions > 0);
    t.diagnostic(summary());
  });
});
