/**
 * Test harness (no tests of its own): WAT fixtures from test/fixtures/wat,
 * compiled with wabt at test time, wrapped as Tools, and a `runTool` helper.
 * Named *.test.ts so that it may use node:* modules.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Limits, Mount, RunOutcome, Tool } from '@airlock/core';
import { DEFAULT_LIMITS } from '@airlock/core';
import wabtInit from 'wabt';
import { createWasip1Engine, type Wasip1EngineOptions } from './engine.js';

const wabt = await wabtInit();
const FIXTURES = new URL('../../../test/fixtures/wat/', import.meta.url);
const compiled = new Map<string, Uint8Array>();

/** The binary of test/fixtures/wat/<name>.wat. */
export function wat(name: string): Uint8Array {
  let bytes = compiled.get(name);
  if (bytes === undefined) {
    const source = readFileSync(new URL(`${name}.wat`, FIXTURES), 'utf8');
    const module = wabt.parseWat(`${name}.wat`, source);
    bytes = module.toBinary({}).buffer;
    module.destroy();
    compiled.set(name, bytes);
  }
  return bytes;
}

export function toolOf(name: string, artifact: Uint8Array = wat(name)): Tool {
  return {
    manifest: {
      name,
      version: '0.0.0',
      description: `fixture ${name}`,
      engine: 'wasip1',
      artifact: `${name}.wasm`,
      inputSchema: true,
      capabilities: {},
      limits: {},
      args: [],
    },
    artifact,
    digest: createHash('sha256').update(artifact).digest('hex'),
  };
}

export interface RunOptions {
  readonly input?: string | Uint8Array;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  readonly mounts?: readonly Mount[];
  readonly limits?: Partial<Limits>;
  readonly engine?: Wasip1EngineOptions;
}

export async function runTool(name: string, options: RunOptions = {}): Promise<RunOutcome> {
  const prepared = await createWasip1Engine(options.engine).prepare(toolOf(name));
  const input = options.input ?? new Uint8Array(0);
  return prepared.run({
    callId: 'test',
    input: typeof input === 'string' ? new TextEncoder().encode(input) : input,
    args: options.args ?? [],
    env: options.env ?? {},
    mounts: options.mounts ?? [],
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
