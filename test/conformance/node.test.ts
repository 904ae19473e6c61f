// The conformance suite on the Node runtime.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createNodeHost } from '@airlock/runtime-node';
import { conformanceCases } from './suite.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');

for (const c of conformanceCases({
  host: createNodeHost(),
  repoRoot,
  tempDir: () => mkdtempSync(join(tmpdir(), 'airlock-conf-')),
  join,
  mkdir: (p) => mkdirSync(p, { recursive: true }),
  writeFile: (p, t) => writeFileSync(p, t),
  readFile: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
  readBytes: (p) => readFileSync(p),
  symlink: (target, p) => symlinkSync(target, p),
  list: (p) => readdirSync(p).sort(),
  updateGolden: process.env.AIRLOCK_UPDATE_GOLDEN === '1',
})) {
  test(`node: ${c.name}`, () => c.run());
}
