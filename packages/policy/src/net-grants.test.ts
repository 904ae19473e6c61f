import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AirlockError, intersectGrants } from '@airlock/core';
import { loadPolicy } from './load.js';
import type { PolicyProblem } from './model.js';
import { parsePolicy } from './parse.js';
import { request } from './test-helpers.test.js';

const HEAD =
  'version: 1\nsecrets:\n  GITHUB_TOKEN: { env: GH_TOKEN }\nrules:\n  - id: r1\n    effect: allow\n    agent: "*"\n    tool: "*"\n    grants:\n      net:\n';

/** "line:column message" of each problem in a policy whose net list is `items` (one per line, at line 11). */
function problems(items: string): string[] {
  try {
    parsePolicy(HEAD + items, { file: 'p.yaml' });
  } catch (e) {
    assert.ok(e instanceof AirlockError && e.code === 'POLICY_INVALID', String(e));
    return ((e.details?.errors ?? []) as PolicyProblem[]).map((p) => `${p.line}:${p.column} ${p.message}`);
  }
  assert.fail('expected POLICY_INVALID');
}

test('net: a grant with methods, a secret header and allowPrivate reaches the decision', () => {
  const policy = loadPolicy(
    `${HEAD}        - url: "https://api.github.com/repos/*"\n          methods: [GET, POST]\n          headers: { Authorization: "Bearer {{secret:GITHUB_TOKEN}}" }\n        - { url: "http://127.0.0.1:8080/*", methods: [GET], allowPrivate: true }\n`,
  );
  const d = policy.decide(request());
  assert.equal(d.effect, 'allow');
  if (d.effect !== 'allow') return;
  assert.deepEqual(d.grants.net, [
    { url: 'https://api.github.com/repos/*', methods: ['GET', 'POST'], headers: { Authorization: 'Bearer {{secret:GITHUB_TOKEN}}' } },
    { url: 'http://127.0.0.1:8080/*', methods: ['GET'], allowPrivate: true },
  ]);
  assert.deepEqual(d.grants.secrets, { GITHUB_TOKEN: { env: 'GH_TOKEN' } });
});

test('net: a rule without net grants carries no secrets, even when some are declared', () => {
  const policy = loadPolicy(`${HEAD.replace('    grants:\n      net:\n', '')}`);
  const d = policy.decide(request());
  assert.ok(d.effect === 'allow' && d.grants.secrets === undefined && d.grants.net.length === 0);
});

test('net: the manifest request is intersected by pattern coverage, methods intersected', () => {
  const policy = loadPolicy(
    `${HEAD}        - url: "https://*.example.com/*"\n          methods: [GET, POST]\n          headers: { Authorization: "Bearer {{secret:GITHUB_TOKEN}}" }\n`,
  );
  const d = policy.decide(request());
  assert.ok(d.effect === 'allow');
  if (d.effect !== 'allow') return;
  const g = intersectGrants(
    {
      net: [
        { url: 'https://api.example.com/v1/*', methods: ['GET', 'DELETE'] },
        { url: 'https://example.com/*' },
        { url: 'https://api.example.com:8443/*' },
        { url: 'http://api.example.com/*' },
      ],
    },
    d.grants,
  );
  assert.deepEqual(g.net, [
    { url: 'https://api.example.com/v1/*', methods: ['GET'], headers: { Authorization: 'Bearer {{secret:GITHUB_TOKEN}}' } },
  ]);
  assert.deepEqual(g.secrets, { GITHUB_TOKEN: { env: 'GH_TOKEN' } });
});

test('net error: a pattern that does not parse or is not canonical', () => {
  assert.deepEqual(problems('        - { url: "ftp://x.com/*", methods: [GET] }\n'), [
    '11:18 rule "r1".grants.net[0].url "ftp://x.com/*": scheme "ftp" is not allowed; expected http or https',
  ]);
  assert.deepEqual(problems('        - { url: "https://API.example.com/*", methods: [GET] }\n'), [
    '11:18 rule "r1".grants.net[0].url "https://API.example.com/*": host "API.example.com" is not canonical; write "api.example.com"',
  ]);
  assert.deepEqual(problems('        - { url: "https://a.com/v1/../admin/*", methods: [GET] }\n'), [
    '11:18 rule "r1".grants.net[0].url "https://a.com/v1/../admin/*": path "/v1/../admin/" is not canonical (dot segments or encoding); write "/admin/*"',
  ]);
  assert.match(problems('        - { url: "https://user@a.com/*", methods: [GET] }\n')[0]!, /cannot have userinfo/);
  assert.match(problems('        - { url: "https://a.com/*/x", methods: [GET] }\n')[0]!, /only a trailing "\*"/);
  assert.match(problems('        - { url: "https://a.*.com/", methods: [GET] }\n')[0]!, /not a leading "\*\." label/);
  assert.match(problems('        - { url: "https://a.com:99999/", methods: [GET] }\n')[0]!, /port "99999"/);
  assert.match(problems('        - { url: "https://a.com/?q=1", methods: [GET] }\n')[0]!, /query/);
});

test('net error: an IP-literal host without allowPrivate', () => {
  assert.deepEqual(problems('        - { url: "http://10.0.0.1/*", methods: [GET] }\n'), [
    '11:18 rule "r1".grants.net[0].url "http://10.0.0.1/*" names an IP address, which is only reachable with allowPrivate: true',
  ]);
});

test('net error: a bad, lowercase, repeated or missing method', () => {
  assert.deepEqual(problems('        - { url: "https://a.com/*", methods: [get, CONNECT, GET, GET] }\n'), [
    '11:47 rule "r1".grants.net[0].methods has "get"; expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (write GET)',
    '11:52 rule "r1".grants.net[0].methods has "CONNECT"; expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    '11:66 rule "r1".grants.net[0].methods lists GET twice; expected each method once',
  ]);
  assert.deepEqual(problems('        - { url: "https://a.com/*" }\n'), [
    '11:11 rule "r1".grants.net[0] has no "methods"; expected a list such as [GET, POST]',
  ]);
});

test('net error: a header naming an undeclared secret, a malformed reference, a host-owned header', () => {
  assert.deepEqual(
    problems(
      '        - url: "https://a.com/*"\n          methods: [GET]\n          headers:\n            X-Key: "{{secret:NOPE}}"\n            X-Bad: "{{secret: GITHUB_TOKEN}}"\n            Host: a.com\n',
    ),
    [
      '14:20 rule "r1".grants.net[0].headers.X-Key refers to secret "NOPE", which is not declared; expected one of the "secrets" (GITHUB_TOKEN)',
      '15:20 rule "r1".grants.net[0].headers.X-Bad has "{{secret: GITHUB_TOKEN}}"; expected {{secret:NAME}} with no spaces',
      '16:13 rule "r1".grants.net[0].headers cannot set "Host"; the host derives it from the request',
    ],
  );
});

test('net error: an unknown key in a grant, and allowPrivate that is not a boolean', () => {
  assert.deepEqual(problems('        - { url: "https://a.com/*", methods: [GET], allowPrivate: yes, port: 1 }\n'), [
    '11:67 rule "r1".grants.net[0].allowPrivate must be true or false, got the string "yes"',
    '11:72 unknown key "port" in rule "r1".grants.net[0]; expected one of: url, methods, headers, allowPrivate',
  ]);
});

test('secrets error: a bad name, a missing env, a bad variable name', () => {
  const text = 'version: 1\nsecrets:\n  bad-name: { env: X }\n  NOENV: {}\n  BADVAR: { env: "A-B" }\n  VALUE: "ghp_literal"\nrules: []\n';
  try {
    parsePolicy(text);
    assert.fail('expected POLICY_INVALID');
  } catch (e) {
    const list = (((e as AirlockError).details?.errors ?? []) as PolicyProblem[]).map((p) => `${p.line}:${p.column} ${p.message}`);
    assert.deepEqual(list, [
      '3:3 secret name "bad-name" is not a valid name; expected [A-Za-z_][A-Za-z0-9_]*',
      '4:10 secret "NOENV" has no "env"; expected { env: VARIABLE } naming the host variable that holds it',
      '5:18 secret "BADVAR".env "A-B" is not a variable name; expected [A-Za-z_][A-Za-z0-9_]*',
      '6:10 secret "VALUE" must be a map, got the string "ghp_literal"',
    ]);
  }
});
