import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetGrant } from '@airlock/core';
import { egressFor, FakeNet } from './fake-net.test.js';

const API: NetGrant = { url: 'https://api.example.com/v1/*', methods: ['GET', 'POST'] };
const TOKEN = 'ghp_THE-REAL-SECRET-VALUE';
const AUTHED: NetGrant = { ...API, headers: { Authorization: 'Bearer {{secret:GITHUB_TOKEN}}' } };

/** URL → allowed? for one grant, through the whole fetch path. */
const TABLE: ReadonlyArray<readonly [string, string, boolean]> = [
  ['https://api.example.com/v1/*', 'https://api.example.com/v1/repos', true],
  ['https://api.example.com/v1/*', 'https://API.Example.COM/v1/repos', true],
  ['https://api.example.com/v1/*', 'https://api.example.com:443/v1/x', true],
  ['https://api.example.com/v1/*', 'https://api.example.com/v1/x?q=1#frag', true],
  ['https://api.example.com/v1/*', 'https://api.example.com/v2/x', false],
  ['https://api.example.com/v1/*', 'https://api.example.com/v1', false],
  ['https://api.example.com/v1/*', 'https://api.example.com/v1/../admin', false],
  ['https://api.example.com/v1/*', 'https://api.example.com/v1/%2e%2e/admin', false],
  ['https://api.example.com/v1/*', 'https://api.example.com/v1/./%2E./admin', false],
  ['https://api.example.com/v1/*', 'https://api.example.com/v1/..%2fadmin', false],
  ['https://api.example.com/v1/*', 'https://api.example.com/v1/..%5Cadmin', false],
  ['https://api.example.com/v1/*', 'https://api.example.com/v1\\..\\admin', false],
  ['https://api.example.com/v1/~me', 'https://api.example.com/v1/%7Eme', true],
  ['https://api.example.com/v1/*', 'https://api.example.com@evil.com/v1/x', false],
  ['https://api.example.com/v1/*', 'https://user:pw@api.example.com/v1/x', false],
  ['https://api.example.com/v1/*', 'https://evil.com/v1/x#api.example.com', false],
  ['https://api.example.com/v1/*', 'https://evil.com/v1/x?api.example.com/v1/', false],
  ['https://api.example.com/v1/*', 'https://api.example.com.evil.com/v1/x', false],
  ['https://api.example.com/v1/*', 'https://api.example.com./v1/x', false],
  ['https://api.example.com/v1/*', 'http://api.example.com/v1/x', false],
  ['https://api.example.com/v1/*', 'https://api.example.com:8443/v1/x', false],
  ['https://api.example.com/v1/*', 'ftp://api.example.com/v1/x', false],
  ['https://api.example.com/v1/*', 'not a url', false],
  ['https://api.example.com/v1/*', 'https://xn--80ak6aa92e.com/v1/x', false],
  ['https://*.example.com/*', 'https://a.example.com/x', true],
  ['https://*.example.com/*', 'https://a.b.example.com/x', true],
  ['https://*.example.com/*', 'https://example.com/x', false],
  ['https://*.example.com/*', 'https://badexample.com/x', false],
  ['https://*.example.com/*', 'https://a.example.com.evil.com/x', false],
  ['https://api.example.com:*/*', 'https://api.example.com:8443/x', true],
  ['https://api.example.com/v1/repos', 'https://api.example.com/v1/repos', true],
  ['https://api.example.com/v1/repos', 'https://api.example.com/v1/repos/x', false],
  ['https://api.example.com', 'https://api.example.com/anything', true],
  ['https://xn--80ak6aa92e.com/*', 'https://аpple.com/x', false],
  ['https://xn--mnchen-3ya.de/*', 'https://münchen.de/x', true],
];

for (const [pattern, url, allowed] of TABLE) {
  test(`pattern ${pattern} ${allowed ? 'allows' : 'denies'} ${url}`, async () => {
    const { egress, net } = egressFor([{ url: pattern, methods: ['GET'] }]);
    const r = await egress.fetch({ url });
    assert.equal(r.ok, allowed, r.ok ? 'allowed' : r.reason);
    assert.equal(net.sent.length, allowed ? 1 : 0);
    const [rec] = egress.records();
    assert.equal(rec?.decision, allowed ? 'allowed' : 'denied');
  });
}

test('method: one not in the grant is denied and says which are granted', async () => {
  const { egress, net } = egressFor([API]);
  const r = await egress.fetch({ url: 'https://api.example.com/v1/x', method: 'DELETE' });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /method DELETE is not granted for https:\/\/api\.example\.com\/v1\/\* \(granted: GET, POST\)/);
  assert.equal(net.sent.length, 0);
});

test('method: lowercase from the guest is compared uppercased', async () => {
  const { egress } = egressFor([API]);
  assert.equal((await egress.fetch({ url: 'https://api.example.com/v1/x', method: 'post' })).ok, true);
});

test('headers: a CRLF in a guest header value is denied (header splitting)', async () => {
  const { egress, net } = egressFor([API]);
  const r = await egress.fetch({ url: 'https://api.example.com/v1/x', headers: { 'x-a': 'b\r\nHost: evil.com' } });
  assert.equal(r.ok, false);
  assert.equal(net.sent.length, 0);
});

test('headers: a guest Host header is dropped (no domain fronting)', async () => {
  const { egress, net } = egressFor([API]);
  await egress.fetch({ url: 'https://api.example.com/v1/x', headers: { Host: 'internal.example.com', 'X-Ok': '1' } });
  assert.deepEqual(net.sent[0]!.headers, [['x-ok', '1']]);
});

test('secret: injected host-side into a granted request, never in records', async () => {
  const { egress, net } = egressFor([AUTHED], new FakeNet(), { secrets: { GITHUB_TOKEN: TOKEN } });
  const r = await egress.fetch({ url: 'https://api.example.com/v1/user' });
  assert.equal(r.ok, true);
  assert.deepEqual(net.sent[0]!.headers, [['authorization', `Bearer ${TOKEN}`]]);
  assert.ok(!JSON.stringify(egress.records()).includes(TOKEN));
});

test('secret: the grant header replaces a guest header of the same name', async () => {
  const { egress, net } = egressFor([AUTHED], new FakeNet(), { secrets: { GITHUB_TOKEN: TOKEN } });
  await egress.fetch({ url: 'https://api.example.com/v1/user', headers: { authorization: 'Bearer guest' } });
  assert.deepEqual(net.sent[0]!.headers, [['authorization', `Bearer ${TOKEN}`]]);
});

test('secret: a guest writing {{secret:NAME}} itself gets the literal text, not the value', async () => {
  const { egress, net } = egressFor([API], new FakeNet(), { secrets: { GITHUB_TOKEN: TOKEN } });
  await egress.fetch({ url: 'https://api.example.com/v1/user', headers: { 'x-steal': '{{secret:GITHUB_TOKEN}}' } });
  assert.deepEqual(net.sent[0]!.headers, [['x-steal', '{{secret:GITHUB_TOKEN}}']]);
});

test('secret: unset on the host denies the request instead of sending an empty credential', async () => {
  const { egress, net } = egressFor([AUTHED]);
  const r = await egress.fetch({ url: 'https://api.example.com/v1/user' });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /secret GITHUB_TOKEN is not set/);
  assert.equal(net.sent.length, 0);
});

test('secret: stripped on a redirect to another granted host, and not in any record', async () => {
  const other: NetGrant = { url: 'https://cdn.example.net/*', methods: ['GET'] };
  const net = new FakeNet();
  net.routes.set('https://api.example.com/v1/file', { status: 302, location: 'https://cdn.example.net/blob' });
  net.routes.set('https://cdn.example.net/blob', { status: 200, body: 'data' });
  const { egress } = egressFor([AUTHED, other], net, { secrets: { GITHUB_TOKEN: TOKEN } });
  const r = await egress.fetch({ url: 'https://api.example.com/v1/file', headers: { cookie: 'a=1', 'x-keep': 'k' } });
  assert.equal(r.ok, true);
  assert.equal(r.ok && r.redirected, true);
  assert.deepEqual(net.sent[0]!.headers, [
    ['cookie', 'a=1'],
    ['x-keep', 'k'],
    ['authorization', `Bearer ${TOKEN}`],
  ]);
  assert.deepEqual(net.sent[1]!.headers, [['x-keep', 'k']], 'no secret and no guest cookie on the other origin');
  assert.deepEqual(
    egress.records().map((x) => [x.hop, x.decision, x.grant, x.status]),
    [
      [0, 'allowed', AUTHED.url, 302],
      [1, 'allowed', other.url, 200],
    ],
  );
  assert.ok(!JSON.stringify(egress.records()).includes(TOKEN));
});

test('redirect: to an ungranted host is denied and recorded', async () => {
  const net = new FakeNet();
  net.routes.set('https://api.example.com/v1/go', { status: 302, location: 'https://evil.com/steal' });
  const { egress } = egressFor([AUTHED], net, { secrets: { GITHUB_TOKEN: TOKEN } });
  const r = await egress.fetch({ url: 'https://api.example.com/v1/go' });
  assert.equal(r.ok, false);
  assert.equal(net.sent.length, 1);
  const recs = egress.records();
  assert.deepEqual(
    recs.map((x) => [x.hop, x.url, x.decision]),
    [
      [0, 'https://api.example.com/v1/go', 'allowed'],
      [1, 'https://evil.com/steal', 'denied'],
    ],
  );
  assert.match(recs[1]!.reason, /no grant covers https:\/\/evil\.com:443\/steal/);
});

test('redirect: to another port, another scheme or outside the path prefix is denied', async () => {
  for (const location of ['https://api.example.com:8443/v1/x', 'http://api.example.com/v1/x', '/admin', '../admin']) {
    const net = new FakeNet();
    net.routes.set('https://api.example.com/v1/a/go', { status: 301, location });
    const { egress } = egressFor([API], net);
    const r = await egress.fetch({ url: 'https://api.example.com/v1/a/go' });
    assert.equal(r.ok, location === '../admin', location); // ../admin from /v1/a/go is /v1/admin: granted
    assert.equal(egress.records()[1]!.decision, r.ok ? 'allowed' : 'denied', location);
  }
});

test('redirect: relative locations resolve against the current URL', async () => {
  const net = new FakeNet();
  net.routes.set('https://api.example.com/v1/a', { status: 307, location: 'b?x=1' });
  net.routes.set('https://api.example.com/v1/b?x=1', { status: 200, body: 'ok' });
  const { egress } = egressFor([API], net);
  const r = await egress.fetch({ url: 'https://api.example.com/v1/a' });
  assert.equal(r.ok && r.url, 'https://api.example.com/v1/b?x=1');
});

test('redirect: a loop is stopped after maxRedirects with a limit', async () => {
  const net = new FakeNet();
  net.routes.set('https://api.example.com/v1/a', { status: 302, location: '/v1/b' });
  net.routes.set('https://api.example.com/v1/b', { status: 302, location: '/v1/a' });
  const { egress } = egressFor([API], net, { limits: { maxRedirects: 3 } });
  const r = await egress.fetch({ url: 'https://api.example.com/v1/a' });
  assert.deepEqual(r.ok ? null : [r.kind, r.limit], ['limit', 'redirects']);
  assert.equal(net.sent.length, 4);
  assert.equal(egress.records().at(-1)!.limit, 'redirects');
});

test('redirect: 303 turns POST into GET without the body; 307 keeps both', async () => {
  const net = new FakeNet();
  const body = new TextEncoder().encode('{"a":1}');
  net.routes.set('https://api.example.com/v1/post', { status: 303, location: '/v1/done' });
  net.routes.set('https://api.example.com/v1/keep', { status: 307, location: '/v1/done' });
  net.routes.set('https://api.example.com/v1/done', { status: 200 });
  const { egress } = egressFor([API], net);
  await egress.fetch({ url: 'https://api.example.com/v1/post', method: 'POST', body, headers: { 'content-type': 'application/json' } });
  assert.deepEqual(
    net.sent.map((s) => [s.method, s.body?.length, s.headers.length]),
    [
      ['POST', 7, 1],
      ['GET', undefined, 0],
    ],
  );
  await egress.fetch({ url: 'https://api.example.com/v1/keep', method: 'POST', body });
  assert.deepEqual(
    net.sent.slice(2).map((s) => [s.method, s.body?.length]),
    [
      ['POST', 7],
      ['POST', 7],
    ],
  );
});

test('redirect: a method change to one the grant lacks is still checked', async () => {
  const postOnly: NetGrant = { url: 'https://api.example.com/v1/*', methods: ['POST'] };
  const net = new FakeNet();
  net.routes.set('https://api.example.com/v1/post', { status: 303, location: '/v1/done' });
  const { egress } = egressFor([postOnly], net);
  const r = await egress.fetch({ url: 'https://api.example.com/v1/post', method: 'POST' });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /method GET is not granted/);
});

test('redirect: manual mode returns the 3xx to the guest', async () => {
  const net = new FakeNet();
  net.routes.set('https://api.example.com/v1/go', { status: 302, location: 'https://evil.com/' });
  const { egress } = egressFor([API], net);
  const r = await egress.fetch({ url: 'https://api.example.com/v1/go', redirect: 'manual' });
  assert.equal(r.ok && r.status, 302);
  assert.equal(egress.records().length, 1);
});

test('address: a name resolving to loopback is denied unless allowPrivate', async () => {
  for (const ip of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '::1', '::ffff:127.0.0.1', 'fd00::1', '100.64.0.1', '0.0.0.0']) {
    const net = new FakeNet();
    net.dns.set('api.example.com', ['93.184.215.14', ip]);
    const { egress } = egressFor([API], net);
    const r = await egress.fetch({ url: 'https://api.example.com/v1/x' });
    assert.equal(r.ok, false, ip);
    assert.match(r.ok ? '' : r.reason, /not public/, ip);
    assert.equal(net.sent.length, 0, ip);
    const { egress: allowed } = egressFor([{ ...API, allowPrivate: true }], net);
    assert.equal((await allowed.fetch({ url: 'https://api.example.com/v1/x' })).ok, true, ip);
  }
});

test('address: literal IP hosts are denied without allowPrivate, before the host is asked', async () => {
  for (const url of ['http://127.0.0.1/', 'http://[::1]/', 'http://0x7f.1/', 'http://2130706433/', 'http://8.8.8.8/']) {
    const host = new URL(url).host;
    const net = new FakeNet();
    const { egress } = egressFor([{ url: `http://${host}/*`, methods: ['GET'] }], net);
    const r = await egress.fetch({ url });
    assert.equal(r.ok, false, url);
    assert.match(r.ok ? '' : r.reason, /literal IP address/, url);
    assert.equal(net.checked.length, 0, url);
  }
});

test('address: a literal loopback host is reached with allowPrivate', async () => {
  const { egress } = egressFor([{ url: 'http://127.0.0.1:8080/*', methods: ['GET'], allowPrivate: true }]);
  assert.equal((await egress.fetch({ url: 'http://127.0.0.1:8080/x' })).ok, true);
});

test('limit: an oversized response is denied with a response-bytes record', async () => {
  const net = new FakeNet();
  net.routes.set('https://api.example.com/v1/big', { status: 200, body: 'x'.repeat(5000) });
  const { egress } = egressFor([API], net, { limits: { responseBytes: 100 } });
  const r = await egress.fetch({ url: 'https://api.example.com/v1/big' });
  assert.deepEqual(r.ok ? null : [r.kind, r.limit], ['limit', 'response-bytes']);
  const [rec] = egress.records();
  assert.deepEqual([rec!.decision, rec!.limit, rec!.bytes], ['denied', 'response-bytes', 100]);
});

test('limit: a host that never answers is cut at the time cap', async () => {
  const net = new FakeNet();
  net.routes.set('https://api.example.com/v1/slow', { hang: true });
  let t = 0;
  const { createEgress } = await import('./egress.js');
  const egress = createEgress({
    grants: [API],
    secrets: () => undefined,
    net,
    limits: { responseBytes: 100, timeoutMs: 50, maxRedirects: 0 },
    now: () => t++,
  });
  const r = await egress.fetch({ url: 'https://api.example.com/v1/slow' });
  assert.deepEqual(r.ok ? null : [r.kind, r.limit], ['limit', 'timeout']);
  assert.equal(egress.records()[0]!.limit, 'timeout');
});

test('no host network: every request is denied and recorded', async () => {
  const { createEgress } = await import('./egress.js');
  const egress = createEgress({
    grants: [API],
    secrets: () => undefined,
    limits: { responseBytes: 1, timeoutMs: 1, maxRedirects: 0 },
    now: () => 0,
  });
  const r = await egress.fetch({ url: 'https://api.example.com/v1/x' });
  assert.equal(r.ok, false);
  assert.equal(egress.records()[0]!.reason, 'this host offers no network');
});

test('a host that throws becomes a failed, recorded request', async () => {
  const { createEgress } = await import('./egress.js');
  const egress = createEgress({
    grants: [API],
    secrets: () => undefined,
    net: { request: () => Promise.reject(new Error('boom')) },
    limits: { responseBytes: 1, timeoutMs: 100, maxRedirects: 0 },
    now: () => 0,
  });
  const r = await egress.fetch({ url: 'https://api.example.com/v1/x' });
  assert.deepEqual(r.ok ? null : r.kind, 'failed');
  assert.equal(egress.records()[0]!.decision, 'allowed');
});

test('no grants: nothing is reachable', async () => {
  const { egress, net } = egressFor([]);
  const r = await egress.fetch({ url: 'https://api.example.com/v1/x' });
  assert.equal(r.ok, false);
  assert.equal(net.sent.length, 0);
});
