/**
 * QuickJS: what a fresh isolated evaluation of a small snippet costs, against
 * peers in the same process.
 *
 * - quickjs-emscripten bare: newRuntime + newContext + eval + dispose (the
 *   floor for any QuickJS-in-Wasm sandbox; DESIGN.md budget ≤ 0.5 ms p50).
 * - airlock engine, in-process: our run (capabilities, prelude, fresh runtime).
 * - airlock engine, in a warm worker (the default with Host.workers).
 * - airlock engine, a TypeScript snippet (types stripped by amaro on the host).
 * - airlock whole gated call: gate.eval (policy, audit in memory, worker) ≤ 1 ms p50.
 * - @sebastianwessel/quickjs runSandboxed (same Wasm variant).
 * - node:vm new context + runInContext: NOT a sandbox, the unsafe floor.
 * - isolated-vm 5.0.4 (a V8 isolate, native addon built from source here;
 *   7.x needs Node 24): a fresh isolate + context + the snippet, and a fresh
 *   context per call in one warm isolate (cheaper, but calls then share a
 *   heap and its limits).
 * - guest→host call cost: 1000 awaited `tools.call`-style host round trips
 *   (fs.stat on a memory mount), per call.
 * - fuel metering: the engine with and without packages/meter's rewrite of
 *   the QuickJS module, on the small snippet and on a compute snippet.
 */
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { MemoryAuditSink } from '@airlock/audit';
import { DEFAULT_LIMITS, Gate, StaticRegistry, utf8 } from '@airlock/core';
import { createQuickJsEngine, snippetTool } from '@airlock/engine-quickjs';
import { loadPolicy } from '@airlock/policy';
import { createNodeHost } from '@airlock/runtime-node';
import { MemoryVfs } from '@airlock/wasi';
import { loadQuickJs as loadSW } from '@sebastianwessel/quickjs';
import { newQuickJSWASMModuleFromVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import { report, sample, sampleSync } from './lib.js';

const CODE = 'const xs = [1, 2, 3].map((x) => x * input.k); xs.reduce((a, b) => a + b, 0)';
const host = createNodeHost();

// isolated-vm's types are CommonJS (`export =`); loaded through require.
interface IvmContext {
  evalSync(code: string): unknown;
  release(): void;
  global: { setSync(name: string, value: unknown, opts?: { copy: boolean }): void };
}
interface IvmIsolate {
  createContextSync(): IvmContext;
  dispose(): void;
}
const ivm = createRequire(import.meta.url)('isolated-vm') as { Isolate: new (o: { memoryLimit: number }) => IvmIsolate };
const ivmFresh = (): void => {
  const iso = new ivm.Isolate({ memoryLimit: 32 });
  const ctx = iso.createContextSync();
  ctx.evalSync(`const input = {k: 2}; ${CODE}`);
  ctx.release();
  iso.dispose();
};
const warmIsolate = new ivm.Isolate({ memoryLimit: 32 });
const ivmContext = (): void => {
  const ctx = warmIsolate.createContextSync();
  ctx.evalSync(`const input = {k: 2}; ${CODE}`);
  ctx.release();
};

const qjs = await newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
const bare = (): void => {
  const rt = qjs.newRuntime();
  rt.setMemoryLimit(32 * 1024 * 1024);
  rt.setMaxStackSize(256 * 1024);
  const ctx = rt.newContext();
  const r = ctx.evalCode(`const input = {k: 2}; ${CODE}`);
  if (r.error) throw new Error('bare failed');
  r.value.dispose();
  ctx.dispose();
  rt.dispose();
};

const tool = snippetTool({ sha256: host.crypto.sha256 });
const inProcess = await createQuickJsEngine().prepare(tool);
const inProcessUnmetered = await createQuickJsEngine({ metering: false }).prepare(tool);
const workerEngine = createQuickJsEngine({ workers: host.workers! });
const inWorker = await workerEngine.prepare(tool);
const unmeteredWorkerEngine = createQuickJsEngine({ workers: host.workers!, metering: false });
const vfs = new MemoryVfs().writeFile('a.txt', 'hello');
const request = {
  callId: 'bench',
  input: utf8(JSON.stringify({ code: CODE, input: { k: 2 } })),
  args: [],
  env: {},
  mounts: [{ path: '/work', vfs, access: 'read' as const }],
  limits: DEFAULT_LIMITS,
};
const tsRequest = { ...request, input: utf8(JSON.stringify({ lang: 'ts', code: `const k: number = input.k; ${CODE}`, input: { k: 2 } })) };
const engineRun =
  (p: typeof inProcess, r: typeof request = request) =>
  async () => {
    const o = await p.run(r);
    if (o.status !== 'ok') throw new Error(`engine: ${o.status} ${o.message}`);
  };

const policy = loadPolicy(
  'version: 1\nvolumes: { w: { path: /x } }\nrules:\n  - { id: r, effect: allow, agent: a, tool: js, grants: { fs: [{ mount: /work, volume: w, access: read }] } }\n',
);
const gTool = snippetTool({ sha256: host.crypto.sha256, capabilities: { fs: [{ mount: '/work', access: 'read' }] } });
const gate = new Gate({
  policy,
  tools: new StaticRegistry([gTool]),
  engines: [workerEngine],
  audit: new MemoryAuditSink(host.crypto),
  host,
  volume: () => vfs,
});
const unmeteredGate = new Gate({
  policy,
  tools: new StaticRegistry([gTool]),
  engines: [unmeteredWorkerEngine],
  audit: new MemoryAuditSink(host.crypto),
  host,
  volume: () => vfs,
});
const gatedOn = (g: Gate) => async (): Promise<void> => {
  const r = await g.eval({ agent: 'a', session: 's', code: CODE, input: { k: 2 } });
  if (r.status !== 'ok') throw new Error(`gate: ${JSON.stringify(r)}`);
};
const gated = gatedOn(gate);
const COMPUTE =
  'let s = 0; for (let i = 0; i < 200000; i++) s = (s + i * i) % 1000003; const a = []; for (let i = 0; i < 2000; i++) a.push(String(i)); return s + a.sort().length';
const computeRequest = { ...request, input: utf8(JSON.stringify({ code: COMPUTE })) };

const sw = await loadSW(RELEASE_SYNC as never);
const swRun = async () => {
  const r = await sw.runSandboxed(async ({ evalCode }) =>
    evalCode(`const input = {k: 2}; export default (${'() => { ' + CODE.replace(/xs.reduce/, 'return xs.reduce') + ' }'})()`),
  );
  if (!r.ok) throw new Error(`sebastianwessel: ${JSON.stringify(r)}`);
};

const nodeVm = (): void => {
  const ctx = vm.createContext({ input: { k: 2 } });
  vm.runInContext(CODE, ctx);
};

const N = { samples: 400, warmup: 50 };
const rows = [
  sampleSync('quickjs-emscripten bare: fresh runtime+context+eval', bare, { samples: 400, batch: 5, warmup: 100 }),
  await sample('airlock js engine run, in-process', engineRun(inProcess), N),
  await sample('airlock js engine run, warm worker', engineRun(inWorker), N),
  await sample('airlock js engine run, TypeScript (amaro strip), in-process', engineRun(inProcess, tsRequest), N),
  await sample('airlock gate.eval (policy + audit + worker), metered', gated, N),
  await sample('airlock gate.eval, unmetered', gatedOn(unmeteredGate), N),
  await sample('airlock js engine run, in-process, unmetered', engineRun(inProcessUnmetered), N),
  await sample('@sebastianwessel/quickjs runSandboxed', swRun, { samples: 200, warmup: 20 }),
  sampleSync('node:vm createContext + run (unsafe floor)', nodeVm, { samples: 200, batch: 5, warmup: 50 }),
  sampleSync('isolated-vm 5.0.4: fresh isolate + context + eval', ivmFresh, { samples: 200, batch: 2, warmup: 20 }),
  sampleSync('isolated-vm 5.0.4: fresh context in a warm isolate + eval', ivmContext, { samples: 400, batch: 5, warmup: 50 }),
  await sample('compute snippet, in-process, metered', engineRun(inProcess, computeRequest), { samples: 40, warmup: 5 }),
  await sample('compute snippet, in-process, unmetered', engineRun(inProcessUnmetered, computeRequest), { samples: 40, warmup: 5 }),
];
const byName = (n: string) => rows.find((r) => r.name === n)!.p50us;

const hostCalls = {
  ...request,
  input: utf8(JSON.stringify({ code: 'for (let i = 0; i < 1000; i++) await fs.stat("/work/a.txt"); return 1' })),
};
const calls = await sample(
  'guest→host: 1000 awaited fs.stat, per call (in-process)',
  async () => {
    const o = await inProcess.run(hostCalls);
    if (o.status !== 'ok') throw new Error(String(o.message));
  },
  { samples: 20, warmup: 3 },
);
const callsWorker = await sample(
  'guest→host: 1000 awaited fs.stat, per call (worker)',
  async () => {
    const o = await inWorker.run(hostCalls);
    if (o.status !== 'ok') throw new Error(String(o.message));
  },
  { samples: 10, warmup: 2 },
);
const per = (s: typeof calls) => ({ ...s, p50us: s.p50us / 1000, p99us: s.p99us / 1000, meanus: s.meanus / 1000 });
rows.push(per(calls), per(callsWorker));
report('QuickJS: fresh isolated evaluation of a small snippet', rows, {
  'airlock gate.eval p50 (ms), metered': byName('airlock gate.eval (policy + audit + worker), metered') / 1000,
  'bare fresh runtime+context+eval p50 (ms)': rows[0]!.p50us / 1000,
  'metering slowdown, small snippet in-process (×)':
    byName('airlock js engine run, in-process') / byName('airlock js engine run, in-process, unmetered'),
  'metering slowdown, compute snippet in-process (×)':
    byName('compute snippet, in-process, metered') / byName('compute snippet, in-process, unmetered'),
});
warmIsolate.dispose();
await workerEngine.close();
await unmeteredWorkerEngine.close();
