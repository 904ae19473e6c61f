/**
 * Fresh sandbox cost of the wasip1 engine: a fresh instance + run of a tiny
 * WAT command (echo: stdin to stdout) through `createWasip1Engine`, against
 * a bare browser_wasi_shim instantiate + run of the same compiled module,
 * with the shim's own PreopenDirectory and ConsoleStdout and the same input
 * (the baseline). The difference is what Airlock's preview1 layer adds per
 * call: our fds over a Vfs, the guard on every host call, the outcome.
 *
 * The WAT comes from test/fixtures/wat/echo.wat, compiled by wabt.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { DEFAULT_LIMITS, type Tool } from '@airlock/core';
import { createWasip1Engine } from '@airlock/engine-wasip1';
import { MemoryVfs, Wasm, type WasmInstance } from '@airlock/wasi';
import wabtInit from 'wabt';
import { report, sample } from './lib.js';

/** The parts of browser_wasi_shim the baseline uses (bench/ does not depend on it directly). */
interface Shim {
  WASI: new (
    args: string[],
    env: string[],
    fds: unknown[],
  ) => { wasiImport: Record<string, unknown>; start(instance: WasmInstance): number };
  File: new (data: Uint8Array) => unknown;
  OpenFile: new (file: unknown) => unknown;
  ConsoleStdout: new (write: (bytes: Uint8Array) => void) => unknown;
  PreopenDirectory: new (name: string, contents: Map<string, unknown>) => unknown;
}
// The very copy @airlock/wasi runs on, resolved from that package.
const shimPath = createRequire(import.meta.resolve('@airlock/wasi')).resolve('@bjorn3/browser_wasi_shim');
const { ConsoleStdout, File, OpenFile, PreopenDirectory, WASI } = (await import(pathToFileURL(shimPath).href)) as Shim;

const wabt = await wabtInit();
const source = readFileSync(new URL('../../test/fixtures/wat/echo.wat', import.meta.url), 'utf8');
const wat = wabt.parseWat('echo.wat', source);
const artifact = wat.toBinary({}).buffer;
wat.destroy();

const input = new TextEncoder().encode(JSON.stringify({ path: '/workspace/notes.txt', pattern: 'airlock', ignoreCase: true }));
const tool: Tool = {
  manifest: {
    name: 'echo',
    version: '0.0.0',
    description: 'bench echo',
    engine: 'wasip1',
    artifact: 'echo.wasm',
    inputSchema: true,
    capabilities: {},
    limits: {},
    args: [],
  },
  artifact,
  digest: createHash('sha256').update(artifact).digest('hex'),
};

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

// ---- Baseline: the shim alone, same compiled module, same input. ----
const module = await Wasm.compile(artifact);
const bare = async (): Promise<void> => {
  const chunks: Uint8Array[] = [];
  const fds = [
    new OpenFile(new File(input)),
    new ConsoleStdout((b: Uint8Array) => chunks.push(b)),
    new ConsoleStdout(() => {}),
    new PreopenDirectory('/workspace', new Map([['notes.txt', new File(new TextEncoder().encode('hello'))]])),
  ];
  const wasi = new WASI(['echo'], [], fds);
  const instance = await Wasm.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
  wasi.start(instance);
  if (chunks.reduce((n, c) => n + c.length, 0) !== input.length) throw new Error('bad bare run');
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
