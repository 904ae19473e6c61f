#!/usr/bin/env node
// The whole suite, as `npm test` and CI run it:
//   1. lint + format check (biome ci), counted as one test;
//   2. every compiled `*.test.js` under packages/, runtimes/node and test/
//      with Node's built-in runner;
//   3. every `*.deno.test.js` (the Deno runtime's conformance run) with
//      `deno test`, Deno coming from the `deno` npm package.
// It ends with one line `N passed, N failed` and exits non-zero on any failure.
// Pass `--only=<substring>` to run just the matching test files.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
let passed = 0;
let failed = 0;

function find(dir, suffix, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') find(p, suffix, out);
    else if (e.isFile() && e.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

const dists = [
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'dist')),
  join(root, 'runtimes', 'node', 'dist'),
  join(root, 'runtimes', 'deno', 'dist'),
  join(root, 'test', 'dist'),
];
const all = dists.flatMap((d) => find(d, '.test.js')).filter((f) => !only || f.includes(only));
const nodeFiles = all.filter((f) => !f.endsWith('.deno.test.js'));
const denoFiles = all.filter((f) => f.endsWith('.deno.test.js'));

// 1. Lint and format.
if (!only) {
  const lint = spawnSync(join(root, 'node_modules', '.bin', 'biome'), ['ci', '--colors=off', '.'], { cwd: root, stdio: 'inherit' });
  if (lint.status === 0) passed++;
  else {
    failed++;
    console.log('not ok - lint: biome ci failed (run `npm run format`, then fix what remains)');
  }
}

// 2. Node's runner: spec to the terminal, TAP to a file we count from.
if (nodeFiles.length > 0) {
  const tap = join(tmpdir(), `airlock-test-${process.pid}.tap`);
  const res = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...nodeFiles,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, AIRLOCK_ROOT: root } },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  rmSync(tap, { force: true });
  const pass = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0);
  passed += pass;
  failed += fail;
  if (res.status !== 0 && fail === 0) failed++; // the runner itself broke
}

// 3. Deno.
if (denoFiles.length > 0) {
  const deno = join(root, 'node_modules', '.bin', 'deno');
  const res = spawnSync(deno, ['test', '--allow-all', '--no-check', '--quiet', ...denoFiles.map((f) => relative(root, f))], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, AIRLOCK_ROOT: root, NO_COLOR: '1' },
  });
  process.stdout.write(res.stdout ?? '');
  process.stderr.write(res.stderr ?? '');
  const m = /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/.exec(res.stdout ?? '');
  const pass = Number(m?.[1] ?? 0);
  const fail = Number(m?.[3] ?? 0);
  passed += pass;
  failed += fail;
  if (res.status !== 0 && fail === 0) failed++;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
