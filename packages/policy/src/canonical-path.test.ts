import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalGuestPath, isWithin } from './canonical-path.js';

const cases: Array<[unknown, string | null]> = [
  ['/workspace/a.txt', '/workspace/a.txt'],
  ['/workspace/./a.txt', '/workspace/a.txt'],
  ['/workspace//a.txt', '/workspace/a.txt'],
  ['/workspace/../etc/passwd', '/etc/passwd'],
  ['/../../etc', '/etc'],
  ['..', '/'],
  ['a/b', '/a/b'],
  ['./a/../b', '/b'],
  ['', '/'],
  ['/workspace/', '/workspace'],
  ['/a/b/c/../../d', '/a/d'],
  ['/a\0/b', null],
  [42, null],
  [null, null],
];

for (const [input, want] of cases) {
  test(`canonicalGuestPath(${JSON.stringify(input)}) is ${JSON.stringify(want)}`, () => {
    assert.equal(canonicalGuestPath(input), want);
  });
}

test('isWithin: a mount contains itself', () => assert.equal(isWithin('/workspace', '/workspace'), true));
test('isWithin: a child is inside', () => assert.equal(isWithin('/workspace/a', '/workspace'), true));
test('isWithin: a sibling sharing a string prefix is not inside', () => assert.equal(isWithin('/workspace2', '/workspace'), false));
test('isWithin: the parent is not inside', () => assert.equal(isWithin('/', '/workspace'), false));
test('isWithin: everything is inside /', () => assert.equal(isWithin('/etc', '/'), true));
