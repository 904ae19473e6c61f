import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, isAirlockError } from '@airlock/core';
import { MemoryVfs, Wasm } from '@airlock/wasi';
import { createWasip1Engine } from './engine.js';
import { runTool, text, toolOf, wat } from './harness.test.js';

test('hello: stdout is collected and exit 0 is ok', async () => {
  const out = await runTool('hello');
  assert.equal(out.status, 'ok');
  assert.equal(out.exitCode, 0);
  assert.equal(text(out.stdout), 'hello, world\n');
  assert.equal(out.usage.outputBytes, 13);
  assert.ok(out.usage.fuel !== null && out.usage.fuel > 0, 'metered');
});

test('echo: stdin is the call input', async () => {
  const input = JSON.stringify({ greeting: 'héllo', n: [1, 2, 3] }).repeat(300);
  const out = await runTool('echo', { input });
  assert.equal(out.status, 'ok');
  assert.equal(text(out.stdout), input);
  assert.equal(out.usage.inputBytes, new TextEncoder().encode(input).length);
});

test('environ: the guest sees exactly the granted env', async () => {
  const out = await runTool('environ', { env: { FOO: 'bar', LANG: 'C.UTF-8' } });
  assert.deepEqual(text(out.stdout).split('\0').filter(Boolean), ['FOO=bar', 'LANG=C.UTF-8']);
});

test('environ: no env granted means an empty environment', async () => {
  const out = await runTool('environ');
  assert.equal(out.stdout.length, 0);
});

test('args: argv[0] is the tool name, then the args as given (UTF-8 sized)', async () => {
  const out = await runTool('environ', { args: ['--mode', 'fäst', ''] });
  assert.deepEqual(text(out.stderr).split('\0'), ['environ', '--mode', 'fäst', '', '']);
});

test('exit code 0 from proc_exit is ok', async () => {
  const out = await runTool('exit', { input: '0' });
  assert.equal(out.status, 'ok');
  assert.equal(out.exitCode, 0);
});

test('a non-zero exit code is failed, with the code', async () => {
  const out = await runTool('exit', { input: '7' });
  assert.equal(out.status, 'failed');
  assert.equal(out.exitCode, 7);
  assert.match(out.message ?? '', /code 7/);
});

test('a trap is crashed, and the host keeps running', async () => {
  const out = await runTool('trap');
  assert.equal(out.status, 'crashed');
  assert.equal(out.exitCode, null);
  assert.match(out.message ?? '', /unreachable/);
  assert.equal((await runTool('hello')).status, 'ok');
});

test('stdout past outputBytes stops the guest with limit output', async () => {
  const out = await runTool('flood', { input: '1', limits: { outputBytes: 2500 } });
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'output');
  assert.equal(out.stdout.length, 2500);
  assert.ok(!text(out.stdout).includes('done'));
});

test('stderr past stderrBytes is cut and flagged, the guest goes on', async () => {
  const out = await runTool('flood', { input: '2', limits: { stderrBytes: 1500 } });
  assert.equal(out.status, 'ok');
  assert.equal(text(out.stdout), 'done');
  assert.equal(out.stderr.length, 1500);
  assert.equal(out.usage.stderrBytes, 100_000);
  assert.match(out.message ?? '', /stderr cut at 1500 bytes/);
});

test('a guest that keeps calling the host is stopped at the wall-time limit', async () => {
  let now = 0;
  const clock = { monotonic: () => now++ };
  const out = await runTool('spin', { limits: { wallMs: 50 }, engine: { clock } });
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'wall-time');
  assert.ok(out.usage.wallMs >= 50);
});

test('a sleep that would pass the deadline is the wall-time limit at once', async () => {
  const started = performance.now();
  const out = await runTool('sleep', { limits: { wallMs: 200 } });
  assert.equal(out.limit, 'wall-time');
  assert.ok(performance.now() - started < 150, 'did not sleep');
});

test('memory.grow past memoryBytes fails: the memory never exceeds the cap', async () => {
  // grow.wat ignores memory.grow's -1 and exits 0: it coped, so it is ok.
  const out = await runTool('grow', { limits: { memoryBytes: 1024 * 1024 } });
  assert.equal(out.status, 'ok', out.message);
  assert.equal(out.usage.peakMemoryBytes, 64 * 1024);
  assert.equal(text(out.stdout), 'grown');
});

test('an unpooled, uncapped memory grown past memoryBytes is the memory limit at the next host call', async () => {
  const out = await runTool('grow', { limits: { memoryBytes: 1024 * 1024 }, engine: { memoryPool: false } });
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'memory');
  assert.equal(out.usage.peakMemoryBytes, 2 * 1024 * 1024);
  assert.equal(out.stdout.length, 0, 'stopped at the next host call');
});

test('memory within memoryBytes is reported as peak usage', async () => {
  const out = await runTool('grow');
  assert.equal(out.status, 'ok');
  assert.equal(out.usage.peakMemoryBytes, 2 * 1024 * 1024);
});

test('an invalid module is WASM_INVALID with the reason', async () => {
  const engine = createWasip1Engine();
  await assert.rejects(engine.prepare(toolOf('junk', new Uint8Array([0, 97, 115, 109, 9, 9]))), (e: unknown) => {
    assert.ok(isAirlockError(e, 'WASM_INVALID'));
    assert.match(e.message, /"junk" is not a valid WebAssembly module: .+/);
    return true;
  });
});

test('an unknown import is WASM_INVALID naming the import', async () => {
  await assert.rejects(createWasip1Engine().prepare(toolOf('unknown-import')), (e: unknown) => {
    assert.ok(isAirlockError(e, 'WASM_INVALID'));
    assert.match(e.message, /env\.steal_secrets/);
    assert.equal(e.details?.['import'], 'env.steal_secrets');
    return true;
  });
});

test('a module without _start is WASM_INVALID', async () => {
  await assert.rejects(createWasip1Engine().prepare(toolOf('reactor')), /does not export a "_start" function/);
});

test('prepare compiles once per digest', async () => {
  const engine = createWasip1Engine();
  const compile = Wasm.compile;
  let compiles = 0;
  Wasm.compile = (bytes) => {
    compiles++;
    return compile.call(Wasm, bytes);
  };
  try {
    await engine.prepare(toolOf('hello'));
    await engine.prepare(toolOf('hello'));
  } finally {
    Wasm.compile = compile;
  }
  assert.equal(compiles, 1);
});

test('every run is a fresh instance: guest globals do not carry over', async () => {
  // The probe accumulates stdin length in a global; a reused instance would misparse.
  const prepared = await createWasip1Engine().prepare(toolOf('probe'));
  const vfs = new MemoryVfs().writeFile('a.txt', 'A');
  const request = (input: string) => ({
    callId: input,
    input: new TextEncoder().encode(input),
    args: [],
    env: {},
    mounts: [{ path: '/w', vfs, access: 'read' as const }],
    limits: DEFAULT_LIMITS,
  });
  const first = await prepared.run(request('o\na.txt'));
  const second = await prepared.run(request('o\na.txt'));
  assert.equal(text(first.stdout), 'A');
  assert.equal(text(second.stdout), 'A');
});

test('file reads and writes are counted in usage', async () => {
  const vfs = new MemoryVfs().writeFile('in.txt', 'twelve bytes');
  const mounts = [{ path: '/w', vfs, access: 'read-write' as const }];
  const read = await runTool('probe', { input: 'o\nin.txt', mounts });
  assert.equal(text(read.stdout), 'twelve bytes');
  assert.equal(read.usage.fsReadBytes, 12);
  const write = await runTool('probe', { input: 'c\nout.txt', mounts });
  assert.equal(write.status, 'ok');
  assert.equal(write.usage.fsWriteBytes, 5);
  assert.equal(text(vfs.readFile('out.txt') ?? new Uint8Array()), 'pwned');
});

test('writes past fsWriteBytes get EDQUOT and end as the fs-write limit', async () => {
  const vfs = new MemoryVfs();
  const out = await runTool('probe', {
    input: 'c\nout.txt',
    mounts: [{ path: '/w', vfs, access: 'read-write' }],
    limits: { fsWriteBytes: 3 },
  });
  assert.equal(out.status, 'limit');
  assert.equal(out.limit, 'fs-write');
  assert.deepEqual(out.denials, [{ op: 'fd_write', path: '/w/out.txt', errno: 'EDQUOT' }]);
  assert.equal(vfs.readFile('out.txt')?.length, 0);
});

test('wat fixtures are real binaries', () => {
  assert.ok(Wasm.validate(wat('probe')));
});
