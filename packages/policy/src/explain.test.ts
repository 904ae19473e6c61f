import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatExplanation } from './explanation.js';
import { loadPolicy } from './load.js';
import { request } from './test-helpers.test.js';

const POLICY = `version: 1
rules:
  - id: no-secrets
    effect: deny
    agent: "*"
    tool: "*"
    when:
      input.path: { glob: "**/.env*" }
  - id: reads
    effect: allow
    agent: [analyst, "ci-*"]
    tool: grep
    when:
      input.mode: { in: [fast, full] }
      input.path: { inside: /workspace }
`;
const policy = loadPolicy(POLICY, { file: 'p.yaml' });

test('explain: names the first condition that failed, with the canonical path', () => {
  const e = policy.explain(request({ input: { mode: 'fast', path: '/workspace/../etc/passwd' } }));
  assert.equal(e.decision.effect, 'deny');
  assert.equal(e.decision.rule, null);
  const reads = e.rules[1]!;
  assert.equal(reads.matched, false);
  assert.deepEqual(reads.failure, {
    subject: 'input.path',
    message: 'input.path is "/workspace/../etc/passwd", canonically "/etc/passwd"; expected it to be a path inside /workspace',
    position: { file: 'p.yaml', line: 15, column: 7 },
  });
});

test('explain: stops at the first failing condition in document order', () => {
  const e = policy.explain(request({ input: { mode: 'slow', path: '/etc' } }));
  assert.equal(e.rules[1]!.failure?.subject, 'input.mode');
  assert.equal(e.rules[1]!.failure?.message, 'input.mode is "slow"; expected it to be one of ["fast","full"]');
});

test('explain: a missing subject is reported as missing', () => {
  const e = policy.explain(request({ input: { path: '/workspace/a' } }));
  assert.equal(e.rules[1]!.failure?.message, 'input.mode is missing; expected it to be one of ["fast","full"]');
});

test('explain: an agent mismatch names the patterns', () => {
  const e = policy.explain(request({ agent: 'mallory' }));
  assert.equal(e.rules[1]!.failure?.message, 'agent "mallory" is not matched by "analyst", "ci-*"');
});

test('explain: a matching rule has no failure, and the decision is the one decide gives', () => {
  const req = request({ input: { mode: 'fast', path: '/workspace/a' } });
  const e = policy.explain(req);
  assert.deepEqual(
    e.rules.map((r) => [r.rule.id, r.matched]),
    [
      ['no-secrets', false],
      ['reads', true],
    ],
  );
  assert.equal(e.rules[1]!.failure, null);
  assert.deepEqual(e.decision, policy.decide(req));
});

test('explain: both a deny and an allow can match; the deny decides', () => {
  const e = policy.explain(request({ input: { mode: 'fast', path: '/workspace/.env' } }));
  assert.deepEqual(
    e.rules.map((r) => r.matched),
    [true, true],
  );
  assert.equal(e.decision.rule?.id, 'no-secrets');
});

test('formatExplanation: one line for the decision, one per rule', () => {
  const text = formatExplanation(policy.explain(request({ agent: 'mallory' })));
  assert.equal(
    text,
    [
      'deny (no rule): no rule allows agent "mallory" to call tool "grep"',
      '  no match deny "no-secrets" (line 3): input.path is missing; expected it to be a string matching glob "**/.env*"',
      '  no match allow "reads" (line 9): agent "mallory" is not matched by "analyst", "ci-*"',
    ].join('\n'),
  );
});
