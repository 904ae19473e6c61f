import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AirlockError } from '@airlock/core';
import type { PolicyProblem } from './model.js';
import { parsePolicy } from './parse.js';

/** Parse `text` expecting POLICY_INVALID; return its error and problems. */
function problems(text: string, file = 'p.yaml'): { error: AirlockError; list: PolicyProblem[] } {
  try {
    parsePolicy(text, { file });
  } catch (e) {
    assert.ok(e instanceof AirlockError, `expected an AirlockError, got ${String(e)}`);
    assert.equal(e.code, 'POLICY_INVALID');
    return { error: e, list: (e.details?.errors ?? []) as PolicyProblem[] };
  }
  assert.fail('expected POLICY_INVALID, but the policy parsed');
}

/** "line:column message" of each problem. */
function where(text: string): string[] {
  return problems(text).list.map((p) => `${p.line}:${p.column} ${p.message}`);
}

const RULE = 'version: 1\nvolumes:\n  workspace: { path: ./w }\nrules:\n  - id: r1\n    effect: allow\n    agent: "*"\n    tool: grep\n';

test('error position: a YAML syntax error', () => {
  const { error } = problems('version: 1\nrules:\n  - id: r1\n    effect: [allow\n');
  assert.deepEqual(error.position, { file: 'p.yaml', line: 5, column: 1 });
  assert.match(error.message, /^invalid YAML: Flow sequence/);
});

test('error position: a bare * is a YAML alias, and the message says to quote it', () => {
  const { error } = problems('version: 1\nrules:\n  - id: r1\n    effect: allow\n    agent: *\n    tool: x\n');
  assert.deepEqual(error.position, { file: 'p.yaml', line: 5, column: 12 });
  assert.match(error.message, /write "\*" in quotes/);
});

test('error position: a duplicate key points at the second occurrence', () => {
  assert.deepEqual(where('version: 1\nrules:\n  - id: r1\n    effect: allow\n    effect: deny\n    agent: a\n    tool: x\n'), [
    '5:5 duplicate key "effect" in rules[0] (first at 4:5); expected each key once',
  ]);
});

test('error position: an unknown field in a rule', () => {
  assert.deepEqual(where(`${RULE}    wen:\n      input.a: 1\n`), [
    '9:5 unknown key "wen" in a rule (rules[0]); expected one of: id, effect, agent, tool, when, grants, limits, redact, reason',
  ]);
});

test('error position: a regex that does not compile', () => {
  const [line] = where(`${RULE}    when:\n      input.p: { regex: "([a-z]" }\n`);
  assert.match(
    line!,
    /^10:25 rule "r1"\.when\.input\.p\.regex "\(\[a-z\]" does not compile \(.*\); expected a JavaScript regular expression/,
  );
});

test('error position: a grant naming an undeclared volume', () => {
  assert.deepEqual(where(`${RULE}    grants:\n      fs:\n        - { mount: /data, volume: data, access: read }\n`), [
    '11:35 rule "r1".grants.fs[0].volume "data" is not a declared volume; expected one of the "volumes" (workspace)',
  ]);
});

test('error position: grants on a deny rule', () => {
  assert.deepEqual(where('version: 1\nrules:\n  - id: r1\n    effect: deny\n    agent: a\n    tool: x\n    grants: { env: { A: b } }\n'), [
    '7:5 rule "r1" is a deny rule and cannot have "grants"; expected grants only on allow rules',
  ]);
});

test('error position: limits on a deny rule', () => {
  assert.deepEqual(where('version: 1\nrules:\n  - id: r1\n    effect: deny\n    agent: a\n    tool: x\n    limits: { wallMs: 1 }\n'), [
    '7:5 rule "r1" is a deny rule and cannot have "limits"; expected limits only on allow rules',
  ]);
});

test('error position: bad limits, each reported (negative value and unknown key)', () => {
  assert.deepEqual(where(`${RULE}    limits: { wallMs: -5, cpu: 3 }\n`), [
    '9:23 rule "r1".limits: limit "wallMs" must be a non-negative number, got number -5',
    '9:27 rule "r1".limits: unknown limit "cpu" (known: wallMs, fuel, memoryBytes, inputBytes, outputBytes, stderrBytes, fsWriteBytes, netResponseBytes, netTimeoutMs, netRedirects)',
  ]);
});

test('error position: a duplicate rule id points at the second and names the first', () => {
  assert.deepEqual(where(`${RULE}  - id: r1\n    effect: deny\n    agent: a\n    tool: b\n`), [
    '9:9 duplicate rule id "r1" (first at 5:9); expected unique ids',
  ]);
});

test('error position: a relative mount', () => {
  assert.deepEqual(where(`${RULE}    grants:\n      fs:\n        - { mount: workspace, volume: workspace }\n`), [
    '11:20 rule "r1".grants.fs[0].mount "workspace" is not an absolute canonical guest path; expected e.g. /workspace',
  ]);
});

test('error position: a mount that is not canonical suggests the canonical spelling', () => {
  const [line] = where(`${RULE}    grants:\n      fs:\n        - { mount: /w/../x/, volume: workspace }\n`);
  assert.match(line!, /^11:20 .*\(write \/x\)$/);
});

test('error position: an empty document', () => {
  assert.deepEqual(where('# only a comment\n'), ['1:1 policy is empty; expected a map with "version: 1" and "rules: [...]"']);
});

test('error position: an empty string', () => {
  assert.deepEqual(where(''), ['1:1 policy is empty; expected a map with "version: 1" and "rules: [...]"']);
});

test('error position: two YAML documents', () => {
  assert.deepEqual(where('version: 1\nrules: []\n---\nversion: 1\n'), [
    '3:1 policy has more than one YAML document; expected exactly one (remove the extra "---")',
  ]);
});

test('error position: a dangling alias is reported once', () => {
  const list = where('version: 1\nrules: *nope\n');
  assert.equal(list[0], '2:8 alias *nope names no anchor; expected an anchor &nope defined earlier');
  assert.equal(list.filter((l) => l.includes('names no anchor')).length, 1);
});

test('every problem is collected, sorted by position, and the first is the message', () => {
  const text = [
    'version: 2',
    'extra: 1',
    'rules:',
    '  - id: "bad id"',
    '    effect: maybe',
    '    agent: []',
    '    tool: 5',
    '    when:',
    '      bogus.subject: 1',
    '      input.a: { frob: 1 }',
    '      input.b: [1, 2]',
    '      input.c: { range: [5, 1] }',
    '',
  ].join('\n');
  const { error, list } = problems(text);
  assert.deepEqual(
    list.map((p) => `${p.line}:${p.column}`),
    ['1:10', '2:1', '4:9', '5:13', '6:12', '7:11', '9:7', '10:18', '11:16', '12:25'],
  );
  assert.equal(error.message, list[0]!.message);
  assert.equal(error.message, 'version is number 2; expected version: 1');
  assert.equal(String(error), 'p.yaml:1:10: POLICY_INVALID: version is number 2; expected version: 1');
});

test('problems carry the file name', () => {
  const { list } = problems('rules: []\n', 'etc/policy.yaml');
  assert.deepEqual(list, [{ file: 'etc/policy.yaml', line: 1, column: 1, message: 'policy has no "version"; expected version: 1' }]);
});

test('JSON policy: positions point into the JSON text', () => {
  const text = [
    '{',
    '  "version": 1,',
    '  "rules": [',
    '    { "id": "r1", "effect": "allow", "agent": "*", "tool": "grep",',
    '      "when": { "input.path": { "inside": "relative" } } }',
    '  ]',
    '}',
  ].join('\n');
  assert.deepEqual(where(text), [
    '5:43 rule "r1".when.input.path.inside "relative" is not an absolute guest path; expected a path such as /workspace',
  ]);
});

test('JSON policy: a duplicate key is an error, not last-wins', () => {
  assert.deepEqual(where('{"version": 1, "rules": [], "rules": []}'), [
    '1:29 duplicate key "rules" in the policy (first at 1:16); expected each key once',
  ]);
});

test('a wrongly typed string field suggests quoting', () => {
  const [line] = where('version: 1\nrules:\n  - { id: 7, effect: allow, agent: a, tool: b }\n');
  assert.equal(line, '3:11 rules[0].id must be a rule id matching [A-Za-z0-9_.-]+, got number 7 (quote it to make it a string)');
});

test('missing required rule fields are each named', () => {
  assert.deepEqual(where('version: 1\nrules:\n  - { id: r }\n'), [
    '3:5 rules[0] has no "effect"; expected effect: allow, deny or ask',
    '3:5 rules[0] has no "agent"; expected agent: a name, a glob, "*" or a list of these',
    '3:5 rules[0] has no "tool"; expected tool: a name, a glob, "*" or a list of these',
  ]);
});

test('reason on an allow rule is refused', () => {
  const [line] = where('version: 1\nrules:\n  - { id: r, effect: allow, agent: a, tool: b, reason: x }\n');
  assert.match(line!, /^3:48 rule "r" is an allow rule and cannot have "reason"/);
});

test('a redact entry that is not an input path is refused', () => {
  const [line] = where(`${RULE}    redact: [session.id]\n`);
  assert.match(line!, /^9:14 rule "r1"\.redact entry "session\.id" is not an input path/);
});

test('an empty anyOf and an empty in-list are refused', () => {
  const list = where(`${RULE}    when:\n      input.a: { anyOf: [] }\n      input.b: { in: [] }\n`);
  assert.equal(list.length, 2);
  assert.match(list[0]!, /^10:25 .*anyOf is empty/);
  assert.match(list[1]!, /^11:22 .*in is empty/);
});

test('limits: a string where a number is expected', () => {
  assert.deepEqual(where('version: 1\nlimits: { fuel: lots }\nrules: []\n'), [
    '2:17 limits: limit "fuel" must be a non-negative number, got the string "lots"',
  ]);
});

test('limits: the egress limits want non-negative integers, each bad one reported at its value', () => {
  assert.deepEqual(where('version: 1\nlimits: { netResponseBytes: -1, netTimeoutMs: 2.5, netRedirects: 0 }\nrules: []\n'), [
    '2:29 limits: limit "netResponseBytes" must be a non-negative integer, got number -1',
    '2:47 limits: limit "netTimeoutMs" must be a non-negative integer, got number 2.5',
  ]);
});

test('limits: a fractional redirect count in a rule is refused with its position', () => {
  assert.deepEqual(where(`${RULE}    limits: { netRedirects: 1.5 }\n`), [
    '9:29 rule "r1".limits: limit "netRedirects" must be a non-negative integer, got number 1.5',
  ]);
});

test('guard: text over 1 MiB is refused before parsing', () => {
  const big = `version: 1\nrules: []\n#${'x'.repeat(1024 * 1024)}\n`;
  assert.match(problems(big).error.message, /expected at most 1048576 bytes/);
});

test('guard: deeply nested flow collections do not crash the parser', () => {
  const deep = `version: 1\nrules: []\nx: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`;
  assert.equal(problems(deep).error.code, 'POLICY_INVALID');
});

test('guard: deeply nested conditions are capped', () => {
  const deep = `${RULE}    when:\n      input.a: ${'{ not: '.repeat(40)}1${' }'.repeat(40)}\n`;
  assert.match(problems(deep).error.message, /deeper than 32 levels/);
});

test('guard: an alias bomb stops at the node budget', () => {
  const lines = ['version: 1', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  lines.push('rules:', '  - id: r', '    effect: allow', '    agent: a', '    tool: b', '    when:', '      input.x: { equals: *a11 }');
  const { error } = problems(lines.join('\n'));
  assert.equal(error.message, 'policy has more than 200000 values once aliases are expanded; expected a smaller document');
});

test('guard: a non-string text is refused', () => {
  assert.throws(() => parsePolicy(42 as unknown as string), { code: 'POLICY_INVALID' });
});
