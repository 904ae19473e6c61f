/**
 * Component bytes → JS glue + core modules, with jco's transpiler, in-process.
 *
 * Options: instantiation `async` (the generated module exports
 * `instantiate(getCoreModule, imports, instantiateCore)` and reads every
 * import from `imports`, so each instance gets its own WASI host), no WASI
 * shim mapping (nothing resolves to preview2-shim), no TypeScript, no
 * Node-specific compat code. jco's transpiler is itself a component that
 * runs on preview2-shim; it is loaded lazily, only on a cache miss, and
 * only ever sees the component's bytes.
 */
import { AirlockError } from '@airlock/core';
import type { Transpiled } from './transpile-cache.js';

/** Part of every cache key: a new jco or new options mean new glue. */
export const TRANSPILER_ID = 'jco-1.35.0/async/no-shim/v1';

/** The cache key for a component with SHA-256 `digest`. */
export const transpileKey = (digest: string): string => `component-${digest}-${TRANSPILER_ID}`;

type JcoGenerate = typeof import('@bytecodealliance/jco/component');

let jco: Promise<JcoGenerate> | undefined;

const COMPONENT_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const CORE_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

const startsWith = (bytes: Uint8Array, header: readonly number[]): boolean =>
  bytes.length >= header.length && header.every((b, i) => bytes[i] === b);

/** Throws WASM_INVALID unless `bytes` start like a WebAssembly component. */
export function checkComponentHeader(bytes: Uint8Array, toolName: string): void {
  if (startsWith(bytes, COMPONENT_HEADER)) return;
  const hint = startsWith(bytes, CORE_HEADER)
    ? 'it is a core WebAssembly module: run it with engine "wasip1", or make a component of it with `jco new --wasi-command`'
    : bytes.length < 8 || !startsWith(bytes, COMPONENT_HEADER.slice(0, 4))
      ? 'it does not start with the WebAssembly magic bytes'
      : 'its layer/version bytes are not those of a component (0d 00 01 00)';
  throw new AirlockError('WASM_INVALID', `the artifact of tool "${toolName}" is not a WebAssembly component: ${hint}`);
}

export async function transpile(bytes: Uint8Array, toolName: string): Promise<Transpiled> {
  checkComponentHeader(bytes, toolName);
  jco ??= import('@bytecodealliance/jco/component');
  let out: Awaited<ReturnType<JcoGenerate['generate']>>;
  try {
    out = await (await jco).generate(bytes, {
      name: 'component',
      instantiation: { tag: 'async' },
      noTypescript: true,
      noNodejsCompat: true,
      map: [],
    });
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new AirlockError('WASM_INVALID', `the artifact of tool "${toolName}" is not a valid component: ${firstLines(detail)}`, {
      cause: e,
    });
  }
  let js: string | undefined;
  const cores = new Map<string, Uint8Array>();
  for (const [name, data] of out.files) {
    if (name === 'component.js') js = new TextDecoder().decode(data);
    else if (name.endsWith('.wasm')) cores.set(name, data);
  }
  if (js === undefined) throw new AirlockError('INTERNAL', 'jco produced no component.js');
  return { js, cores, imports: out.imports, exports: out.exports };
}

const firstLines = (s: string): string => s.split('\n').slice(0, 6).join(' ').replace(/\s+/g, ' ').trim();
