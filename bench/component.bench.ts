/**
 * The component engine's costs, against baselines in the same run:
 *
 * - cold start: component bytes → first result, with the transpile cache
 *   cold (jco transpiles in-process) and warm (a TranspileCache hit: only
 *   the glue import, core compiles and the first instance remain);
 * - fresh instance + call with the module cache warm, for a typed tool
 *   (call-counter) and a command (word-count reading a mount);
 * - baselines: a bare `new WebAssembly.Instance` of the same core modules
 *   (the floor any glue sits on), and the wasip1 engine's fresh run of the
 *   echo fixture (what a preview1 tool costs today).
 *
 * The glue is jco 1.35's default generated code (instantiation `async`):
 * this is the "jco default" baseline the issue asks us to beat; see
 * docs/decisions/0008-component-engine.md for what was tried.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS, type Tool } from '@airlock/core';
import { createComponentEngine, decodeTranspiled, type TranspileCache } from '@airlock/engine-component';
import { createWasip1Engine } from '@airlock/engine-wasip1';
import { MemoryVfs } from '@airlock/wasi';
import { input as echoInput, tool as echoTool } from './echo-fixture.js';
import { report, sample } from './lib.js';

const EXAMPLES = new URL('../../examples/components/', import.meta.url);
function toolOf(name: string): Tool {
  const artifact = readFileSync(new URL(`${name}/${name}.wasm`, EXAMPLES));
  return {
    manifest: { ...JSON.parse(readFileSync(new URL(`${name}/manifest.json`, EXAMPLES), 'utf8')), limits: {}, args: [] },
    artifact,
    digest: createHash('sha256').update(artifact).digest('hex'),
  };
}
const counter = toolOf('call-counter');
const wordCount = toolOf('word-count');

class MapCache implements TranspileCache {
  readonly map = new Map<string, Uint8Array>();
  get(key: string): Uint8Array | undefined {
    return this.map.get(key);
  }
  set(key: string, value: Uint8Array): void {
    this.map.set(key, value);
  }
}

const req = (input: string, mounts: { path: string; vfs: MemoryVfs; access: 'read' }[] = []) => ({
  callId: 'bench',
  input: new TextEncoder().encode(input),
  args: [],
  env: {},
  mounts,
  limits: DEFAULT_LIMITS,
});
const counterReq = req('"hello"');
const ws = new MemoryVfs().writeFile('notes.txt', 'one two three\nfour\n');
const wcReq = req('{"path":"/workspace/notes.txt"}', [{ path: '/workspace', vfs: ws, access: 'read' }]);

const expectOk = (out: { status: string; message?: string }): void => {
  if (out.status !== 'ok') throw new Error(`bad run: ${out.status} ${out.message}`);
};

// ---- cold start -------------------------------------------------------------
const cache = new MapCache();
const coldRows = [
  await sample(
    'cold: transpile cache cold (jco in-process) + first call',
    async () => {
      const p = await createComponentEngine({ cache: new MapCache() }).prepare(counter);
      expectOk(await p.run(counterReq));
    },
    { samples: 8, warmup: 1 },
  ),
];
{
  const p = await createComponentEngine({ cache }).prepare(counter);
  expectOk(await p.run(counterReq));
}
coldRows.push(
  await sample(
    'cold: transpile cache warm + first call',
    async () => {
      const p = await createComponentEngine({ cache }).prepare(counter);
      expectOk(await p.run(counterReq));
    },
    { samples: 100, warmup: 5 },
  ),
);
report(`component cold start (call-counter, ${counter.artifact.length} bytes)`, coldRows);

// ---- fresh instance per call ------------------------------------------------------
const engine = createComponentEngine();
const typed = await engine.prepare(counter);
const command = await engine.prepare(wordCount);
const wasip1 = await createWasip1Engine().prepare(echoTool);
const wasip1Req = { ...req(''), input: echoInput };

// The floor: instantiate the same core modules with no glue at all.
const transpiled = decodeTranspiled([...cache.map.values()][0] as Uint8Array);
if (!transpiled) throw new Error('no transpiled entry');
const WA = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }).WebAssembly;
const cores = [...transpiled.cores.values()].map((b) => new WA.Module(b));
const stubs = (m: object): Record<string, Record<string, unknown>> => {
  const out: Record<string, Record<string, unknown>> = {};
  const W = (globalThis as unknown as { WebAssembly: { Module: { imports(m: object): { module: string; name: string; kind: string }[] } } })
    .WebAssembly;
  for (const i of W.Module.imports(m)) {
    out[i.module] ??= {};
    if (i.kind === 'function') (out[i.module] as Record<string, unknown>)[i.name] = () => 0;
  }
  return out;
};
const WI = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => object } }).WebAssembly;
// Only the modules with function imports only (the main module and the shim) can stand alone.
const standalone = cores.filter((m) => {
  try {
    new WI.Instance(m, stubs(m));
    return true;
  } catch {
    return false;
  }
});

const rows = [];
for (let round = 0; round < 2; round++) {
  rows.push(
    await sample(
      `bare new WebAssembly.Instance of ${standalone.length} core modules (floor)`,
      () => {
        for (const m of standalone) new WI.Instance(m, stubs(m));
      },
      { samples: 1000, warmup: 100 },
    ),
  );
  rows.push(
    await sample('wasip1 engine: fresh run of echo (baseline)', async () => expectOk(await wasip1.run(wasip1Req)), {
      samples: 1000,
      warmup: 100,
    }),
  );
  rows.push(
    await sample('component engine: fresh instance + call (typed call-counter)', async () => expectOk(await typed.run(counterReq)), {
      samples: 300,
      warmup: 50,
    }),
  );
  rows.push(
    await sample(
      'component engine: fresh instance + run (command word-count, reads a mount)',
      async () => expectOk(await command.run(wcReq)),
      { samples: 300, warmup: 50 },
    ),
  );
}
const last = rows.slice(4);
report('component: fresh instance per call, module cache warm (jco 1.35 default glue)', last, {
  'typed vs wasip1 p50 ratio': (last[2]?.p50us ?? 0) / (last[1]?.p50us ?? 1),
  'typed vs bare core instances p50 ratio': (last[2]?.p50us ?? 0) / (last[0]?.p50us ?? 1),
});
