// A fake HostNet for the egress tests (a *.test.ts file so it is never part
// of the published surface; it defines no tests itself). It behaves like a
// host should: it "resolves" names from a table, asks checkAddress about
// every address, and only then "connects" to a route.
import type { EgressLimits, HostNet, HostNetFailure, HostNetRequest, HostNetResponse, NetGrant } from '@airlock/core';
import { createEgress, type Egress } from './egress.js';

export interface Route {
  status?: number;
  headers?: Array<[string, string]>;
  body?: string | Uint8Array;
  location?: string;
  /** Never answer (for the time cap). */
  hang?: boolean;
}

export interface Sent {
  readonly url: string;
  readonly method: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array;
}

export class FakeNet implements HostNet {
  readonly sent: Sent[] = [];
  readonly checked: string[] = [];
  /** host name → addresses it resolves to (default: a public address). */
  readonly dns = new Map<string, string[]>();
  /** URL (href) → response. */
  readonly routes = new Map<string, Route>();

  async request(r: HostNetRequest): Promise<HostNetResponse | HostNetFailure> {
    const u = new URL(r.url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const literal = /^[\d.]+$/.test(host) || host.includes(':');
    const addresses = literal ? [host] : (this.dns.get(host) ?? ['93.184.215.14']);
    for (const a of addresses) {
      this.checked.push(a);
      if (!r.checkAddress(a)) return { failure: 'address-denied', message: `${a} refused`, address: a };
    }
    this.sent.push({ url: r.url, method: r.method, headers: r.headers, ...(r.body ? { body: r.body } : {}) });
    const route = this.routes.get(r.url) ?? { status: 404, body: 'not found' };
    if (route.hang) return new Promise(() => {});
    const full = typeof route.body === 'string' ? new TextEncoder().encode(route.body) : (route.body ?? new Uint8Array());
    const truncated = full.length > r.maxResponseBytes;
    return {
      status: route.status ?? 200,
      headers: route.headers ?? [],
      body: truncated ? full.slice(0, r.maxResponseBytes) : full,
      truncated,
      ...(route.location ? { location: route.location } : {}),
    };
  }
}

export const LIMITS: EgressLimits = { responseBytes: 1024, timeoutMs: 1000, maxRedirects: 3 };

export function egressFor(
  grants: NetGrant[],
  net: FakeNet = new FakeNet(),
  opts: { secrets?: Record<string, string>; limits?: Partial<EgressLimits> } = {},
): { egress: Egress; net: FakeNet } {
  const secrets = opts.secrets ?? {};
  let t = 0;
  const egress = createEgress({
    grants,
    secrets: (name) => (Object.hasOwn(secrets, name) ? secrets[name] : undefined),
    net,
    limits: { ...LIMITS, ...opts.limits },
    now: () => t++,
  });
  return { egress, net };
}
