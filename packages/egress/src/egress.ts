/**
 * `createEgress`: one call's outbound HTTP, checked. Every request and every
 * redirect hop is matched against the call's net grants (scheme, host, port,
 * path and method) before the host is asked to connect, and the host is
 * told which addresses it may connect to. Secrets are put into headers here,
 * host-side, after the check, and only for the grant that names them. Each
 * request and hop, allowed or denied, leaves an `EgressRecord`.
 *
 * Think of it as a customs post that every parcel passes through, including
 * those forwarded by the recipient: the guest addresses a request; the post
 * checks the address against the manifest, stamps the grant's credentials
 * on, and the host's courier only drives to an address that checks out.
 */
import {
  type EgressLimits,
  type EgressRecord,
  type HostNet,
  type HostNetFailure,
  type HostNetResponse,
  matchNetPattern,
  type NetGrant,
  type NetPattern,
  type NetTarget,
  parseNetPattern,
  readNetTarget,
} from '@airlock/core';
import { isPublicAddress } from './address.js';
import {
  type HeaderInput,
  type HeaderPairs,
  injectGrantHeaders,
  readGuestHeaders,
  withoutBodyHeaders,
  withoutCredentials,
} from './headers.js';

export interface EgressOptions {
  /** The call's grants (already the manifest ∩ policy intersection). */
  readonly grants: readonly NetGrant[];
  /** The value of a secret a grant's header names; undefined when unset (the request is then denied). */
  readonly secrets: (name: string) => string | undefined;
  /** The host's HTTP; absent means no network (every request is denied). */
  readonly net?: HostNet;
  readonly limits: EgressLimits;
  /** Milliseconds, for `ms` in records and the deadline (a monotonic clock is best). */
  now(): number;
}

export interface EgressRequest {
  readonly url: string;
  /** Default GET; compared uppercased. */
  readonly method?: string;
  readonly headers?: HeaderInput;
  readonly body?: Uint8Array;
  /**
   * `follow` (default): redirects are followed here, each hop checked like a
   * new request. `manual`: a 3xx comes back as it is (wasi:http's model,
   * where the guest sends the next request itself).
   */
  readonly redirect?: 'follow' | 'manual';
}

export interface EgressResponse {
  readonly ok: true;
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array;
  /** The URL that answered (after redirects). */
  readonly url: string;
  readonly redirected: boolean;
}

/**
 * Why a request did not get a response. `denied`: a check refused it (no
 * grant, method, non-public address, missing secret). `limit`: a cap
 * stopped it (response size, time, redirects). `failed`: allowed, but the
 * network did not deliver (DNS, connect, TLS). A value, never a throw: the
 * engine turns it into the guest's error (wasi:http error-code, a fetch
 * TypeError).
 */
export interface EgressDenial {
  readonly ok: false;
  readonly kind: 'denied' | 'limit' | 'failed';
  readonly reason: string;
  readonly limit?: EgressRecord['limit'];
}

export interface Egress {
  fetch(request: EgressRequest): Promise<EgressResponse | EgressDenial>;
  /** Every request and hop so far, in the order they finished. */
  records(): EgressRecord[];
}

/** Requests recorded per call; past this, requests are denied (one record says so). */
export const MAX_EGRESS_RECORDS = 1000;
const MAX_URL_CHARS = 2048;
const METHOD = /^[A-Za-z]{1,20}$/;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface CompiledGrant {
  readonly grant: NetGrant;
  readonly pattern: NetPattern;
}

export function createEgress(options: EgressOptions): Egress {
  const { secrets, net, limits, now } = options;
  const grants: CompiledGrant[] = [];
  for (const grant of options.grants) {
    const pattern = parseNetPattern(grant.url);
    if (typeof pattern !== 'string') grants.push({ grant, pattern }); // a pattern that does not parse grants nothing
  }
  const records: EgressRecord[] = [];
  let overflowed = false;

  const record = (r: EgressRecord): void => {
    if (records.length < MAX_EGRESS_RECORDS) records.push(r);
  };

  async function fetch(request: EgressRequest): Promise<EgressResponse | EgressDenial> {
    const started = now();
    const deadline = started + limits.timeoutMs;
    let url = String(request.url);
    let method = typeof request.method === 'string' ? request.method.toUpperCase() : 'GET';
    const deny = (
      hop: number,
      at: number,
      reason: string,
      extra: Partial<EgressRecord> = {},
      kind: EgressDenial['kind'] = 'denied',
    ): EgressDenial => {
      record({ url: shown(url), method, decision: 'denied', reason, grant: null, hop, ms: now() - at, ...extra });
      return { ok: false, kind, reason, ...(extra.limit ? { limit: extra.limit } : {}) };
    };

    if (records.length >= MAX_EGRESS_RECORDS) {
      const reason = `more than ${MAX_EGRESS_RECORDS} requests in one call`;
      if (!overflowed) {
        overflowed = true;
        records[MAX_EGRESS_RECORDS - 1] = { url: shown(url), method, decision: 'denied', reason, grant: null, hop: 0, ms: 0 };
      }
      return { ok: false, kind: 'denied', reason };
    }
    if (!METHOD.test(method)) return deny(0, started, `method ${JSON.stringify(method.slice(0, 20))} is not an HTTP method`);
    const guest = readGuestHeaders(request.headers);
    if (typeof guest === 'string') return deny(0, started, guest);
    let headers: HeaderPairs = guest;
    let body = request.body;
    let origin: string | undefined;

    for (let hop = 0; ; hop++) {
      const at = now();
      const target = readNetTarget(url);
      if (typeof target === 'string') return deny(hop, at, target);
      url = target.href;
      const found = findGrant(grants, target, method);
      if (typeof found === 'string') return deny(hop, at, found);
      const { grant, pattern } = found;
      const granted = { grant: pattern.source };
      if (target.ipLiteral && !grant.allowPrivate)
        return deny(hop, at, `${target.host} is a literal IP address; only a grant with allowPrivate may reach one`, granted);
      if (!net) return deny(hop, at, 'this host offers no network', granted);

      // A redirect to another origin loses the guest's credentials (as fetch does).
      const here = `${target.scheme}://${target.host}:${target.port}`;
      if (origin !== undefined && origin !== here) headers = withoutCredentials(headers);
      origin = here;
      const sent = injectGrantHeaders(headers, grant.headers, secrets);
      if ('missing' in sent) return deny(hop, at, `secret ${sent.missing} is not set on this host`, granted);

      const remaining = deadline - at;
      if (remaining <= 0) return deny(hop, at, `the ${limits.timeoutMs} ms time cap ran out`, { ...granted, limit: 'timeout' }, 'limit');
      const answer = await exchange(net, {
        url,
        method,
        headers: sent,
        ...(body ? { body } : {}),
        timeoutMs: remaining,
        maxResponseBytes: limits.responseBytes,
        checkAddress: grant.allowPrivate ? () => true : isPublicAddress,
      });

      if ('failure' in answer) {
        if (answer.failure === 'address-denied') {
          const what = answer.address ? `address ${answer.address}` : 'an address';
          return deny(hop, at, `${target.host} resolved to ${what}, which is not public (the grant has no allowPrivate)`, granted);
        }
        if (answer.failure === 'timeout')
          return deny(hop, at, `no complete response within ${limits.timeoutMs} ms`, { ...granted, limit: 'timeout' }, 'limit');
        const reason = `${answer.failure} failed: ${answer.message}`;
        record({ url: shown(url), method, decision: 'allowed', reason, ...granted, hop, ms: now() - at });
        return { ok: false, kind: 'failed', reason };
      }
      const bytes = answer.body.length;
      if (answer.truncated)
        return deny(
          hop,
          at,
          `the response is larger than ${limits.responseBytes} bytes`,
          { ...granted, status: answer.status, bytes, limit: 'response-bytes' },
          'limit',
        );
      record({
        url: shown(url),
        method,
        decision: 'allowed',
        reason: `matched ${pattern.source}`,
        ...granted,
        hop,
        status: answer.status,
        bytes,
        ms: now() - at,
      });

      const location = answer.location;
      if (request.redirect === 'manual' || !REDIRECTS.has(answer.status) || location === undefined)
        return { ok: true, status: answer.status, headers: answer.headers, body: answer.body, url, redirected: hop > 0 };

      // Follow: the next hop is checked from scratch, like a new request.
      let next: string;
      try {
        next = new URL(location, url).href;
      } catch {
        url = location;
        return deny(hop + 1, now(), 'the redirect location does not parse');
      }
      url = next;
      if (hop + 1 > limits.maxRedirects)
        return deny(hop + 1, now(), `more than ${limits.maxRedirects} redirects`, { limit: 'redirects' }, 'limit');
      if ((answer.status === 303 && method !== 'HEAD') || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = withoutBodyHeaders(headers);
      }
    }
  }

  return { fetch, records: () => records.slice() };
}

/** The first grant whose pattern matches and which names the method; or why none does. */
function findGrant(grants: readonly CompiledGrant[], target: NetTarget, method: string): CompiledGrant | string {
  let patternOnly: CompiledGrant | undefined;
  for (const g of grants) {
    if (!matchNetPattern(g.pattern, target)) continue;
    if (g.grant.methods.includes(method)) return g;
    patternOnly ??= g;
  }
  const where = `${target.scheme}://${target.host}:${target.port}${target.path}`;
  if (patternOnly)
    return `method ${method} is not granted for ${patternOnly.pattern.source} (granted: ${patternOnly.grant.methods.join(', ')})`;
  return `no grant covers ${where}`;
}

/**
 * Ask the host, with our own deadline as a backstop in case the host does not
 * keep its timeout, and with a throwing host turned into a failure value.
 */
async function exchange(net: HostNet, request: Parameters<HostNet['request']>[0]): Promise<HostNetResponse | HostNetFailure> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const backstop = new Promise<HostNetFailure>((resolve) => {
    timer = setTimeout(() => resolve({ failure: 'timeout', message: 'the host did not answer in time' }), request.timeoutMs);
  });
  try {
    return await Promise.race([
      net.request(request).catch(
        (e: unknown): HostNetFailure => ({
          failure: 'protocol',
          message: e instanceof Error ? e.message : String(e),
        }),
      ),
      backstop,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A URL as records show it: no fragment, at most MAX_URL_CHARS characters. */
function shown(url: string): string {
  const cut = url.indexOf('#');
  const u = cut >= 0 ? url.slice(0, cut) : url;
  return u.length > MAX_URL_CHARS ? `${u.slice(0, MAX_URL_CHARS)}…` : u;
}
