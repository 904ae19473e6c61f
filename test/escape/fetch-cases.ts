// The JavaScript escape corpus, network part (issue 5), host-neutral: a
// snippet's `fetch` through the egress filter against a REAL HTTP server on
// loopback, started here with node:http (Node, and Deno's node:http). Node
// runs it in fetch.test.ts, Deno in fetch.deno.test.ts, so egress (the
// lookup-hook address check, redirects, caps, secrets) is tested on both.
// Each case names its attack and expects a failure inside the guest AND a
// denial in the audit log's outcome `egress` records; the one positive case
// checks the secret reaches the server and never the guest.
import { Buffer } from 'node:buffer';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import process from 'node:process';
import type { CallResult, EgressRecord, Host } from '@airlock/core';
import { type EscapeGate, openEscapeGate } from './harness.js';

const SECRET = 'sk-escape-test-9f3c1e7d-never-in-the-guest';
const SECRET_ENV = 'AIRLOCK_ESCAPE_API_TOKEN';

interface Seen {
  readonly url: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let server: Server;
let port = 0;
const seen: Seen[] = [];
let g: EscapeGate;

/** Start the loopback server and a gate on `host` granted to reach it. */
export async function startFetchCorpus(host: Host): Promise<void> {
  process.env[SECRET_ENV] = SECRET;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const url = req.url ?? '';
      if (url === '/api/hello') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': 'escape-test' });
        res.end(JSON.stringify({ hello: 'world', method: req.method, got: Buffer.concat(chunks).toString('utf8') }));
      } else if (url === '/api/redirect-out') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/private/admin` });
        res.end();
      } else if (url === '/api/redirect-in') {
        res.writeHead(302, { location: '/api/hello' });
        res.end();
      } else if (url === '/api/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(2 * 1024 * 1024, 0x61));
      } else if (url === '/api/binary') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from([0, 1, 0xfe, 0xff, 0x80, 0x41]));
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('private data');
      }
    });
  });
  port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  g = openEscapeGate(host, { port, secretEnv: SECRET_ENV });
}

export async function stopFetchCorpus(): Promise<void> {
  await g.close();
  server.closeAllConnections();
  server.close();
  delete process.env[SECRET_ENV];
}

function egressOf(r: CallResult): readonly EgressRecord[] {
  return g.outcome(r.id)?.outcome?.egress ?? [];
}

function check(cond: unknown, what: string, got?: unknown): asserts cond {
  if (!cond) throw new Error(`${what}${got === undefined ? '' : `\n  got: ${JSON.stringify(got).slice(0, 800)}`}`);
}

/** The guest's view of a failed fetch: [name, instanceof TypeError, code, limit, message]. */
const TRY = (call: string) =>
  `try { const r = await ${call}; return ['fetched', r.status, await r.text()] }
   catch (e) { return [e.name, e instanceof TypeError, e.code ?? null, e.limit ?? null, e.message] }`;

export const fetchCases: readonly { readonly name: string; run(): Promise<void> }[] = [
  {
    name: 'js escape (net): fetch to an ungranted host fails in the guest and is audited as denied',
    async run() {
      const before = seen.length;
      const r = await g.evalJs(TRY(`fetch('http://127.0.0.1:${port}/private/admin')`));
      const out = r.output as unknown[];
      check(r.status === 'ok' && out[0] === 'TypeError' && out[1] === true && out[2] === 'ENOTCAPABLE', 'a TypeError in the guest', r);
      check(/no grant covers/.test(String(out[4])), 'saying no grant covers it', r);
      check(seen.length === before, 'the server saw nothing');
      const rec = egressOf(r);
      check(rec.length === 1 && rec[0]!.decision === 'denied' && rec[0]!.url.endsWith('/private/admin'), 'one denied record', rec);
      // Other spellings of the same escape: another host, another scheme, userinfo, a method not granted.
      for (const [call, why] of [
        [`fetch('https://example.com/')`, /no grant covers/],
        [`fetch('http://api@127.0.0.1:${port}/api/hello')`, /userinfo|credentials/i],
        [`fetch('http://127.0.0.1:${port}/api/hello', { method: 'DELETE' })`, /method DELETE is not granted/],
        [`fetch('file:///etc/passwd')`, /scheme|no grant/i],
      ] as const) {
        const x = await g.evalJs(TRY(call));
        const o = x.output as unknown[];
        check(x.status === 'ok' && o[0] === 'TypeError' && why.test(String(o[4])), `refused: ${call}`, x);
        check(
          egressOf(x).some((e) => e.decision === 'denied'),
          `audited: ${call}`,
          egressOf(x),
        );
      }
      check(seen.length === before, 'the server still saw nothing');
    },
  },

  {
    name: 'js escape (net): a granted host that redirects to an ungranted path is stopped at the hop',
    async run() {
      const before = seen.length;
      const r = await g.evalJs(TRY(`fetch('http://127.0.0.1:${port}/api/redirect-out')`));
      const out = r.output as unknown[];
      check(r.status === 'ok' && out[0] === 'TypeError' && out[2] === 'ENOTCAPABLE', 'a TypeError in the guest', r);
      const rec = egressOf(r);
      check(rec.length === 2, 'two records: the request and the hop', rec);
      check(rec[0]!.decision === 'allowed' && rec[0]!.status === 302 && rec[0]!.hop === 0, 'the first request was allowed', rec);
      check(rec[1]!.decision === 'denied' && rec[1]!.hop === 1 && rec[1]!.url.endsWith('/private/admin'), 'the hop was denied', rec);
      check(
        seen.slice(before).every((s) => !s.url.startsWith('/private')),
        'the server never saw the redirected request',
        seen.slice(before),
      );
      // redirect: 'manual' hands the 3xx back without following it; a redirect inside the grant is followed.
      const manual = await g.evalJs(
        `const r = await fetch('http://127.0.0.1:${port}/api/redirect-out', { redirect: 'manual' }); return [r.status, r.headers.get('location')]`,
      );
      check(manual.status === 'ok' && (manual.output as unknown[])[0] === 302, 'manual: the 302 itself', manual);
      const inside = await g.evalJs(
        `const r = await fetch('http://127.0.0.1:${port}/api/redirect-in'); return [r.redirected, (await r.json()).hello]`,
      );
      check(inside.status === 'ok' && JSON.stringify(inside.output) === '[true,"world"]', 'a granted redirect is followed', inside);
    },
  },

  {
    name: 'js escape (net): loopback through a grant without allowPrivate is refused after resolution',
    async run() {
      const before = seen.length;
      const r = await g.evalJs(TRY(`fetch('http://localhost:${port}/private/admin')`));
      const out = r.output as unknown[];
      check(r.status === 'ok' && out[0] === 'TypeError' && out[2] === 'ENOTCAPABLE', 'a TypeError in the guest', r);
      check(/not public/.test(String(out[4])), 'saying the address is not public', r);
      const rec = egressOf(r);
      check(
        rec.length === 1 && rec[0]!.decision === 'denied' && rec[0]!.grant === `http://localhost:${port}/*`,
        'denied under its grant',
        rec,
      );
      check(seen.length === before, 'the server saw nothing');
    },
  },

  {
    name: 'js escape (net): an oversized response is stopped at the cap',
    async run() {
      const r = await g.evalJs(TRY(`fetch('http://127.0.0.1:${port}/api/big')`));
      const out = r.output as unknown[];
      check(
        r.status === 'ok' && out[0] === 'TypeError' && out[2] === 'ELIMIT' && out[3] === 'response-bytes',
        'a TypeError with the limit',
        r,
      );
      const rec = egressOf(r);
      check(rec.length === 1 && rec[0]!.decision === 'denied' && rec[0]!.limit === 'response-bytes', 'audited with the limit', rec);
      check((rec[0]!.bytes ?? 0) <= 1024 * 1024, 'no more than the cap was read', rec);
    },
  },

  {
    name: 'js fetch: a granted request reaches the server with the injected secret, which the guest cannot read',
    async run() {
      const before = seen.length;
      const r = await g.evalJs(
        `const r = await fetch('http://127.0.0.1:${port}/api/hello', {
       method: 'POST', headers: { 'content-type': 'text/plain', authorization: 'Bearer guest-forged' }, body: 'ping' });
     const headers = []; for (const [k, v] of r.headers) headers.push(k + ': ' + v);
     const body = await r.json();
     let again = 'no'; try { await r.text(); again = 'yes' } catch (e) { again = e.name }
     return { ok: r.ok, status: r.status, statusText: r.statusText, url: r.url, body, headers, again,
              everything: JSON.stringify([Object.getOwnPropertyNames(globalThis), env, input]) }`,
      );
      check(r.status === 'ok', 'the snippet runs', r);
      const out = r.output as {
        ok: boolean;
        status: number;
        statusText: string;
        body: { hello: string; method: string; got: string };
        headers: string[];
        again: string;
        everything: string;
      };
      check(out.ok && out.status === 200 && out.statusText === 'OK', 'a 200', out);
      check(out.body.hello === 'world' && out.body.method === 'POST' && out.body.got === 'ping', 'the body crossed both ways', out);
      check(out.headers.includes('x-served-by: escape-test'), 'response headers by copy', out);
      check(out.again === 'TypeError', 'a body is read once', out);
      const got = seen.slice(before);
      check(
        got.length === 1 && got[0]!.headers.authorization === `Bearer ${SECRET}`,
        'the server got the secret, not the forged header',
        got,
      );
      // The secret is nowhere the guest or the agent can see: output, console, audit.
      const everywhere = JSON.stringify([r, g.audit.entries]);
      check(!everywhere.includes(SECRET), 'the secret is not in the result or the audit log');
      const rec = egressOf(r);
      check(rec.length === 1 && rec[0]!.decision === 'allowed' && rec[0]!.status === 200, 'the exchange is audited', rec);
    },
  },

  {
    name: 'js fetch: a binary body crosses as bytes',
    async run() {
      const r = await g.evalJs(
        `const r = await fetch('http://127.0.0.1:${port}/api/binary'); return Array.from(new Uint8Array(await r.arrayBuffer()))`,
      );
      check(r.status === 'ok' && JSON.stringify(r.output) === '[0,1,254,255,128,65]', 'exact bytes', r);
      const t = await g.evalJs(
        `const r = await fetch('http://127.0.0.1:${port}/api/hello'); return Array.from(await r.bytes()).length > 10`,
      );
      check(t.status === 'ok' && t.output === true, 'bytes() of a text body', t);
    },
  },
];
