import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileGlob } from './glob.js';

const cases: Array<[string, string, boolean]> = [
  ['ci-*', 'ci-build', true],
  ['ci-*', 'ci-', true],
  ['ci-*', 'cd-build', false],
  ['*', 'anything/at/all', true],
  ['*.csv', 'a.csv', true],
  ['*.csv', 'dir/a.csv', false],
  ['**/*.csv', 'dir/sub/a.csv', true],
  ['**/*.csv', 'a.csv', true],
  ['**/.env*', '/workspace/.env', true],
  ['**/.env*', '/workspace/.env.local', true],
  ['**/.env*', '.env', true],
  ['**/.env*', '/workspace/env', false],
  ['/workspace/**', '/workspace/a/b', true],
  ['/workspace/**', '/workspaceX/a', false],
  ['file?.txt', 'file1.txt', true],
  ['file?.txt', 'file/.txt', false],
  ['file?.txt', 'file12.txt', false],
  ['a.b', 'axb', false],
  ['[ab]', '[ab]', true],
  ['[ab]', 'a', false],
  ['grep', 'grep', true],
  ['grep', 'grepx', false],
];

for (const [glob, s, want] of cases) {
  test(`glob ${JSON.stringify(glob)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(s)}`, () => {
    assert.equal(compileGlob(glob)(s), want);
  });
}
