// Crash safety: SIGKILL a gate process in the middle of many calls. Every
// call whose result was returned must have both of its audit records in the
// log, and the log must verify once the torn tail (if any) is cut on open.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openAuditLog, readAuditLog, verifyAuditLog } from '@airlock/audit';
import { createNodeHost } from '@airlock/runtime-node';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..', '..');

test('a writer killed with SIGKILL loses no acknowledged call, and its log verifies after recovery', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-kill-'));
  const audit = join(dir, 'audit.log');
  const child = spawn(
    process.execPath,
    [join(here, 'writer.js'), join(repo, 'examples', 'airlock.policy.yaml'), join(repo, 'examples', 'tools'), audit],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const acknowledged: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  let buffer = '';
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`writer too slow: ${acknowledged.length} calls; ${stderr}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('done ')) acknowledged.push(l.split(' ')[1]!);
      if (acknowledged.length >= 300 && !child.killed) {
        clearTimeout(timer);
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') done();
      else fail(new Error(`writer exited early with ${code}: ${stderr}`));
    });
  });
  assert.ok(acknowledged.length >= 300);

  const host = createNodeHost();
  // Opening the log recovers it (cuts a torn tail, if the kill left one).
  const sink = await openAuditLog(host, audit);
  await sink.close();
  const bytes = readFileSync(audit);
  const report = verifyAuditLog(bytes, host.crypto);
  assert.equal(report.ok, true, JSON.stringify(report.firstBad));
  const records = readAuditLog(bytes);
  const kinds = new Map<string, string[]>();
  for (const r of records) if (r.callId) kinds.set(r.callId, [...(kinds.get(r.callId) ?? []), r.kind]);
  for (const id of acknowledged) {
    assert.deepEqual(kinds.get(id), ['decision', 'outcome'], `call ${id} was acknowledged, so both records must be durable`);
  }
});
