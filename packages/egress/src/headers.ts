/**
 * Request headers on their way out: which ones a guest may set, which are
 * dropped when a redirect leaves the origin, and how a grant's headers (with
 * their secrets) are put in last, host-side, where the guest never sees them.
 */

export type HeaderPairs = Array<[string, string]>;
export type HeaderInput = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** RFC 9110 token: what a header name may be. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may not contain (header splitting). */
const BAD_VALUE = /[\r\n\0]/;

/**
 * Headers the host owns: framing and routing. A guest-supplied `Host` could
 * reach another virtual host behind the checked address (domain fronting),
 * so it is dropped with the rest; the host derives them from the URL and body.
 */
const HOST_OWNED = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'expect',
]);

/** Dropped from the guest's headers when a redirect goes to another origin (as fetch does). */
const CREDENTIALS = new Set(['authorization', 'cookie', 'cookie2']);

/** Dropped when a redirect turns the request into a body-less GET. */
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);

/** The guest's headers as lowercased pairs, or a sentence saying which one is malformed. */
export function readGuestHeaders(input: HeaderInput | undefined): HeaderPairs | string {
  const entries: ReadonlyArray<readonly [string, string]> =
    input === undefined ? [] : Array.isArray(input) ? (input as ReadonlyArray<readonly [string, string]>) : Object.entries(input);
  const out: HeaderPairs = [];
  for (const entry of entries) {
    const [name, value] = entry;
    if (typeof name !== 'string' || !TOKEN.test(name)) return `header name ${JSON.stringify(String(name)).slice(0, 80)} is not a token`;
    if (typeof value !== 'string' || BAD_VALUE.test(value)) return `header "${name}" has a value with CR, LF or NUL`;
    const lower = name.toLowerCase();
    if (!HOST_OWNED.has(lower)) out.push([lower, value]);
  }
  return out;
}

export function withoutCredentials(headers: HeaderPairs): HeaderPairs {
  return headers.filter(([n]) => !CREDENTIALS.has(n));
}

export function withoutBodyHeaders(headers: HeaderPairs): HeaderPairs {
  return headers.filter(([n]) => !BODY_HEADERS.has(n));
}

/**
 * The headers to send: the guest's, minus any the grant sets, plus the
 * grant's with `{{secret:NAME}}` replaced by the value. Returns the name of
 * the first secret that has no value instead (the request is then denied:
 * sending `Bearer ` with nothing after it helps nobody and leaks intent).
 */
export function injectGrantHeaders(
  guest: HeaderPairs,
  grant: Readonly<Record<string, string>> | undefined,
  secret: (name: string) => string | undefined,
): HeaderPairs | { readonly missing: string } {
  if (!grant) return guest;
  const names = new Set(Object.keys(grant).map((n) => n.toLowerCase()));
  const out = guest.filter(([n]) => !names.has(n));
  for (const [name, template] of Object.entries(grant)) {
    let missing: string | undefined;
    const value = template.replace(/\{\{secret:([A-Za-z_][A-Za-z0-9_]*)\}\}/g, (_m, s: string) => {
      const v = secret(s);
      if (v === undefined || BAD_VALUE.test(v)) missing ??= s;
      return v ?? '';
    });
    if (missing !== undefined) return { missing };
    out.push([name.toLowerCase(), value]);
  }
  return out;
}
