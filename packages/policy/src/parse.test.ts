import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from './parse.js';

test('parse: a minimal policy', () => {
  const doc = parsePolicy('version: 1\nrules: []\n');
  assert.deepEqual(doc, { version: 1, volumes: {}, secrets: {}, limits: {}, rules: [] });
});

test('parse: a rule keeps its source position, names as lists, and conditions expanded', () => {
  const doc = parsePolicy(
    'version: 1\nrules:\n  - id: r\n    effect: allow\n    agent: a\n    tool: [b, "c-*"]\n    when:\n      input.m: fast\n',
    {
      file: 'x.yaml',
    },
  );
  const rule = doc.rules[0]!;
  assert.deepEqual(rule.position, { file: 'x.yaml', line: 3, column: 5 });
  assert.deepEqual(rule.agent, ['a']);
  assert.deepEqual(rule.tool, ['b', 'c-*']);
  assert.deepEqual(rule.when, [
    {
      subject: 'input.m',
      condition: { kind: 'equals', value: 'fast', position: { file: 'x.yaml', line: 8, column: 16 } },
      position: { file: 'x.yaml', line: 8, column: 7 },
    },
  ]);
});

test('parse: fs access defaults to read', () => {
  const doc = parsePolicy(
    'version: 1\nvolumes: { w: { path: ./w } }\nrules:\n  - id: r\n    effect: allow\n    agent: a\n    tool: b\n    grants: { fs: [{ mount: /w, volume: w }] }\n',
  );
  assert.deepEqual(doc.rules[0]!.grants.fs, [{ mount: '/w', volume: 'w', access: 'read' }]);
});

test('parse: inside mounts are stored canonical', () => {
  const doc = parsePolicy(
    'version: 1\nrules:\n  - id: r\n    effect: allow\n    agent: a\n    tool: b\n    when: { input.p: { inside: /w/ } }\n',
  );
  const c = doc.rules[0]!.when[0]!.condition;
  assert.equal(c.kind, 'inside');
  assert.deepEqual(c.kind === 'inside' ? c.mounts : null, ['/w']);
});

test('parse: JSON is accepted through the same parser', () => {
  const doc = parsePolicy('{"version": 1, "limits": {"wallMs": 10}, "rules": [{"id": "r", "effect": "deny", "agent": "*", "tool": "*"}]}');
  assert.deepEqual(doc.limits, { wallMs: 10 });
  assert.equal(doc.rules[0]!.effect, 'deny');
});

test('parse: the egress caps are ordinary limits, at the top and per rule (0 redirects is a value)', () => {
  const doc = parsePolicy(
    'version: 1\nlimits: { netResponseBytes: 65536, netTimeoutMs: 2000 }\nrules:\n  - { id: r, effect: allow, agent: a, tool: b, limits: { netRedirects: 0, netResponseBytes: 4194304 } }\n',
  );
  assert.deepEqual(doc.limits, { netResponseBytes: 65536, netTimeoutMs: 2000 });
  assert.deepEqual(doc.rules[0]!.limits, { netRedirects: 0, netResponseBytes: 4194304 });
});

test('parse: aliases are followed', () => {
  const doc = parsePolicy('version: 1\nrules:\n  - id: r\n    effect: allow\n    agent: &who [a, b]\n    tool: *who\n');
  assert.deepEqual(doc.rules[0]!.tool, ['a', 'b']);
});

test('parse: the document is JSON-serialisable', () => {
  const doc = parsePolicy('version: 1\nrules:\n  - { id: r, effect: allow, agent: a, tool: b, when: { input.n: { min: 1, max: 2 } } }\n');
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
});

test('parse: a __proto__ key in an equals value is data, not a prototype', () => {
  const doc = parsePolicy(
    'version: 1\nrules:\n  - { id: r, effect: allow, agent: a, tool: b, when: { input: { equals: { __proto__: { x: 1 } } } } }\n',
  );
  const c = doc.rules[0]!.when[0]!.condition;
  const value = c.kind === 'equals' ? (c.value as Record<string, unknown>) : {};
  assert.ok(Object.hasOwn(value, '__proto__'));
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
});
