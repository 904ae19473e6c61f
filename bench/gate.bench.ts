/**
 * The whole security overhead of one call: policy decision + input schema
 * check + fresh capability-scoped sandbox + two hash-chained audit records,
 * i.e. `gate.call` of a tiny preview1 tool, against a bare browser_wasi_shim
 * instantiate + run of the same module with the same input (the baseline,
 * in the same process, interleaved). Budget (DESIGN.md §6): ≤ 50 µs p50 and
 * ≤ 250 µs p99 of added time, with the audit log in memory.
 *
 * The durable case (group commit to a file, fsync per batch) is reported
 * separately: one caller waits for two fsyncs per call, so its latency is the
 * disk's; with many callers in flight the fsyncs are shared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryAuditSink, openAuditLog } from '@airlock/audit';
import { type AuditSink, Gate, StaticRegistry } from '@airlock/core';
import { createWasip1Engine } from '@airlock/engine-wasip1';
import { loadPolicy } from '@airlock/policy';
import { createNodeHost } from '@airlock/runtime-node';
import { MemoryVfs } from '@airlock/wasi';
import { bareRun, inputValue, tool } from './echo-fixture.js';
import { report, sample } from './lib.js';

const host = createNodeHost();
const policy = loadPolicy(`
version: 1
volumes:
  workspace: { path: /unused }
rules:
  - id: no-secrets
    effect: deny
    agent: "*"
    tool: "*"
    when:
      input.path: { glob: "**/secrets/**" }
  - id: agent-echo
    effect: allow
    agent: [analyst, "ci-*"]
    tool: echo
    when:
      input.path: { inside: /workspace }
      input.pattern: { regex: "^[a-z]{1,40}$" }
    grants:
      fs: [{ mount: /workspace, volume: workspace, access: read }]
    limits: { wallMs: 2000 }
`);
const vfs = new MemoryVfs().writeFile('notes.txt', 'hello');

function makeGate(audit: AuditSink): Gate {
  return new Gate({
    policy,
    tools: new StaticRegistry([tool]),
    engines: [createWasip1Engine()],
    audit,
    host,
    volume: (name) => (name === 'workspace' ? vfs : undefined),
  });
}

const memoryGate = makeGate(new MemoryAuditSink(host.crypto));
let n = 0;
const gated = (gate: Gate) => async () => {
  const r = await gate.call({ agent: 'analyst', session: `s${n++ % 64}`, tool: 'echo', input: inputValue });
  if (r.status !== 'ok') throw new Error(`bad call: ${JSON.stringify(r)}`);
};

const rows = [];
for (let round = 0; round < 2; round++) {
  rows.push(await sample('bare browser_wasi_shim run (baseline)', bareRun, { samples: 4000, warmup: 500 }));
  rows.push(await sample('gate.call, audit in memory', gated(memoryGate), { samples: 4000, warmup: 500 }));
}
const [b, g] = rows.slice(2) as [(typeof rows)[number], (typeof rows)[number]];

// Durable: one caller (latency), then 64 callers in flight (throughput).
const dir = mkdtempSync(join(tmpdir(), 'airlock-gate-bench-'));
const fileSink = await openAuditLog(host, join(dir, 'audit.log'));
const fileGate = makeGate(fileSink);
const durable = await sample('gate.call, durable audit, 1 caller', gated(fileGate), { samples: 300, warmup: 20 });
rows.push(durable);
const calls = 4000;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 64 }, async () => {
    for (let i = 0; i < calls / 64; i++) await gated(fileGate)();
  }),
);
const perSec = calls / ((performance.now() - t0) / 1000);
await fileGate.close();
rmSync(dir, { recursive: true, force: true });

report('gate: whole security overhead per call (tiny preview1 tool)', rows, {
  'added p50 µs (memory audit)': g.p50us - b.p50us,
  'added p99 µs (memory audit)': g.p99us - b.p99us,
  'ratio p50': g.p50us / b.p50us,
  'durable calls/s with 64 in flight': perSec,
});
