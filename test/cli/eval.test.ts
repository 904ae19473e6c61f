// `airlock eval`: a snippet gets the policy's net grants (fetch through the
// egress filter to a loopback server started here) like its mounts and env,
// and TypeScript runs with --lang ts or from an @file.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN } from './helpers.js';

let server: Server;
let port = 0;
const seen: string[] = [];
let dir: string;

/** Run the CLI without blocking this process (the server answers from here). */
function airlockAsync(args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, EVAL_TEST_TOKEN: 'tok-123' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ pong: true }));
  });
  port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
  dir = mkdtempSync(join(tmpdir(), 'airlock-eval-'));
  writeFileSync(
    join(dir, 'airlock.policy.yaml'),
    `version: 1
secrets:
  TOKEN: { env: EVAL_TEST_TOKEN }
rules:
  - id: cli-snippets
    effect: allow
    agent: cli
    tool: js
    grants:
      net:
        - url: "http://127.0.0.1:${port}/api/*"
          methods: [GET]
          headers: { Authorization: "Bearer {{secret:TOKEN}}" }
          allowPrivate: true
`,
  );
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test('airlock eval: the snippet may fetch what the policy grants, nothing else, with the secret injected host-side', async () => {
  const ok = await airlockAsync(
    ['eval', `const r = await fetch('http://127.0.0.1:${port}/api/ping'); return await r.json()`, '--json'],
    dir,
  );
  const result = JSON.parse(ok.stdout);
  assert.equal(result.status, 'ok', ok.stdout + ok.stderr);
  assert.deepEqual(result.output, { pong: true });
  assert.deepEqual(seen, ['GET /api/ping Bearer tok-123']);
  assert.ok(!ok.stdout.includes('tok-123'), 'the secret is not in the result');
  const denied = await airlockAsync(
    ['eval', `try { await fetch('http://127.0.0.1:${port}/other') } catch (e) { return [e.name, e.code] }`, '--json'],
    dir,
  );
  assert.deepEqual(JSON.parse(denied.stdout).output, ['TypeError', 'ENOTCAPABLE']);
  assert.equal(seen.length, 1, 'the server saw nothing more');
});

test('airlock eval: TypeScript with --lang ts and from an @file.ts', async () => {
  const inline = await airlockAsync(['eval', 'const n: number = 6 * 7; return n', '--lang', 'ts', '--json'], dir);
  assert.equal(JSON.parse(inline.stdout).output, 42, inline.stdout + inline.stderr);
  writeFileSync(join(dir, 'snippet.ts'), 'interface P { n: number }\nconst p: P = input as P;\nreturn p.n + 1;\n');
  const file = await airlockAsync(['eval', '@snippet.ts', '--input', '{"n": 1}', '--json'], dir);
  assert.equal(JSON.parse(file.stdout).output, 2, file.stdout + file.stderr);
  const bad = await airlockAsync(['eval', '1', '--lang', 'py'], dir);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--lang must be js or ts/);
});
