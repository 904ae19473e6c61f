import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intersectGrants, NO_GRANTS } from './grants.js';
import { type NetPattern, netPatternCovers, parseNetPattern } from './net-pattern.js';

function p(source: string): NetPattern {
  const x = parseNetPattern(source);
  assert.ok(typeof x !== 'string', `${source}: ${x}`);
  return x;
}

test('net pattern: defaults are filled in (port from the scheme, every path)', () => {
  assert.deepEqual(
    { ...p('https://api.example.com') },
    {
      source: 'https://api.example.com',
      scheme: 'https',
      host: 'api.example.com',
      wildcard: false,
      ipLiteral: false,
      port: 443,
      path: '/',
      prefix: true,
    },
  );
  assert.equal(p('http://[::1]:*/x').host, '[::1]');
  assert.equal(p('http://[::1]:*/x').port, '*');
  assert.equal(p('https://xn--mnchen-3ya.de/').host, 'xn--mnchen-3ya.de');
});

test('net pattern: non-canonical forms are refused with what to write', () => {
  assert.match(String(parseNetPattern('http://127.1/')), /write "127\.0\.0\.1"/);
  assert.match(String(parseNetPattern('https://münchen.de/')), /write "xn--mnchen-3ya\.de"/);
  assert.match(String(parseNetPattern('https://a.com/a%7eb')), /write "\/a~b"/);
  assert.match(String(parseNetPattern('https://a.com//evil.com/')), /not canonical/);
  assert.match(String(parseNetPattern('https://*.10.0.0.1/')), /cannot prefix an IP/);
  assert.match(String(parseNetPattern('https://a.com./')), /ends with a dot/);
});

const COVERS: ReadonlyArray<readonly [string, string, boolean]> = [
  ['https://api.example.com/*', 'https://api.example.com/v1/*', true],
  ['https://api.example.com/v1/*', 'https://api.example.com/*', false],
  ['https://api.example.com/v1/*', 'https://api.example.com/v1/x', true],
  ['https://api.example.com/v1/x', 'https://api.example.com/v1/*', false],
  ['https://*.example.com/*', 'https://api.example.com/*', true],
  ['https://*.example.com/*', 'https://*.api.example.com/*', true],
  ['https://*.example.com/*', 'https://*.example.com/v1/*', true],
  ['https://*.example.com/*', 'https://example.com/*', false],
  ['https://api.example.com/*', 'https://*.example.com/*', false],
  ['https://api.example.com:*/*', 'https://api.example.com:8443/*', true],
  ['https://api.example.com/*', 'https://api.example.com:*/*', false],
  ['https://api.example.com/*', 'http://api.example.com/*', false],
];
for (const [outer, inner, expected] of COVERS) {
  test(`net pattern: ${outer} ${expected ? 'covers' : 'does not cover'} ${inner}`, () =>
    assert.equal(netPatternCovers(p(outer), p(inner)), expected));
}

test('intersect: a request is granted under a covering grant, with the narrower pattern and common methods', () => {
  const given = {
    ...NO_GRANTS,
    net: [
      { url: 'https://api.example.com/v2/*', methods: ['GET'] },
      { url: 'https://api.example.com/*', methods: ['GET', 'POST'], headers: { 'X-Key': '{{secret:K}}' }, allowPrivate: true },
    ],
    secrets: { K: { env: 'KEY' }, OTHER: { env: 'OTHER' } },
  };
  const g = intersectGrants(
    { net: [{ url: 'https://api.example.com/v1/*', methods: ['POST', 'DELETE'] }, { url: 'not a pattern' }] },
    given,
  );
  assert.deepEqual(g.net, [
    { url: 'https://api.example.com/v1/*', methods: ['POST'], headers: { 'X-Key': '{{secret:K}}' }, allowPrivate: true },
  ]);
  assert.deepEqual(g.secrets, { K: { env: 'KEY' } });
});

test('intersect: a net grant the manifest does not request is not granted', () => {
  const g = intersectGrants({}, { ...NO_GRANTS, net: [{ url: 'https://a.com/*', methods: ['GET'] }] });
  assert.deepEqual(g, { fs: [], env: {}, net: [] });
});

test('intersect: a secret named like an Object.prototype member is not invented', () => {
  const g = intersectGrants(
    { net: [{ url: 'https://a.com/*' }] },
    { ...NO_GRANTS, net: [{ url: 'https://a.com/*', methods: ['GET'], headers: { A: '{{secret:constructor}}' } }], secrets: {} },
  );
  assert.equal(g.secrets, undefined);
});
