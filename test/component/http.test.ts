// wasi:http through egress, at the engine level: the http-get component
// (componentize-js, built once into a cache) against a server on
// 127.0.0.1:0 started here.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { DEFAULT_LIMITS, type EgressContext, type NetGrant, type RunOutcome, type Tool } from '@airlock/core';
import { type ComponentEngine, createComponentEngine } from '@airlock/engine-component';
import { createNodeHost } from '@airlock/runtime-node';
import { MemoryVfs } from '@airlock/wasi';
import { jsComponent } from './js-components.js';

const host = createNodeHost();
let engine: ComponentEngine;
let tool: Tool;
let server: Server;
let port = 0;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello ${req.url}`);
  });
  port = await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const artifact = await jsComponent('http-get');
  tool = {
    manifest: {
      name: 'http-get',
      version: '0.0.0',
      description: 'fixture',
      engine: 'component',
      artifact: 'http-get.wasm',
      inputSchema: true,
      capabilities: {},
      limits: {},
      args: [],
    },
    artifact,
    digest: createHash('sha256').update(artifact).digest('hex'),
  };
  engine = createComponentEngine({ workers: host.workers! });
});

after(async () => {
  await engine?.close();
  server?.close();
});

function egressOf(grants: NetGrant[]): EgressContext {
  return {
    grants,
    secrets: () => undefined,
    net: host.net!,
    limits: { responseBytes: 16 * 1024, timeoutMs: 5000, maxRedirects: 3 },
  };
}

async function get(url: string, egress?: EgressContext, env: Record<string, string> = {}): Promise<RunOutcome> {
  const prepared = await engine.prepare(tool);
  return prepared.run({
    callId: 'http-test',
    input: new TextEncoder().encode(JSON.stringify({ url })),
    args: [],
    env,
    mounts: [],
    limits: { ...DEFAULT_LIMITS, wallMs: 10_000 },
    ...(egress ? { egress } : {}),
  });
}

const out = (o: RunOutcome): string => new TextDecoder().decode(o.stdout);
const loopback = (): NetGrant => ({ url: `http://127.0.0.1:${port}/*`, methods: ['GET'], allowPrivate: true });

test('a granted host answers, and the call records the request', async () => {
  const o = await get(`http://127.0.0.1:${port}/ok`, egressOf([loopback()]));
  assert.equal(o.status, 'ok', o.message);
  const answer = JSON.parse(out(o)) as { status: number; body: string };
  assert.equal(answer.status, 200);
  assert.equal(answer.body, 'hello /ok');
  assert.equal(o.egress?.length, 1);
  assert.equal(o.egress?.[0]?.decision, 'allowed');
  assert.equal(o.egress?.[0]?.status, 200);
});

// The refusals the acceptance names (an ungranted host, a redirect to one,
// loopback without allowPrivate, an oversized response) and the secret
// injection run through the gate on Node and Deno in the shared conformance
// suite (test/conformance/suite.ts, "egress: ..."), with golden audit
// records. These are the engine-level cases it does not cover.

test('no net grant at all: the request is denied and still audited', async () => {
  const o = await get(`http://127.0.0.1:${port}/nogrant`);
  assert.equal(o.status, 'failed');
  assert.equal(o.egress?.length, 1);
  assert.equal(o.egress?.[0]?.decision, 'denied');
  assert.ok(!seen.some((s) => s.url === '/nogrant'));
});

test('a wasi:http component may be granted mounts: they cross to its worker through the Vfs proxy', async () => {
  const prepared = await engine.prepare(tool);
  const o = await prepared.run({
    callId: 'm',
    input: new TextEncoder().encode(JSON.stringify({ url: `http://127.0.0.1:${port}/with-mounts` })),
    args: [],
    env: {},
    mounts: [{ path: '/w', vfs: new MemoryVfs().writeFile('a.txt', 'a'), access: 'read' }],
    limits: { ...DEFAULT_LIMITS, wallMs: 10_000 },
    egress: egressOf([loopback()]),
  });
  assert.equal(o.status, 'ok', o.message);
  assert.equal(JSON.parse(out(o)).body, 'hello /with-mounts');
});
