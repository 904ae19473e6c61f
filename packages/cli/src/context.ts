/**
 * Defaults the CLI picks, and only the CLI: the Node runtime, the policy
 * file, the audit log, the tool directory. The library takes all of these as
 * arguments.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeHost } from '@airlock/runtime-node';
import { DEFAULT_AUDIT_PATH, DEFAULT_CACHE_DIR, DEFAULT_POLICY_FILE } from '@airlock/sdk';
import type { Out } from './output.js';

export const host = createNodeHost();

/** The repository root (packages/cli/dist → ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const EXAMPLES = join(REPO_ROOT, 'examples');

/** `--policy`, else ./airlock.policy.yaml if present, else none (deny all). */
export function policyPath(given: string | undefined): string | undefined {
  if (given !== undefined) return resolve(given);
  return existsSync(DEFAULT_POLICY_FILE) ? resolve(DEFAULT_POLICY_FILE) : undefined;
}

export function auditPath(given: string | undefined): string {
  return resolve(given ?? DEFAULT_AUDIT_PATH);
}

/** `--tools`, else ./tools if present, else the bundled example tools. */
export function toolsDir(given: string | undefined): string {
  if (given !== undefined) return resolve(given);
  return existsSync('tools') ? resolve('tools') : join(EXAMPLES, 'tools');
}

/** `.airlock/cache/` (or $AIRLOCK_CACHE_DIR), created: transpiled components by content hash. */
export function cacheDir(): string {
  const dir = resolve(process.env['AIRLOCK_CACHE_DIR'] || DEFAULT_CACHE_DIR);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A progress line for long operations, on a terminal only (never with --json or when piped). */
export function progressFor(
  out: Out,
): ((e: { tool: string; phase: 'transpile' | 'rewrite' | 'done'; ms?: number; bytes: number }) => void) | undefined {
  if (out.json || !process.stderr.isTTY) return undefined;
  return (e) => {
    const size = `${(e.bytes / 1024).toFixed(0)} KiB, once; cached in .airlock/cache`;
    if (e.phase === 'transpile') process.stderr.write(`airlock: transpiling ${e.tool} (${size})…`);
    else if (e.phase === 'rewrite') process.stderr.write(`airlock: metering ${e.tool} (${size})…`);
    else process.stderr.write(` ${Math.round(e.ms ?? 0)} ms\n`);
  };
}
