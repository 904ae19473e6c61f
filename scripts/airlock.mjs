#!/usr/bin/env node
// `npm run -s airlock -- <args>`: runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'cli', 'dist', 'bin.js');
if (!existsSync(bin)) {
  console.error('airlock: not built yet. Run `npm start` (or `npm run build`) once first.');
  process.exit(1);
}
// npm runs scripts from the repository root; paths on the command line are
// meant relative to where the user typed them.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import(pathToFileURL(bin).href);
