/**
 * The host side of the guest's `fetch`: one call's egress filter
 * (`createEgress` from @airlock/egress, built from `RunRequest.egress`),
 * with the request and the response crossing as plain data.
 *
 * The guest sends `{ url, method, headers: [[name, value]…], redirect,
 * text? | latin1? }`; the answer is `{ status, statusText, url, redirected,
 * headers: [[name, value]…], text, latin1? }`, where `text` is the body
 * decoded as UTF-8 and `latin1` (only when the body is not valid UTF-8) the
 * bytes one per character. Secrets are added to the request inside the
 * filter, after the check; the guest sees neither them nor the request as
 * sent. Every request and redirect hop is an `EgressRecord` for the audit
 * log, and so is a fetch made without any net grant.
 *
 * Caps: the filter's (response bytes, redirects, time; one filter per
 * request, its time cut to what is left of the call's wall time), a request
 * body no larger than the response cap, and MAX_EGRESS_RECORDS records per
 * call.
 */
import type { EgressRecord, RunRequest } from '@airlock/core';
import { fromUtf8 } from '@airlock/core';
import { createEgress, MAX_EGRESS_RECORDS } from '@airlock/egress';

/** What the guest is told when a fetch does not get a response: always a TypeError, as fetch does. */
export class FetchRefused extends Error {
  constructor(
    message: string,
    readonly code: 'ENOTCAPABLE' | 'ELIMIT' | 'ENETWORK' | 'EINVAL',
    readonly limit?: string,
  ) {
    super(message);
  }
}

export interface GuestResponse {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly text: string;
  readonly latin1?: string;
}

export interface FetchCapability {
  fetch(request: unknown): Promise<GuestResponse>;
  records(): EgressRecord[];
}

/** Status texts for the common codes (HTTP/1.1's reason phrase is not kept by the hosts). */
const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const MAX_SHOWN_URL = 200;

/**
 * `runStart` and `wallMs` bound each request's time to what is left of the
 * call; `now` is a monotonic clock in milliseconds.
 */
export function createFetchCapability(request: RunRequest, runStart: number, now: () => number): FetchCapability {
  const ctx = request.egress;
  const records: EgressRecord[] = [];
  const wallLeft = () => request.limits.wallMs - (now() - runStart);

  return {
    async fetch(raw: unknown): Promise<GuestResponse> {
      const r = readRequest(raw);
      const shownUrl = r.url.length > MAX_SHOWN_URL ? `${r.url.slice(0, MAX_SHOWN_URL)}…` : r.url;
      const method = r.method.toUpperCase().slice(0, 20);
      const refuse = (reason: string, code: FetchRefused['code'], message: string, limit?: string): never => {
        if (records.length < MAX_EGRESS_RECORDS)
          records.push({ url: recordUrl(r.url), method, decision: 'denied', reason, grant: null, hop: 0, ms: 0 });
        throw new FetchRefused(message, code, limit);
      };
      if (!ctx)
        return refuse(
          'no network access is granted to this call',
          'ENOTCAPABLE',
          `fetch ${shownUrl}: network access is not granted to this call`,
        );
      if (records.length >= MAX_EGRESS_RECORDS)
        throw new FetchRefused(`fetch ${shownUrl}: more than ${MAX_EGRESS_RECORDS} requests in one call`, 'ELIMIT', 'requests');
      const left = wallLeft();
      if (left <= 0)
        return refuse("the call's wall time is used up", 'ELIMIT', `fetch ${shownUrl}: the call's wall time is used up`, 'timeout');
      const cap = ctx.limits.responseBytes;
      if (r.body && r.body.length > cap) {
        const why = `the request body is ${r.body.length} bytes, over the limit of ${cap}`;
        return refuse(why, 'ELIMIT', `fetch ${shownUrl}: ${why}`, 'request-bytes');
      }
      // One filter per request: its time cap is what is left of the call's wall time.
      const egress = createEgress({
        grants: ctx.grants,
        secrets: ctx.secrets,
        ...(ctx.net ? { net: ctx.net } : {}),
        limits: { ...ctx.limits, timeoutMs: Math.max(1, Math.min(ctx.limits.timeoutMs, left)) },
        now,
      });
      let answer: Awaited<ReturnType<typeof egress.fetch>>;
      try {
        answer = await egress.fetch({
          url: r.url,
          method: r.method,
          headers: r.headers,
          ...(r.body ? { body: r.body } : {}),
          redirect: r.redirect === 'follow' ? 'follow' : 'manual',
        });
      } finally {
        for (const rec of egress.records()) if (records.length < MAX_EGRESS_RECORDS) records.push(rec);
      }
      if (!answer.ok) {
        if (answer.kind === 'denied') throw new FetchRefused(`fetch ${shownUrl} was denied: ${answer.reason}`, 'ENOTCAPABLE');
        if (answer.kind === 'limit') throw new FetchRefused(`fetch ${shownUrl} was stopped: ${answer.reason}`, 'ELIMIT', answer.limit);
        throw new FetchRefused(`fetch ${shownUrl} failed: ${answer.reason}`, 'ENETWORK');
      }
      if (r.redirect === 'error' && answer.status >= 300 && answer.status < 400)
        throw new FetchRefused(`fetch ${shownUrl}: redirected (${answer.status}) and redirect is "error"`, 'ENETWORK');
      const text = fromUtf8(answer.body);
      return {
        status: answer.status,
        statusText: STATUS_TEXT[answer.status] ?? '',
        url: answer.url,
        redirected: answer.redirected,
        headers: answer.headers,
        ...(text === undefined ? { text: new TextDecoder().decode(answer.body), latin1: latin1Of(answer.body) } : { text }),
      };
    },
    records: () => records.slice(),
  };
}

/** A URL as egress records show it: no fragment, at most 2048 characters. */
function recordUrl(url: string): string {
  const cut = url.indexOf('#');
  const u = cut >= 0 ? url.slice(0, cut) : url;
  return u.length > 2048 ? `${u.slice(0, 2048)}…` : u;
}

interface GuestRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Array<[string, string]>;
  readonly redirect: 'follow' | 'manual' | 'error';
  readonly body?: Uint8Array;
}

/** The guest's request, checked for shape (the guest may send anything). */
export function readRequest(raw: unknown): GuestRequest {
  const bad = (what: string): never => {
    throw new FetchRefused(`fetch: ${what}`, 'EINVAL');
  };
  if (raw === null || typeof raw !== 'object') return bad('bad request');
  const o = raw as Record<string, unknown>;
  if (typeof o.url !== 'string') return bad('the URL must be a string');
  const method = o.method === undefined ? 'GET' : typeof o.method === 'string' ? o.method : bad('the method must be a string');
  const headers: Array<[string, string]> = [];
  if (o.headers !== undefined) {
    if (!Array.isArray(o.headers)) return bad('bad headers');
    for (const p of o.headers as unknown[]) {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'string') return bad('bad headers');
      headers.push([p[0], p[1]]);
    }
  }
  const redirect = o.redirect === undefined ? 'follow' : o.redirect;
  if (redirect !== 'follow' && redirect !== 'manual' && redirect !== 'error')
    return bad(`redirect must be "follow", "manual" or "error", not ${JSON.stringify(String(redirect)).slice(0, 40)}`);
  let body: Uint8Array | undefined;
  if (typeof o.text === 'string') body = new TextEncoder().encode(o.text);
  else if (typeof o.latin1 === 'string') {
    const s = o.latin1;
    body = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) return bad('bad body bytes');
      body[i] = c;
    }
  }
  if (body && (method.toUpperCase() === 'GET' || method.toUpperCase() === 'HEAD'))
    throw new FetchRefused('fetch: a GET or HEAD request cannot have a body', 'EINVAL');
  return { url: o.url, method, headers, redirect, ...(body ? { body } : {}) };
}

/** Bytes as a string of one character per byte. */
export function latin1Of(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}
