// Egress on the Node host against a REAL server on loopback, started here.
// Each case names its attack and expects a denial (or the allowed exchange),
// a record, and, for denials, that the server saw nothing.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { EgressLimits, NetGrant } from '@airlock/core';
import { createEgress } from '@airlock/egress';
import { createNodeHost } from '@airlock/runtime-node';

const SECRET = 'ghp_node-host-secret-value';
const host = createNodeHost();
const LIMITS: EgressLimits = { responseBytes: 4096, timeoutMs: 3000, maxRedirects: 3 };

interface Seen {
  readonly url: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
}

let server: Server;
let other: Server;
let port = 0;
let otherPort = 0;
const seen: Seen[] = [];
const otherSeen: Seen[] = [];

function listen(s: Server): Promise<number> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
}

before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers });
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(1024 * 1024, 0x61));
    } else if (req.url === '/to-other-port') {
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/landed` });
      res.end();
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 2000);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-echo-auth': req.headers.authorization ? 'present' : 'absent' });
      res.end('hello');
    }
  });
  other = createServer((req, res) => {
    otherSeen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers });
    res.end('other');
  });
  port = await listen(server);
  otherPort = await listen(other);
});

after(() => {
  server.closeAllConnections();
  server.close();
  other.close();
});

function egressFor(grants: NetGrant[], limits: Partial<EgressLimits> = {}) {
  return createEgress({
    grants,
    secrets: (name) => (name === 'TOKEN' ? SECRET : undefined),
    ...(host.net ? { net: host.net } : {}),
    limits: { ...LIMITS, ...limits },
    now: () => performance.now(),
  });
}

const authed = (url: string, allowPrivate: boolean): NetGrant => ({
  url,
  methods: ['GET'],
  headers: { Authorization: 'Bearer {{secret:TOKEN}}' },
  ...(allowPrivate ? { allowPrivate: true } : {}),
});

test('node egress: a granted request with allowPrivate reaches loopback with the injected secret', async () => {
  seen.length = 0;
  const egress = egressFor([authed(`http://127.0.0.1:${port}/*`, true)]);
  const r = await egress.fetch({ url: `http://127.0.0.1:${port}/hello?x=1` });
  assert.equal(r.ok, true, r.ok ? '' : r.reason);
  assert.equal(r.ok && new TextDecoder().decode(r.body), 'hello');
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.headers.authorization, `Bearer ${SECRET}`);
  assert.equal(seen[0]!.url, '/hello?x=1');
  const recs = egress.records();
  assert.deepEqual([recs[0]!.decision, recs[0]!.status, recs[0]!.bytes], ['allowed', 200, 5]);
  assert.ok(!JSON.stringify(recs).includes(SECRET));
});

test('node egress: the same URL without allowPrivate is denied before connecting', async () => {
  seen.length = 0;
  const egress = egressFor([authed(`http://127.0.0.1:${port}/*`, false)]);
  const r = await egress.fetch({ url: `http://127.0.0.1:${port}/hello` });
  assert.equal(r.ok, false);
  assert.equal(seen.length, 0, 'the server saw nothing');
  assert.equal(egress.records()[0]!.decision, 'denied');
});

test('node egress: a host name resolving to loopback (localhost) is denied by the address check', async () => {
  seen.length = 0;
  const egress = egressFor([authed(`http://localhost:${port}/*`, false)]);
  const r = await egress.fetch({ url: `http://localhost:${port}/hello` });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /resolved to address (127\.0\.0\.1|::1), which is not public/);
  assert.equal(seen.length, 0, 'the server saw nothing');
});

test('node egress: the host itself refuses a literal address that fails checkAddress', async () => {
  seen.length = 0;
  const r = await host.net!.request({
    url: `http://127.0.0.1:${port}/`,
    method: 'GET',
    headers: [],
    timeoutMs: 1000,
    maxResponseBytes: 10,
    checkAddress: () => false,
  });
  assert.deepEqual('failure' in r ? [r.failure, r.address] : null, ['address-denied', '127.0.0.1']);
  assert.equal(seen.length, 0);
});

test('node egress: a redirect from the granted server to another port is denied', async () => {
  seen.length = 0;
  otherSeen.length = 0;
  const egress = egressFor([authed(`http://127.0.0.1:${port}/*`, true)]);
  const r = await egress.fetch({ url: `http://127.0.0.1:${port}/to-other-port` });
  assert.equal(r.ok, false);
  assert.equal(seen.length, 1);
  assert.equal(otherSeen.length, 0, 'the other port saw nothing');
  assert.deepEqual(
    egress.records().map((x) => [x.hop, x.decision]),
    [
      [0, 'allowed'],
      [1, 'denied'],
    ],
  );
});

test('node egress: an oversized response is cut and denied', async () => {
  const egress = egressFor([{ url: `http://127.0.0.1:${port}/*`, methods: ['GET'], allowPrivate: true }]);
  const r = await egress.fetch({ url: `http://127.0.0.1:${port}/big` });
  assert.deepEqual(r.ok ? null : [r.kind, r.limit], ['limit', 'response-bytes']);
  const [rec] = egress.records();
  assert.equal(rec!.bytes, LIMITS.responseBytes);
});

test('node egress: a slow server is cut at the time cap', async () => {
  const egress = egressFor([{ url: `http://127.0.0.1:${port}/*`, methods: ['GET'], allowPrivate: true }], { timeoutMs: 200 });
  const r = await egress.fetch({ url: `http://127.0.0.1:${port}/slow` });
  assert.deepEqual(r.ok ? null : [r.kind, r.limit], ['limit', 'timeout']);
});

test('node egress: a name that does not resolve fails as a recorded network failure', async () => {
  const egress = egressFor([{ url: 'http://no-such-host.invalid/*', methods: ['GET'] }]);
  const r = await egress.fetch({ url: 'http://no-such-host.invalid/x' });
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.kind, 'failed');
  assert.match(egress.records()[0]!.reason, /^dns failed/);
});
