// The README's library example is code people paste: run it as written.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const testRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const repo = resolve(testRoot, '..');

test('the README library example runs and prints an allowed grep result', () => {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## As a library'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'README has a ts block under "As a library"');
  // Run it from inside test/ (whose node_modules has the workspace packages),
  // with the repository root as the working directory, as a reader would
  // (its audit log lands in the git-ignored .airlock/).
  const dir = mkdtempSync(join(testRoot, 'dist', 'readme-'));
  const file = join(dir, 'example.mjs');
  writeFileSync(file, code);
  const out = execFileSync(process.execPath, [file], { cwd: repo, encoding: 'utf8' });
  assert.match(out, /^ok analyst-searches-workspace/);
  assert.match(out, /todo\.md/);
});
