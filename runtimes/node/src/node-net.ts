/**
 * The Node Host's `net` ability: one HTTP(S) exchange per call, with
 * node:http/node:https, connecting only to addresses the egress filter
 * approves. The name is resolved once, inside the socket's own `lookup`
 * hook; every address is checked there and the socket connects to what the
 * hook returns, so no second resolution can swap in another address (DNS
 * rebinding). A literal IP host skips lookup in Node, so it is checked
 * before the request starts. TLS verification is Node's default and stays
 * on; SNI and the certificate name are the URL's host, not the address.
 *
 * No agent (no pooled sockets shared between calls), no proxy from the
 * environment, no redirects followed, no decompression.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { HostNet, HostNetFailure, HostNetRequest, HostNetResponse } from '@airlock/core';

type Outcome = HostNetResponse | HostNetFailure;

export function createNodeNet(): HostNet {
  return { request: (r) => exchange(r) };
}

/** A denied address, carried through Node's lookup callback as an error. */
class AddressDenied extends Error {
  constructor(readonly address: string) {
    super(`address ${address} is not allowed`);
  }
}

/** `lookup` for the socket: resolve once, check every address, fail closed. */
function checkedLookup(check: (ip: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), '', 0);
      const bad = addresses.find((a) => !check(a.address));
      if (bad) return callback(new AddressDenied(bad.address), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function exchange(r: HostNetRequest): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    let url: URL;
    try {
      url = new URL(r.url);
    } catch {
      return finish({ failure: 'protocol', message: 'the URL does not parse' });
    }
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:') return finish({ failure: 'protocol', message: `scheme ${url.protocol} is not http(s)` });
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0 && !r.checkAddress(host))
      return finish({ failure: 'address-denied', message: `address ${host} is not allowed`, address: host });

    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of r.headers) {
      const prev = headers[name];
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    const options: RequestOptions & { servername?: string } = {
      protocol: url.protocol,
      hostname: host,
      port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: r.method,
      headers,
      agent: false,
      lookup: checkedLookup(r.checkAddress),
      ...(https && isIP(host) === 0 ? { servername: host } : {}),
    };
    timer = setTimeout(() => {
      finish({ failure: 'timeout', message: `no complete response within ${r.timeoutMs} ms` });
      req.destroy();
    }, r.timeoutMs);

    const req = (https ? httpsRequest : httpRequest)(options, (res: IncomingMessage) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      const respond = (truncated: boolean) => {
        const body = new Uint8Array(Math.min(size, r.maxResponseBytes));
        let at = 0;
        for (const c of chunks) {
          const take = Math.min(c.length, body.length - at);
          body.set(c.subarray(0, take), at);
          at += take;
          if (at >= body.length) break;
        }
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
        const location = res.headers.location;
        finish({
          status: res.statusCode ?? 0,
          headers: pairs,
          body,
          truncated,
          ...(location !== undefined && (res.statusCode ?? 0) >= 300 && (res.statusCode ?? 0) < 400 ? { location } : {}),
        });
      };
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size > r.maxResponseBytes) {
          respond(true); // stop reading: what is past the cap never enters memory
          res.destroy();
          req.destroy();
        }
      });
      res.on('end', () => respond(false));
      res.on('error', (e) => finish({ failure: 'protocol', message: e.message }));
    });
    req.on('error', (e: Error & { code?: string }) => finish(classify(e)));
    if (r.body) req.end(r.body);
    else req.end();
  });
}

function classify(e: Error & { code?: string }): HostNetFailure {
  if (e instanceof AddressDenied) return { failure: 'address-denied', message: e.message, address: e.address };
  const code = e.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return { failure: 'dns', message: e.message };
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'EPROTO' || /SSL|TLS|certificate/i.test(e.message))
    return { failure: 'tls', message: e.message };
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT')
    return { failure: 'connect', message: e.message };
  return { failure: 'protocol', message: e.message };
}
