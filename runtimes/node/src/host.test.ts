import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { createNodeHost, hostContractCases } from './index.js';

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const cases = hostContractCases(() => createNodeHost(), {
  makeTempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-host-'));
    temps.push(dir);
    return dir;
  },
  makeSymlink: (target, path) => symlinkSync(target, path),
  writeFile(path, text) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  },
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
});

for (const c of cases) test(`host_node_${c.name}`, c.fn);
