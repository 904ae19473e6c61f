import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AllowDecision, DecisionRequest } from '@airlock/core';
import { denyAllPolicy, loadPolicy } from './load.js';
import { request } from './test-helpers.test.js';

const POLICY = `version: 1
volumes:
  workspace: { path: ./workspace }
  reports: { path: ./reports }
limits: { wallMs: 5000, memoryBytes: 33554432 }
rules:
  - id: no-secrets
    effect: deny
    agent: "*"
    tool: "*"
    when:
      input.path: { glob: "**/.env*" }
    reason: secrets are never read by agents
  - id: analyst-reads
    effect: allow
    agent: [analyst, "ci-*"]
    tool: [grep, "csv-*"]
    when:
      input.path: { inside: /workspace }
    grants:
      fs:
        - { mount: /workspace, volume: workspace, access: read }
        - { mount: /reports, volume: reports, access: read-write }
      env: { LANG: C.UTF-8 }
    limits: { wallMs: 2000, outputBytes: 262144 }
    redact: [input.token]
  - id: analyst-anything
    effect: allow
    agent: analyst
    tool: grep
  - id: deploy-needs-approval
    effect: ask
    agent: "*"
    tool: deploy
  - id: deploy-denied-at-night
    effect: deny
    agent: "*"
    tool: deploy
    when:
      input.night: true
  - id: deploy-allowed
    effect: allow
    agent: "*"
    tool: deploy
  - id: no-rm
    effect: deny
    agent: [analyst]
    tool: grep
    when:
      input.mode: evil
`;

const policy = loadPolicy(POLICY, { file: 'policies/airlock.yaml' });

type Case = [what: string, req: Partial<DecisionRequest>, effect: string, rule: string | null];
const cases: Case[] = [
  ['first matching allow wins', { input: { path: '/workspace/a' } }, 'allow', 'analyst-reads'],
  ['a later allow matches when an earlier one does not', { input: { path: '/etc/x' } }, 'allow', 'analyst-anything'],
  ['deny wins over an earlier allow (deny-overrides)', { input: { path: '/workspace/.env' } }, 'deny', 'no-secrets'],
  ['a deny written after the allows still wins', { input: { path: '/workspace/a', mode: 'evil' } }, 'deny', 'no-rm'],
  ['agent glob ci-* matches', { agent: 'ci-42', input: { path: '/workspace/a' } }, 'allow', 'analyst-reads'],
  ['tool glob csv-* matches', { agent: 'ci-42', tool: 'csv-stats', input: { path: '/workspace/a' } }, 'allow', 'analyst-reads'],
  ['an agent no rule names is denied by default', { agent: 'mallory', input: { path: '/workspace/a' } }, 'deny', null],
  ['a tool no rule names is denied by default', { tool: 'rm', input: { path: '/workspace/a' } }, 'deny', null],
  ['ask outranks a matching allow', { tool: 'deploy' }, 'ask', 'deploy-needs-approval'],
  ['deny outranks a matching ask written earlier', { tool: 'deploy', input: { night: true } }, 'deny', 'deploy-denied-at-night'],
];

for (const [what, req, effect, rule] of cases) {
  test(`decide: ${what}`, () => {
    const d = policy.decide(request(req));
    assert.equal(d.effect, effect);
    assert.equal(d.rule?.id ?? null, rule);
  });
}

test('decide: the default deny says which agent and tool no rule allows', () => {
  const d = policy.decide(request({ agent: 'mallory', tool: 'rm' }));
  assert.deepEqual(d, { effect: 'deny', rule: null, reason: 'no rule allows agent "mallory" to call tool "rm"' });
});

test('decide: a deny carries its reason and its rule position', () => {
  const d = policy.decide(request({ input: { path: '/w/.env' } }));
  assert.equal(d.reason, 'secrets are never read by agents');
  assert.deepEqual(d.rule, { id: 'no-secrets', index: 0, position: { file: 'policies/airlock.yaml', line: 7, column: 5 } });
});

test('decide: an allow carries grants, redact, and rule limits over top-level limits', () => {
  const d = policy.decide(request({ input: { path: '/workspace/a' } })) as AllowDecision;
  assert.deepEqual(d.grants, {
    fs: [
      { mount: '/workspace', volume: 'workspace', access: 'read' },
      { mount: '/reports', volume: 'reports', access: 'read-write' },
    ],
    env: { LANG: 'C.UTF-8' },
    net: [],
  });
  assert.deepEqual(d.limits, { wallMs: 2000, memoryBytes: 33554432, outputBytes: 262144 });
  assert.deepEqual(d.redact, ['input.token']);
});

test('decide: an allow without grants gets no capability and the top-level limits', () => {
  const d = policy.decide(request({ input: { path: '/etc' } })) as AllowDecision;
  assert.deepEqual(d.grants, { fs: [], env: {}, net: [] });
  assert.deepEqual(d.limits, { wallMs: 5000, memoryBytes: 33554432 });
});

test('decide: decisions are frozen, so one caller cannot change the next one', () => {
  const d = policy.decide(request({ input: { path: '/workspace/a' } })) as AllowDecision;
  assert.throws(() => {
    (d.grants.fs as unknown as unknown[]).push({});
  }, TypeError);
});

test('decide: an exotic input that throws denies as a value', () => {
  const input = {
    get path(): string {
      throw new Error('boom');
    },
  };
  const d = policy.decide(request({ input }));
  assert.equal(d.effect, 'deny');
  assert.equal(d.rule, null);
  assert.match(d.reason, /boom/);
});

test('decide: a request whose agent is not a string is denied', () => {
  const d = policy.decide(request({ agent: 42 as unknown as string }));
  assert.equal(d.effect, 'deny');
});

test('decide: the same pair decides the same way after many other pairs fill the cache', () => {
  for (let i = 0; i < 5000; i++) policy.decide(request({ agent: `a${i}` }));
  assert.equal(policy.decide(request({ input: { path: '/workspace/a' } })).rule?.id, 'analyst-reads');
});

test('decide: agent names are not globs (a "*" agent name is not everyone)', () => {
  const p = loadPolicy('version: 1\nrules:\n  - { id: r, effect: allow, agent: bob, tool: "*" }\n');
  assert.equal(p.decide(request({ agent: '*' })).effect, 'deny');
});

test('denyAllPolicy: denies every call with a reason saying no policy is loaded', () => {
  const d = denyAllPolicy().decide(request());
  assert.equal(d.effect, 'deny');
  assert.equal(d.rule, null);
  assert.match(d.reason, /no policy is loaded/);
});

test('an empty rules list denies everything', () => {
  const p = loadPolicy('version: 1\nrules: []\n');
  assert.equal(p.decide(request()).effect, 'deny');
});

test('compile: volume paths are resolved against the policy file directory', () => {
  const p = loadPolicy(POLICY, { file: 'policies/airlock.yaml', resolvePath: (base, path) => `${base}|${path}` });
  assert.deepEqual(p.volumes, { workspace: { path: 'policies|./workspace' }, reports: { path: 'policies|./reports' } });
});

test('compile: volume paths are kept as written without a resolvePath', () => {
  assert.equal(policy.volumes.workspace?.path, './workspace');
});

test('decide: a default deny says which condition of the nearest allow rule failed', () => {
  const p = loadPolicy(`
version: 1
volumes: { ws: { path: /w } }
rules:
  - id: reads
    effect: allow
    agent: a
    tool: grep
    when:
      input.path: { inside: /workspace }
`);
  const d = p.decide({ agent: 'a', tool: 'grep', input: { path: '/etc/passwd' }, session: { id: 's', calls: 0, toolCalls: {} } });
  assert.equal(d.effect, 'deny');
  assert.equal(d.rule, null);
  assert.match(d.reason, /^no rule allows agent "a" to call tool "grep": rule "reads" does not match: input\.path .*\/workspace/);
});
