/**
 * The tiny preview1 tool the sandbox benchmarks share: echo (stdin to
 * stdout), from test/fixtures/wat/echo.wat compiled by wabt, plus the
 * baseline every one of them compares against: a bare browser_wasi_shim
 * instantiate + run of the same compiled module with the same input, using
 * the shim's own PreopenDirectory and ConsoleStdout.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Tool } from '@airlock/core';
import { Wasm, type WasmInstance } from '@airlock/wasi';
import wabtInit from 'wabt';

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
export const artifact: Uint8Array = wat.toBinary({}).buffer;
wat.destroy();

export const inputValue = { path: '/workspace/notes.txt', pattern: 'airlock', ignoreCase: true };
export const input = new TextEncoder().encode(JSON.stringify(inputValue));

export const tool: Tool = {
  manifest: {
    name: 'echo',
    version: '0.0.0',
    description: 'bench echo',
    engine: 'wasip1',
    artifact: 'echo.wasm',
    inputSchema: { type: 'object', properties: { path: { type: 'string' }, pattern: { type: 'string' } }, required: ['path'] },
    capabilities: { fs: [{ mount: '/workspace', access: 'read' }] },
    limits: {},
    args: [],
  },
  artifact,
  digest: createHash('sha256').update(artifact).digest('hex'),
};

const module = await Wasm.compile(artifact);

/** Baseline: the shim alone, same compiled module, same input. */
export async function bareRun(): Promise<void> {
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
}
