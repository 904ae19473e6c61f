// The conformance suite on the Node runtime.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createNodeHost } from '@airlock/runtime-node';
import { jsComponent } from '../component/js-components.js';
import { conformanceCases, type ServerRequest, type ServerResponse, type TestServer } from './suite.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');

/** node:http on 127.0.0.1, port 0. */
function startServer(handler: (req: ServerRequest) => ServerResponse): Promise<TestServer> {
  const requests: ServerRequest[] = [];
  const server = createServer((req, res) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const seen = { method: req.method ?? 'GET', url: req.url ?? '/', headers };
    requests.push(seen);
    req.resume();
    res.on('error', () => {}); // a client that stops reading (the response cap) is not our failure
    const r = handler(seen);
    res.writeHead(r.status ?? 200, r.headers);
    res.end(r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : Buffer.from(r.body));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () =>
          new Promise<void>((closed) => {
            server.close(() => closed());
            server.closeAllConnections();
          }),
      }),
    ),
  );
}

const components = new Map<string, Promise<Uint8Array>>();

for (const c of conformanceCases({
  host: createNodeHost(),
  repoRoot,
  startServer,
  jsComponent: (name) => {
    const built = components.get(name) ?? jsComponent(name);
    components.set(name, built);
    return built;
  },
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
