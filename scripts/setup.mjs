#!/usr/bin/env node
// One-step set-up on a fresh clone with only Node >= 20 and npm: installs the
// workspace with the pinned pnpm (fetched from the npm registry by npx), then
// builds every package with `tsc -b`. Both steps are skipped when up to date,
// so `npm start` / `npm test` stay fast on the second run.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = 'pnpm@10.34.8';
const quiet = process.argv.includes('--quiet');

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
}

const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  if (!quiet) console.error(`airlock setup: installing dependencies with ${PNPM}…`);
  run('npx', ['--yes', PNPM, 'install', '--frozen-lockfile', '--reporter=silent']);
}
if (!quiet) console.error('airlock setup: building (tsc -b)…');
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
