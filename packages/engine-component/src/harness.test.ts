/**
 * Test harness (no tests of its own): the example components from
 * examples/components as Tools, and a `runComponent` helper. Named *.test.ts
 * so that it may use node:* modules.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Limits, Mount, RunOutcome, Tool } from '@airlock/core';
import { DEFAULT_LIMITS } from '@airlock/core';
import { type ComponentEngine, createComponentEngine } from './engine.js';

const EXAMPLES = new URL('../../../examples/components/', import.meta.url);

export function componentBytes(name: string): Uint8Array {
  return readFileSync(new URL(`${name}/${name}.wasm`, EXAMPLES));
}

export function toolOf(name: string, artifact: Uint8Array = componentBytes(name)): Tool {
  return {
    manifest: {
      name,
      version: '0.0.0',
      description: `fixture ${name}`,
      engine: 'component',
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
  readonly env?: Record<string, string>;
  readonly mounts?: readonly Mount[];
  readonly limits?: Partial<Limits>;
}

/** One engine for the whole test file: transpiling is the slow part. */
export const engine: ComponentEngine = createComponentEngine();

export async function runComponent(name: string, options: RunOptions = {}, tool: Tool = toolOf(name)): Promise<RunOutcome> {
  const prepared = await engine.prepare(tool);
  const input = options.input ?? new Uint8Array(0);
  return prepared.run({
    callId: 'test',
    input: typeof input === 'string' ? new TextEncoder().encode(input) : input,
    args: [],
    env: options.env ?? {},
    mounts: options.mounts ?? [],
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The probe's JSON report (examples/tools/probe/probe.c). */
export interface ProbeReport {
  readonly ok: boolean;
  readonly errnoName: string;
  readonly data: string | null;
}

export const report = (out: RunOutcome): ProbeReport => JSON.parse(text(out.stdout)) as ProbeReport;
