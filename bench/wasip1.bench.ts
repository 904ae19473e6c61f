/**
 * Fresh sandbox cost of the wasip1 engine: a fresh instance + run of a tiny
 * WAT command (echo: stdin to stdout) through `createWasip1Engine`, against
 * a bare browser_wasi_shim instantiate + run of the same compiled module,
 * with the shim's own PreopenDirectory and ConsoleStdout and the same input
 * (the baseline). The difference is what Airlock's preview1 layer adds per
 * call: our fds over a Vfs, the guard on every host call, the outcome.
 *
 * The module and the baseline are in echo-fixture.ts.
 *
 * Then what fuel metering costs inside the engine: the same engine with
 * metering on and off, on echo (host-call bound) and on compute
 * (test/fixtures/wat/compute.wat, a 100,000-iteration arithmetic loop), and
 * what memory pooling buys: the engine with its pool against the engine
 * giving every instance its own memory (the module's own, unpooled).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS, type Tool } from '@airlock/core';
import { createWasip1Engine } from '@airlock/engine-wasip1';
import { MemoryVfs } from '@airlock/wasi';
import wabtInit from 'wabt';
import { bareRun as bare, input, tool } from './echo-fixture.js';
import { report, sample } from './lib.js';

// ---- Airlock: engine.prepare once (cached), then a fresh run per call. ----
const prepared = await createWasip1Engine().prepare(tool);
const vfs = new MemoryVfs().writeFile('notes.txt', 'hello');
const request = {
  callId: 'bench',
  input,
  args: [],
  env: {},
  mounts: [{ path: '/workspace', vfs, access: 'read' as const }],
  limits: DEFAULT_LIMITS,
};
const airlock = async (): Promise<void> => {
  const out = await prepared.run(request);
  if (out.status !== 'ok' || out.stdout.length !== input.length) throw new Error(`bad run: ${out.status} ${out.message}`);
};

const rows = [];
// Interleave so that both see the same machine state.
for (let round = 0; round < 2; round++) {
  rows.push(await sample('browser_wasi_shim bare (baseline)', bare, { samples: 3000, warmup: 500 }));
  rows.push(await sample('airlock wasip1 engine run', airlock, { samples: 3000, warmup: 500 }));
}
const [b, a] = rows.slice(2) as [(typeof rows)[number], (typeof rows)[number]];
report('wasip1: fresh instance + run of a tiny command', rows, {
  'added p50 µs': a.p50us - b.p50us,
  'added p99 µs': a.p99us - b.p99us,
  'ratio p50': a.p50us / b.p50us,
});

// ---- Fuel and pooling inside the engine. ----
const wabt = await wabtInit();
const computeSource = readFileSync(new URL('../../test/fixtures/wat/compute.wat', import.meta.url), 'utf8');
const computeWat = wabt.parseWat('compute.wat', computeSource);
const computeBytes: Uint8Array = computeWat.toBinary({}).buffer;
computeWat.destroy();
const compute: Tool = {
  manifest: { ...tool.manifest, name: 'compute', artifact: 'compute.wasm' },
  artifact: computeBytes,
  digest: createHash('sha256').update(computeBytes).digest('hex'),
};
const engines = {
  'metered, pooled (default)': createWasip1Engine(),
  'unmetered, pooled': createWasip1Engine({ metering: false }),
  'metered, unpooled (own memory)': createWasip1Engine({ memoryPool: false }),
  'unmetered, unpooled (before this change)': createWasip1Engine({ metering: false, memoryPool: false }),
};
const fuelRows = [];
const medians: Record<string, number> = {};
for (const [fixture, t] of [
  ['echo', tool],
  ['compute', compute],
] as const) {
  const runs = await Promise.all(Object.values(engines).map((e) => e.prepare(t)));
  const names = Object.keys(engines);
  for (let round = 0; round < 2; round++) {
    for (const [i, p] of runs.entries()) {
      const row = await sample(
        `${fixture}: ${names[i]}`,
        async () => {
          const out = await p.run(request);
          if (out.status !== 'ok') throw new Error(`bad run: ${out.status} ${out.message}`);
        },
        { samples: fixture === 'echo' ? 3000 : 400, warmup: 100 },
      );
      if (round === 1) {
        fuelRows.push(row);
        medians[`${fixture} ${names[i]}`] = row.p50us;
      }
    }
  }
}
report('wasip1: fuel metering and memory pooling inside the engine', fuelRows, {
  'echo metered/unmetered p50': medians['echo metered, pooled (default)']! / medians['echo unmetered, pooled']!,
  'compute metered/unmetered p50': medians['compute metered, pooled (default)']! / medians['compute unmetered, pooled']!,
  'echo pooled/unpooled p50 (metered)': medians['echo metered, pooled (default)']! / medians['echo metered, unpooled (own memory)']!,
});
