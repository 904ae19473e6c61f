/**
 * Fresh sandbox cost of the wasip1 engine: a fresh instance + run of a tiny
 * WAT command (echo: stdin to stdout) through `createWasip1Engine`, against
 * a bare browser_wasi_shim instantiate + run of the same compiled module,
 * with the shim's own PreopenDirectory and ConsoleStdout and the same input
 * (the baseline). The difference is what Airlock's preview1 layer adds per
 * call: our fds over a Vfs, the guard on every host call, the outcome.
 *
 * The module and the baseline are in echo-fixture.ts.
 */
import { DEFAULT_LIMITS } from '@airlock/core';
import { createWasip1Engine } from '@airlock/engine-wasip1';
import { MemoryVfs } from '@airlock/wasi';
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
