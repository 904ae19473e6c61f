import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecisionRequest } from '@airlock/core';
import { loadPolicy } from './load.js';
import { oneCondition, request } from './test-helpers.test.js';

type Case = [what: string, subject: string, condition: string, req: Partial<DecisionRequest>, holds: boolean];

const session = (calls: number, toolCalls: Record<string, number> = {}) => ({ id: 's-9', calls, toolCalls });

const cases: Case[] = [
  // equals (scalar shorthand and explicit)
  ['scalar shorthand equals', 'input.mode', 'fast', { input: { mode: 'fast' } }, true],
  ['scalar shorthand differs', 'input.mode', 'fast', { input: { mode: 'full' } }, false],
  ['equals is type-strict', 'input.n', '{ equals: 1 }', { input: { n: '1' } }, false],
  ['equals a number', 'input.n', '{ equals: 1 }', { input: { n: 1 } }, true],
  ['equals a map, deeply', 'input.o', '{ equals: { a: [1, 2] } }', { input: { o: { a: [1, 2] } } }, true],
  ['equals a map, deeply different', 'input.o', '{ equals: { a: [1, 2] } }', { input: { o: { a: [2, 1] } } }, false],
  ['equals null holds on null', 'input.x', '{ equals: null }', { input: { x: null } }, true],
  ['equals null does not hold on missing', 'input.x', '{ equals: null }', { input: {} }, false],
  ['equals on missing subject', 'input.mode', 'fast', { input: {} }, false],
  // in / notIn
  ['in: a member', 'input.mode', '{ in: [fast, full] }', { input: { mode: 'full' } }, true],
  ['in: not a member', 'input.mode', '{ in: [fast, full] }', { input: { mode: 'slow' } }, false],
  ['in: missing subject', 'input.mode', '{ in: [fast, full] }', { input: {} }, false],
  ['in: a list member', 'input.o', '{ in: [[1], [2]] }', { input: { o: [2] } }, true],
  ['notIn: not a member', 'input.mode', '{ notIn: [slow] }', { input: { mode: 'fast' } }, true],
  ['notIn: a member', 'input.mode', '{ notIn: [slow] }', { input: { mode: 'slow' } }, false],
  ['notIn: missing subject does not hold', 'input.mode', '{ notIn: [slow] }', { input: {} }, false],
  // range / min / max
  ['range: inside', 'input.n', '{ range: [1, 1000] }', { input: { n: 500 } }, true],
  ['range: lower bound inclusive', 'input.n', '{ range: [1, 1000] }', { input: { n: 1 } }, true],
  ['range: upper bound inclusive', 'input.n', '{ range: [1, 1000] }', { input: { n: 1000 } }, true],
  ['range: above', 'input.n', '{ range: [1, 1000] }', { input: { n: 1001 } }, false],
  ['range: a numeric string is the wrong type', 'input.n', '{ range: [1, 1000] }', { input: { n: '5' } }, false],
  ['range: missing subject', 'input.n', '{ range: [1, 1000] }', { input: {} }, false],
  ['min and max in one map: inside', 'input.n', '{ min: 2, max: 4 }', { input: { n: 3 } }, true],
  ['min and max in one map: below', 'input.n', '{ min: 2, max: 4 }', { input: { n: 1 } }, false],
  ['min alone', 'input.n', '{ min: 2 }', { input: { n: 1e9 } }, true],
  // glob / regex
  ['glob: matches', 'input.path', '{ glob: "**/*.csv" }', { input: { path: 'a/b/c.csv' } }, true],
  ['glob: does not match', 'input.path', '{ glob: "**/*.csv" }', { input: { path: 'a/b/c.tsv' } }, false],
  ['glob: wrong type', 'input.path', '{ glob: "*" }', { input: { path: 7 } }, false],
  ['regex: matches', 'input.pattern', '{ regex: "^.{1,5}$" }', { input: { pattern: 'abc' } }, true],
  ['regex: does not match', 'input.pattern', '{ regex: "^.{1,5}$" }', { input: { pattern: 'abcdefg' } }, false],
  ['regex: is not anchored for you', 'input.pattern', '{ regex: "b" }', { input: { pattern: 'abc' } }, true],
  ['regex: counts code points (u flag)', 'input.s', '{ regex: "^.$" }', { input: { s: '😀' } }, true],
  ['regex: wrong type', 'input.pattern', '{ regex: ".*" }', { input: { pattern: ['abc'] } }, false],
  // inside
  ['inside: a file in the mount', 'input.path', '{ inside: /workspace }', { input: { path: '/workspace/a.txt' } }, true],
  ['inside: the mount itself', 'input.path', '{ inside: /workspace }', { input: { path: '/workspace' } }, true],
  ['inside: ../ escapes', 'input.path', '{ inside: /workspace }', { input: { path: '/workspace/../etc/passwd' } }, false],
  ['inside: ../ that stays inside', 'input.path', '{ inside: /workspace }', { input: { path: '/workspace/a/../b' } }, true],
  ['inside: // folded', 'input.path', '{ inside: /workspace }', { input: { path: '//workspace//a' } }, true],
  ['inside: ./ folded', 'input.path', '{ inside: /workspace }', { input: { path: '/workspace/./a' } }, true],
  ['inside: NUL byte rejected', 'input.path', '{ inside: /workspace }', { input: { path: '/workspace/a\0../../etc' } }, false],
  ['inside: /workspace2 is a sibling', 'input.path', '{ inside: /workspace }', { input: { path: '/workspace2/a' } }, false],
  ['inside: relative path resolves from /', 'input.path', '{ inside: /workspace }', { input: { path: 'workspace/a' } }, true],
  ['inside: relative path elsewhere', 'input.path', '{ inside: /workspace }', { input: { path: 'etc/passwd' } }, false],
  ['inside: .. above root stays at root', 'input.path', '{ inside: /workspace }', { input: { path: '/../../workspace/a' } }, true],
  ['inside: a list of mounts', 'input.path', '{ inside: [/data, /workspace] }', { input: { path: '/workspace/a' } }, true],
  ['inside: mount written with a trailing slash', 'input.path', '{ inside: /workspace/ }', { input: { path: '/workspace/a' } }, true],
  ['inside: wrong type', 'input.path', '{ inside: /workspace }', { input: { path: { p: '/workspace' } } }, false],
  ['inside: missing subject', 'input.path', '{ inside: /workspace }', { input: {} }, false],
  // exists / not / anyOf
  ['exists true: present', 'input.token', '{ exists: true }', { input: { token: 'x' } }, true],
  ['exists true: present as null', 'input.token', '{ exists: true }', { input: { token: null } }, true],
  ['exists true: absent', 'input.token', '{ exists: true }', { input: {} }, false],
  ['exists false: absent', 'input.token', '{ exists: false }', { input: {} }, true],
  ['exists false: present', 'input.token', '{ exists: false }', { input: { token: 1 } }, false],
  ['not: inverts', 'input.mode', '{ not: { in: [slow] } }', { input: { mode: 'fast' } }, true],
  ['not: on a missing subject holds', 'input.mode', '{ not: { equals: slow } }', { input: {} }, true],
  ['anyOf: one holds', 'input.n', '{ anyOf: [{ max: 0 }, { min: 10 }] }', { input: { n: 11 } }, true],
  ['anyOf: none holds', 'input.n', '{ anyOf: [{ max: 0 }, { min: 10 }] }', { input: { n: 5 } }, false],
  ['anyOf: exists false on missing', 'input.n', '{ anyOf: [{ exists: false }, { min: 10 }] }', { input: {} }, true],
  // subjects
  ['nested input path', 'input.a.b', 'x', { input: { a: { b: 'x' } } }, true],
  ['nested input path through a non-object', 'input.a.b', 'x', { input: { a: 'x' } }, false],
  ['array index in input path', 'input.list.1', 'x', { input: { list: ['w', 'x'] } }, true],
  ['prototype properties are not subjects', 'input.constructor', '{ exists: true }', { input: {} }, false],
  ['__proto__ is not a subject unless own', 'input.__proto__', '{ exists: true }', { input: {} }, false],
  ['whole input', 'input', '{ equals: { a: 1 } }', { input: { a: 1 } }, true],
  ['input when input is not an object', 'input.a', '{ exists: true }', { input: 'text' }, false],
  ['agent subject', 'agent', '{ glob: "ci-*" }', { agent: 'ci-7' }, true],
  ['tool subject', 'tool', '{ in: [grep] }', { tool: 'grep' }, true],
  ['session.id subject', 'session.id', 's-9', { session: session(0) }, true],
  ['session.calls under max', 'session.calls', '{ max: 100 }', { session: session(100) }, true],
  ['session.calls over max', 'session.calls', '{ max: 100 }', { session: session(101) }, false],
  ['session.toolCalls of a called tool', 'session.toolCalls.grep', '{ max: 2 }', { session: session(5, { grep: 3 }) }, false],
  ['session.toolCalls of a tool never called is 0', 'session.toolCalls.grep', '{ max: 0 }', { session: session(5, {}) }, true],
];

for (const [what, subject, condition, req, want] of cases) {
  test(`condition ${what}: ${subject}: ${condition} ${want ? 'holds' : 'does not hold'}`, () => {
    const policy = loadPolicy(oneCondition(subject, condition));
    assert.equal(policy.decide(request(req)).effect, want ? 'allow' : 'deny');
  });
}
