/**
 * @airlock/egress: outbound HTTP for sandboxed tools, checked against the
 * call's net grants on every request and every redirect hop (DESIGN.md §5).
 * Host-neutral: the connecting is done by the Host's `net` ability, which
 * only connects to addresses this package approves.
 *
 * How an engine uses it (wasi:http in the component engine, `fetch` in the
 * QuickJS engine), once per call:
 *
 *   const egress = request.egress && createEgress({ ...request.egress, now: () => performance.now() });
 *   // guest asks for a URL:
 *   const r = egress ? await egress.fetch({ url, method, headers, body, redirect: 'manual' })
 *                    : { ok: false, kind: 'denied', reason: 'no network is granted' };
 *   if (!r.ok) → the guest's error (wasi:http `HTTP-request-denied`, or
 *                `HTTP-response-body-size` / `connection-timeout` for kind
 *                `limit`; a fetch TypeError), never a crash
 *   // when the run ends:
 *   return { ...outcome, egress: egress?.records() ?? [] };  // the gate audits them
 *
 * `request.egress` (core's `EgressContext`) is what the gate hands the
 * engine: grants, a secret reader scoped to those grants, the host's net and
 * the caps. No `request.egress` means the call has no network at all.
 *
 * Guarantees: the guest never sees a secret's value (grant headers are
 * added after the check, and records carry no headers); a redirect is a new
 * request (checked, its own record; 303 → GET, and 301/302 turn POST into
 * GET); the guest's Authorization and Cookie are dropped when a redirect
 * changes origin, and a grant's headers go only to destinations that grant
 * matches; literal IP hosts and non-public addresses need `allowPrivate`.
 */
export { isPublicAddress, parseIPv4, parseIPv6 } from './address.js';
export type { Egress, EgressDenial, EgressOptions, EgressRequest, EgressResponse } from './egress.js';
export { createEgress, MAX_EGRESS_RECORDS } from './egress.js';
export type { HeaderInput } from './headers.js';
