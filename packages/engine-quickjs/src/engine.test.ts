// Unit tests of the js engine's own pieces, in this thread (no workers): the
// guest API (prelude.ts), value copying across the boundary, limits mapping,
// the string fast path into the Wasm memory, fetch's request reading and its
// egress wiring with a fake Host.net, and TypeScript stripping. The
// end-to-end escape corpus (workers, gate, audit) is in test/escape/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_EGRESS_LIMITS,
  DEFAULT_LIMITS,
  type HostNet,
  type HostNetRequest,
  type Limits,
  MiB,
  type RunRequest,
  type Tool,
  toHex,
  utf8,
} from '@airlock/core';
import { createQuickJsEngine } from './engine.js';
import { createFetchCapability, latin1Of, readRequest } from './fetch.js';
import { loadQuickJs, utf8ByteLength } from './quickjs-module.js';
import { MAX_STACK_BYTES, runSnippet, type SnippetJob } from './runner.js';
import { SNIPPET_ARTIFACT, snippetTool } from './snippet-tool.js';

const sha256 = (d: Uint8Array) => {
  // A stand-in digest: the engine only uses it as a cache key.
  let h = 0;
  for (const b of d) h = (h * 31 + b) >>> 0;
  return new Uint8Array([h >>> 24, h >>> 16, h >>> 8, h]);
};

const engine = createQuickJsEngine();
const tool = snippetTool({ sha256 });
const prepared = engine.prepare(tool);

function request(input: unknown, extra: Omit<Partial<RunRequest>, 'limits'> & { limits?: Partial<Limits> } = {}): RunRequest {
  return {
    callId: 't',
    input: utf8(JSON.stringify(input)),
    args: [],
    env: {},
    mounts: [],
    ...extra,
    limits: { ...DEFAULT_LIMITS, wallMs: 2000, ...extra.limits },
  };
}

async function run(code: string, input?: unknown, extra: Omit<Partial<RunRequest>, 'limits'> & { limits?: Partial<Limits> } = {}) {
  const o = await (await prepared).run(request({ code, ...(input === undefined ? {} : { input }) }, extra));
  const text = new TextDecoder().decode(o.stdout);
  return { ...o, value: o.status === 'ok' ? JSON.parse(text) : undefined, text, err: new TextDecoder().decode(o.stderr) };
}

test('guest API: input is a copy, env is frozen, the globals cannot be replaced or enumerated', async () => {
  const r = await run(
    `input.a = 2; globalThis.input = 'x'; let replaced = 'no'; try { Object.defineProperty(globalThis, 'fetch', { value: 1 }); replaced = 'yes' } catch {}
     return [input, Object.isFrozen(env), Object.keys(globalThis), replaced, typeof fs, typeof tools, typeof fetch, typeof console.log]`,
    { a: 1 },
    { env: { A: 'b' } },
  );
  assert.equal(r.status, 'ok', r.message);
  assert.deepEqual(r.value, [{ a: 2 }, true, [], 'no', 'undefined', 'undefined', 'function', 'function']);
});

test('guest API: console formats values and shares one capped stream', async () => {
  const r = await run(
    `console.log('a', 1, { x: [1] }, new TypeError('t'), undefined, function named() {}, 5n, true); console.error('e'); 0`,
  );
  assert.equal(r.err, 'a 1 {"x":[1]} TypeError: t undefined [function named] 5n true\ne\n');
  const cut = await run(`for (let i = 0; i < 100; i++) console.log('x'.repeat(50)); 0`, undefined, { limits: { stderrBytes: 200 } });
  assert.equal(cut.status, 'ok');
  assert.ok(cut.err.length < 300 && cut.err.endsWith('[console output cut at 200 bytes]\n'), cut.err);
  assert.ok(cut.usage.stderrBytes >= 5000, 'attempted bytes are counted');
});

test('values cross by copy: results are JSON, host errors become fresh guest errors', async () => {
  assert.deepEqual((await run('return { a: [1, "é", null], u: undefined }')).value, { a: [1, 'é', null] });
  assert.equal((await run('undefined')).value, null);
  const big = await run('return 1n');
  assert.equal(big.status, 'failed');
  assert.match(big.message ?? '', /not JSON-serialisable/);
  const cyclic = await run('const a = {}; a.a = a; return a');
  assert.equal(cyclic.status, 'failed');
  const err = await run(
    `try { await fetch('https://example.com') } catch (e) { return [e.constructor === TypeError, Object.keys(e), typeof e.stack, /at |node:|\\/work/.test(e.message)] }`,
  );
  assert.deepEqual(err.value, [true, ['code'], 'string', false]);
  const thrown = await run(`throw { message: 'plain object' }`);
  assert.equal(thrown.status, 'failed');
  assert.match(thrown.message ?? '', /plain object/);
});

test('non-ASCII text survives the string fast path in both directions', async () => {
  const text = 'héllo — 日本語 🎉 \u0000 end';
  const r = await run(`return [input, input.length, [...input].length]`, text);
  assert.deepEqual(r.value, [text, text.length, [...text].length]);
  const src = await run(`const s = '🎉日本'; return s + '!'`);
  assert.equal(src.value, '🎉日本!');
});

test('utf8ByteLength matches TextEncoder, lone surrogates included', () => {
  for (const s of ['', 'abc', 'é', '日本語', '🎉', 'a\uD800b', '\uDC00', '\uD83C', 'x🎉y\uD800', 'mixé🎉\u07ff\u0800\uffff']) {
    assert.equal(utf8ByteLength(s), new TextEncoder().encode(s).length, JSON.stringify(s));
  }
});

test('limits mapping: stack is capped at 256 KiB, memory/output/wall time end as their limit, the next call runs', async () => {
  assert.equal(MAX_STACK_BYTES, 256 * 1024);
  const module = await loadQuickJs(48 * MiB);
  const job: SnippetJob = {
    source: 'function f(n) { return f(n + 1) + 1 } f(0)',
    filename: 's.js',
    inputJson: 'null',
    envJson: '{}',
    grants: { fs: false, tools: false },
    wallMs: 2000,
    memoryBytes: 32 * MiB,
    outputBytes: 1000,
    stderrBytes: 1000,
    stackBytes: 10 * 1024 * 1024, // asked for 10 MiB: still caught as a guest stack overflow
  };
  const bridge = async () => '{"ok":true,"value":null}';
  const deep = await runSnippet(module, job, bridge);
  assert.equal(deep.status, 'failed');
  assert.match(deep.message ?? '', /stack overflow/);
  const mem = await runSnippet(module, { ...job, source: 'const a = []; for (;;) a.push(new Array(1e5).fill(1.5))' }, bridge);
  assert.equal(mem.status, 'limit');
  assert.equal(mem.limit, 'memory');
  const wall = await runSnippet(module, { ...job, source: 'for (;;) {}', wallMs: 100 }, bridge);
  assert.equal(wall.limit, 'wall-time');
  assert.ok(wall.wallMs < 400, `${wall.wallMs}`);
  const heap = await runSnippet(module, { ...job, source: '1', measureHeap: true }, bridge);
  const cheap = await runSnippet(module, { ...job, source: '1' }, bridge);
  assert.ok(heap.peakMemoryBytes > 0 && heap.peakMemoryBytes < cheap.peakMemoryBytes, 'heap in use < the Wasm memory');
  assert.equal(cheap.peakMemoryBytes % 65536, 0, 'without measureHeap: the Wasm memory size');
  const out = await runSnippet(module, { ...job, source: '"x".repeat(2000)' }, bridge);
  assert.equal(out.limit, 'output');
  const next = await runSnippet(module, { ...job, source: '6 * 7' }, bridge);
  assert.equal(next.output, '42');
});

test('fetch requests are read strictly', () => {
  assert.deepEqual(readRequest({ url: 'https://a.example/', method: 'post', headers: [['x', 'y']], text: 'é' }), {
    url: 'https://a.example/',
    method: 'post',
    headers: [['x', 'y']],
    redirect: 'follow',
    body: new TextEncoder().encode('é'),
  });
  assert.deepEqual(readRequest({ url: 'u', method: 'PUT', latin1: '\u0000\u00ff' }).body, new Uint8Array([0, 255]));
  for (const bad of [null, 'x', { url: 1 }, { url: 'u', headers: [['a']] }, { url: 'u', redirect: 'sideways' }, { url: 'u', text: 'b' }])
    assert.throws(() => readRequest(bad), /fetch:/, JSON.stringify(bad));
  assert.throws(() => readRequest({ url: 'u', method: 'POST', latin1: '\u0100' }), /bad body bytes/);
  assert.equal(latin1Of(new Uint8Array([0x41, 0xff])), 'A\u00ff');
});

test('fetch goes through egress: grant check, secret injected host-side, records, no-net denial', async () => {
  const sent: HostNetRequest[] = [];
  const net: HostNet = {
    async request(r) {
      sent.push(r);
      return { status: 200, headers: [['content-type', 'text/plain']], body: utf8('pong'), truncated: false };
    },
  };
  const egress = {
    grants: [{ url: 'https://api.example.com/v1/*', methods: ['GET'], headers: { Authorization: 'Bearer {{secret:T}}' } }],
    secrets: (name: string) => (name === 'T' ? 'shh' : undefined),
    net,
    limits: DEFAULT_EGRESS_LIMITS,
  };
  const f = createFetchCapability(request(null, { egress }), performance.now(), () => performance.now());
  const ok = await f.fetch({ url: 'https://api.example.com/v1/x', headers: [['authorization', 'forged']] });
  assert.equal(ok.text, 'pong');
  assert.equal(ok.statusText, 'OK');
  const auth = (sent[0]!.headers as ReadonlyArray<readonly [string, string]>).filter(([k]) => k.toLowerCase() === 'authorization');
  assert.deepEqual(auth, [['authorization', 'Bearer shh']], 'the grant header replaces the forged one');
  assert.ok(!JSON.stringify(ok).includes('shh'), 'the answer does not carry the secret');
  await assert.rejects(f.fetch({ url: 'https://evil.example/' }), /was denied: no grant covers/);
  await assert.rejects(f.fetch({ url: 'https://api.example.com/v1/x', method: 'POST', text: 'x'.repeat(2 * MiB) }), /over the limit/);
  assert.deepEqual(
    f.records().map((r) => [r.decision, r.url]),
    [
      ['allowed', 'https://api.example.com/v1/x'],
      ['denied', 'https://evil.example/'],
      ['denied', 'https://api.example.com/v1/x'],
    ],
  );
  const none = createFetchCapability(request(null), performance.now(), () => performance.now());
  await assert.rejects(none.fetch({ url: 'https://api.example.com/v1/x' }), /not granted/);
  assert.equal(none.records()[0]!.reason, 'no network access is granted to this call');
});

test('TypeScript: lang "ts" snippets and .ts tools are stripped (same lines), refusals are clear', async () => {
  const ts = await (await prepared).run(
    request({
      lang: 'ts',
      code: 'interface P { x: number }\nconst p: P = { x: input as number };\nfunction twice<T>(v: T): [T, T] { return [v, v] }\nreturn twice(p.x satisfies number)',
      input: 4,
    }),
  );
  assert.equal(ts.status, 'ok', ts.message);
  assert.equal(new TextDecoder().decode(ts.stdout), '[4,4]');
  const line = await (await prepared).run(
    request({ lang: 'ts', code: 'type A = string;\n\nthrow new Error("line " + new Error().stack)' }),
  );
  assert.match(line.message ?? '', /snippet\.ts:3/);
  const en = await (await prepared).run(request({ lang: 'ts', code: 'enum E { A }\nreturn E.A' }));
  assert.equal(en.status, 'failed');
  assert.match(en.message ?? '', /TypeScript: .*enum.*strip/);
  const bad = await (await prepared).run(request({ lang: 'ts', code: 'const x: = 1' }));
  assert.equal(bad.status, 'failed');
  assert.match(bad.message ?? '', /^TypeScript: /);
  const lang = await (await prepared).run(request({ lang: 'py', code: '1' }));
  assert.match(lang.message ?? '', /lang must be/);
  const source = utf8('const n: number = input.n;\nexport default n * 2;');
  const tsTool: Tool = {
    manifest: { ...tool.manifest, name: 'double', artifact: 'double.ts', inputSchema: true },
    artifact: source,
    digest: toHex(sha256(source)),
  };
  const t = await (await engine.prepare(tsTool)).run({ ...request({ n: 21 }) });
  assert.equal(new TextDecoder().decode(t.stdout), '42');
  const broken = utf8('enum X { A }');
  await assert.rejects(
    engine.prepare({ ...tsTool, manifest: { ...tsTool.manifest, name: 'broken' }, artifact: broken, digest: toHex(sha256(broken)) }),
    /broken.*enum/,
  );
  assert.ok(SNIPPET_ARTIFACT.length > 0);
});

test('fuel: the metered module charges every call the same, a fuel trap is the limit fuel, the next call runs', async () => {
  const code = 'let s = 0; for (let i = 0; i < 1000; i++) s += i; return s';
  const a = await run(code);
  const b = await run(code);
  assert.equal(a.status, 'ok');
  assert.ok(typeof a.usage.fuel === 'number' && a.usage.fuel > 0);
  assert.equal(b.usage.fuel, a.usage.fuel);
  // A second engine loads its own module: same fuel.
  const other = await createQuickJsEngine().prepare(tool);
  const c = await other.run(request({ code }));
  assert.equal(c.usage.fuel, a.usage.fuel);
  const t0 = performance.now();
  const trap = await run('while (true) {}', undefined, { limits: { fuel: 20_000_000, wallMs: 30_000 } });
  assert.equal(trap.status, 'limit');
  assert.equal(trap.limit, 'fuel');
  assert.match(trap.message ?? '', /fuel limit of 20000000 exhausted/);
  assert.ok((trap.usage.fuel ?? 0) >= 20_000_000);
  assert.ok(performance.now() - t0 < 5000);
  // Too little fuel even for QuickJS's own set-up: still the limit, never a crash.
  const tiny = await run('1', undefined, { limits: { fuel: 1000 } });
  assert.equal(tiny.limit, 'fuel');
  const next = await run(code);
  assert.equal(next.status, 'ok');
  assert.equal(next.usage.fuel, a.usage.fuel);
  // Unmetered: no fuel in the usage.
  const plain = await createQuickJsEngine({ metering: false }).prepare(tool);
  const d = await plain.run(request({ code }));
  assert.equal(d.status, 'ok');
  assert.equal(d.usage.fuel, null);
});
