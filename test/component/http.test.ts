// wasi:http through egress: the http-get component (componentize-js, built
// once into a cache) against real servers on 127.0.0.1:0 started here. Each
// refused case checks the guest got an error, the server saw nothing, and
// the call's egress records say why.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { DEFAULT_LIMITS, type EgressContext, type NetGrant, type RunOutcome, type Tool } from '@airlock/core';
import { type ComponentEngine, createComponentEngine } from '@airlock/engine-component';
import { createNodeHost } from '@airlock/runtime-node';
import { jsComponent } from './js-components.js';

const SECRET = 'sk-component-secret-value';
const host = createNodeHost();
let engine: ComponentEngine;
let tool: Tool;
let server: Server;
let other: Server;
let port = 0;
let otherPort = 0;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
const otherSeen: string[] = [];

const listen = (s: Server): Promise<number> =>
  new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/big') res.end(Buffer.alloc(64 * 1024, 0x61));
    else if (req.url === '/to-other') {
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/landed` });
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-auth-seen': req.headers.authorization === `Bearer ${SECRET}` ? 'yes' : 'no' });
      res.end(`hello ${req.url}`);
    }
  });
  other = createServer((req, res) => {
    otherSeen.push(req.url ?? '');
    res.end('other');
  });
  port = await listen(server);
  otherPort = await listen(other);
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
  other?.close();
});

function egressOf(grants: NetGrant[], responseBytes = 16 * 1024): EgressContext {
  return {
    grants,
    secrets: (name) => (name === 'TOKEN' ? SECRET : undefined),
    net: host.net!,
    limits: { responseBytes, timeoutMs: 5000, maxRedirects: 3 },
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

test('an ungranted host is denied and audited; the server sees nothing', async () => {
  const before = otherSeen.length;
  const o = await get(`http://127.0.0.1:${otherPort}/x`, egressOf([loopback()]));
  assert.equal(o.status, 'failed');
  assert.match(out(o), /fetch-failed/);
  assert.equal(otherSeen.length, before);
  assert.equal(o.egress?.[0]?.decision, 'denied');
  assert.match(o.egress?.[0]?.reason ?? '', /no grant/);
});

test('no net grant at all: the request is denied and still audited', async () => {
  const o = await get(`http://127.0.0.1:${port}/nogrant`);
  assert.equal(o.status, 'failed');
  assert.equal(o.egress?.length, 1);
  assert.equal(o.egress?.[0]?.decision, 'denied');
  assert.ok(!seen.some((s) => s.url === '/nogrant'));
});

test('a redirect from a granted host to an ungranted one is denied and audited', async () => {
  const before = otherSeen.length;
  const o = await get(`http://127.0.0.1:${port}/to-other`, egressOf([loopback()]));
  assert.equal(otherSeen.length, before, 'the ungranted server saw nothing');
  const denied = o.egress?.find((r) => r.decision === 'denied');
  assert.ok(denied, JSON.stringify(o.egress));
  assert.match(denied.url, new RegExp(`:${otherPort}/landed`));
  assert.equal(o.egress?.[0]?.status, 302);
});

test('loopback without allowPrivate is denied and audited', async () => {
  const o = await get(`http://localhost:${port}/private`, egressOf([{ url: `http://localhost:${port}/*`, methods: ['GET'] }]));
  assert.equal(o.status, 'failed');
  assert.ok(!seen.some((s) => s.url === '/private'));
  assert.equal(o.egress?.[0]?.decision, 'denied');
  assert.match(o.egress?.[0]?.reason ?? '', /not public/);
});

test('an oversized response is refused and audited with its limit', async () => {
  const o = await get(`http://127.0.0.1:${port}/big`, egressOf([loopback()], 4096));
  assert.equal(o.status, 'failed');
  assert.equal(o.egress?.[0]?.limit, 'response-bytes');
  assert.equal(o.egress?.[0]?.decision, 'denied');
});

test('a granted secret reaches the server; the guest never sees it', async () => {
  const grant: NetGrant = { ...loopback(), headers: { authorization: 'Bearer {{secret:TOKEN}}' } };
  const o = await get(`http://127.0.0.1:${port}/secret`, egressOf([grant]));
  assert.equal(o.status, 'ok', o.message);
  assert.equal(seen.find((s) => s.url === '/secret')?.headers.authorization, `Bearer ${SECRET}`);
  const answer = JSON.parse(out(o)) as { headers: Record<string, string> };
  assert.equal(answer.headers['x-auth-seen'], 'yes');
  assert.ok(!out(o).includes(SECRET) && !new TextDecoder().decode(o.stderr).includes(SECRET));
  assert.ok(!JSON.stringify(o.egress).includes(SECRET));
});

test('a call that grants mounts to a wasi:http component is refused with a clear error', async () => {
  const prepared = await engine.prepare(tool);
  await assert.rejects(
    prepared.run({
      callId: 'm',
      input: new TextEncoder().encode('{"url":"http://x/"}'),
      args: [],
      env: {},
      mounts: [{ path: '/w', vfs: {} as never, access: 'read' }],
      limits: DEFAULT_LIMITS,
    }),
    /mounts are not offered/,
  );
});
