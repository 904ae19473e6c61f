// Helpers for CLI tests: run the built `airlock` binary, and cut an audit
// log into frames (header, then [u32 length][payload][8-byte seal] each;
// see packages/audit/src/format.ts) so tests can tamper with it.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
export const BIN = resolve(REPO, 'packages', 'cli', 'dist', 'bin.js');
export const EXAMPLE_POLICY = resolve(REPO, 'examples', 'airlock.policy.yaml');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function airlock(args: readonly string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HEADER = 8;

/** [start, end) of every frame in an audit log. */
export function frames(bytes: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = HEADER;
  while (at + 4 <= bytes.length) {
    const end = at + 4 + view.getUint32(at) + 8;
    if (end > bytes.length) break;
    out.push([at, end]);
    at = end;
  }
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
