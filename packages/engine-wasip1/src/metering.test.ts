// Fuel and memory limits in the wasip1 engine: every way a guest can run
// forever or take all memory is stopped by its limit and reported as such,
// with the fuel used; fuel is deterministic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiB } from '@airlock/core';
import { runTool, text } from './harness.test.js';

const FUEL = 1_000_000;

for (const [name, input] of [
  ['compute-loop', ''],
  ['recurse', ''],
  ['br-table-loop', ''],
  ['call-indirect-loop', ''],
  ['bulk', 'f'],
  ['bulk', 'c'],
] as const) {
  test(`fuel: ${name}${input ? ` (${input})` : ''} is stopped by the fuel limit, with the fuel used`, async () => {
    const out = await runTool(name, { input, limits: { fuel: FUEL } });
    assert.equal(out.status, 'limit', out.message);
    assert.equal(out.limit, 'fuel');
    assert.ok(out.usage.fuel !== null && out.usage.fuel > FUEL, `fuel used ${out.usage.fuel}`);
    assert.match(out.message ?? '', new RegExp(`fuel limit of ${FUEL} exhausted \\(${out.usage.fuel} used\\)`));
    const again = await runTool(name, { input, limits: { fuel: FUEL } });
    assert.equal(again.usage.fuel, out.usage.fuel, 'the same call uses the same fuel');
  });
}

test('fuel: a bulk operation is charged before it runs (overdraft stays small)', async () => {
  const out = await runTool('bulk', { input: 'f', limits: { fuel: FUEL } });
  // Each 4 MiB fill costs 262,145; the one that does not fit is refused whole.
  assert.ok(out.usage.fuel !== null && out.usage.fuel - FUEL < 262_200, `fuel used ${out.usage.fuel}`);
});

test('fuel: a run that fits is ok and reports the same fuel every time', async () => {
  const a = await runTool('compute');
  const b = await runTool('compute');
  assert.equal(a.status, 'ok', a.message);
  assert.equal(text(a.stdout), text(b.stdout));
  assert.ok(a.usage.fuel !== null && a.usage.fuel > 100_000);
  assert.equal(a.usage.fuel, b.usage.fuel);
});

test('fuel: the limit just above a run fits, just below it is the fuel limit', async () => {
  const used = (await runTool('compute')).usage.fuel!;
  assert.equal((await runTool('compute', { limits: { fuel: used } })).status, 'ok');
  const short = await runTool('compute', { limits: { fuel: used - 1000 } });
  assert.equal(short.status, 'limit');
  assert.equal(short.limit, 'fuel');
});

test('fuel: a trap with fuel left is a crash, not a fuel limit', async () => {
  const out = await runTool('trap', { limits: { fuel: FUEL } });
  assert.equal(out.status, 'crashed');
  assert.ok(out.usage.fuel !== null && out.usage.fuel < FUEL);
});

test('fuel: usage is reported after a host-side limit too', async () => {
  const out = await runTool('flood', { input: '1', limits: { outputBytes: 2500 } });
  assert.equal(out.limit, 'output');
  assert.ok(out.usage.fuel !== null && out.usage.fuel > 0);
});

test('fuel: an unmetered engine reports no fuel', async () => {
  const out = await runTool('compute', { engine: { metering: false } });
  assert.equal(out.status, 'ok');
  assert.equal(out.usage.fuel, null);
});

test('memory: a grow bomb stops at the cap and is the memory limit', async () => {
  const out = await runTool('grow-bomb', { limits: { memoryBytes: 4 * MiB } });
  assert.equal(out.status, 'limit', out.message);
  assert.equal(out.limit, 'memory');
  assert.equal(out.usage.peakMemoryBytes, 4 * MiB, 'grow past the cap failed: the memory never exceeded it');
  assert.match(out.message ?? '', /reached the limit of 4194304 bytes/);
  assert.ok(out.usage.fuel !== null && out.usage.fuel > 63 * 4096);
});

test('memory: a cap that is not a whole number of pages rounds down', async () => {
  const out = await runTool('grow-bomb', { limits: { memoryBytes: 4 * MiB + 1000 } });
  assert.equal(out.limit, 'memory');
  assert.equal(out.usage.peakMemoryBytes, 4 * MiB);
});

test('memory: a module whose initial memory is above the cap never runs', async () => {
  const out = await runTool('bulk', { input: 'f', limits: { memoryBytes: 1 * MiB } });
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'memory');
  assert.equal(out.usage.peakMemoryBytes, 0);
  assert.match(out.message ?? '', /starts with 4194304 bytes/);
});
