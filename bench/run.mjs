#!/usr/bin/env node
// Runs every compiled benchmark (bench/dist/*.bench.js) one after another,
// each in its own process so that one's JIT state does not colour another's.
// `node bench/run.mjs policy` runs only the benchmarks whose name matches.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const filter = process.argv[2];
const files = readdirSync(dist)
  .filter((f) => f.endsWith('.bench.js') && (!filter || f.includes(filter)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n# ${f}  (node ${process.version}, ${new Date().toISOString()})`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(dist, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
