import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { defaultClock, RunGuard } from '@airlock/wasi';
import { CallContext } from '../preview2/call-context.js';
import { buildImports } from '../preview2/host.js';
import { missingHostFunctions } from './instance.js';
import { link } from './link.js';
import { parseComponent } from './parse.js';

const plan = link(parseComponent(readFileSync(new URL('../../../../examples/components/probe/probe.wasm', import.meta.url))));
const host = (): Record<string, Record<string, unknown>> => {
  const ctx = new CallContext({ guard: new RunGuard(defaultClock, 1_000, 0), outputBytes: 0, stderrBytes: 0 });
  return buildImports(ctx, { args: [], env: {}, stdin: new Uint8Array(0), mounts: [], realtime: () => 0 });
};

test('host check: our WASI host has every function the probe component lowers', () => {
  assert.deepEqual(missingHostFunctions(plan, host()), []);
});

test('host check: a missing function, method or class is named', () => {
  const h = host();
  const env = { ...h['wasi:cli/environment'] };
  delete env['getEnvironment'];
  class Descriptor {}
  const missing = missingHostFunctions(plan, {
    ...h,
    'wasi:cli/environment': env,
    'wasi:filesystem/types': { ...h['wasi:filesystem/types'], Descriptor },
  });
  assert.ok(missing.includes('wasi:cli/environment#get-environment'), missing.join());
  assert.ok(missing.includes('wasi:filesystem/types#[method]descriptor.open-at'), missing.join());
  assert.ok(!missing.some((m) => m.startsWith('wasi:io/')), 'nothing else is reported');
});
