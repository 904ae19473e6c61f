/**
 * Net patterns: the `url` of a net grant, `scheme://host:port/path-prefix*`,
 * and the two questions asked of them: does this request URL fall under the
 * pattern (`matchNetPattern`), and does one pattern lie entirely inside
 * another (`netPatternCovers`, used to intersect a manifest's requests with
 * a policy's grants).
 *
 * Everything is compared on URLs as the WHATWG URL parser reads them, which
 * is also how the host will read them when it connects: the host lowercased
 * and punycoded, IPv4 written canonically (`0x7f.1` is `127.0.0.1`), the
 * default port dropped, dot segments resolved (`/v1/../admin` is `/admin`),
 * percent-encoding normalised. A pattern is written in that canonical form
 * (the parser says what to write otherwise), so a comparison is plain string
 * work on both sides.
 *
 *   scheme   `http` or `https`, required.
 *   host     exact (`api.example.com`), an IP literal (`127.0.0.1`, `[::1]`),
 *            or `*.example.com`: any name with one or more labels in front
 *            of `example.com`, never `example.com` itself (list it too).
 *   port     optional; absent means the scheme's default (80/443); `*` any.
 *   path     optional; absent means every path. A trailing `*` makes it a
 *            prefix (`/v1/*` is everything under `/v1/`; `/v1*` would also
 *            take `/v1beta`). Without `*` the path must match exactly. The
 *            query string is never part of a pattern and never compared.
 *   never    userinfo (`user@`), `?query`, `#fragment`, a `*` anywhere else.
 */

export type NetScheme = 'http' | 'https';

/** A parsed net pattern. */
export interface NetPattern {
  /** The pattern as written. */
  readonly source: string;
  readonly scheme: NetScheme;
  /** Canonical host: for a wildcard, the part after `*.`. IPv6 keeps its brackets. */
  readonly host: string;
  /** True for `*.host`: one or more labels in front of `host`. */
  readonly wildcard: boolean;
  /** True when `host` is an IP literal (those need `allowPrivate`). */
  readonly ipLiteral: boolean;
  /** A port number, or `*` for any. */
  readonly port: number | '*';
  /** Canonical path, without the trailing `*`. */
  readonly path: string;
  /** True when the path ended in `*` (a prefix). */
  readonly prefix: boolean;
}

/** A request URL, reduced to what patterns compare. */
export interface NetTarget {
  readonly scheme: NetScheme;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly ipLiteral: boolean;
  /** The URL to send: WHATWG `href` without the fragment. */
  readonly href: string;
}

export const DEFAULT_PORTS: Readonly<Record<NetScheme, number>> = { http: 80, https: 443 };

/**
 * A path as compared: percent-escapes of unreserved characters decoded
 * (`%7E` is `~`, as RFC 3986 says they are equal), every other escape in
 * uppercase hex. The URL parser has already resolved dot segments, including
 * `%2e%2e`.
 */
function comparablePath(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

/** Escapes servers disagree about (an encoded `/`, `\` or NUL): a request path with one is never matched. */
const AMBIGUOUS = /%(2f|5c|00)/i;

const PATTERN = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function isIpLiteralHost(host: string): boolean {
  return host.startsWith('[') || IPV4.test(host);
}

/** Parse a net pattern; returns the pattern or a sentence saying what is wrong and what to write. */
export function parseNetPattern(source: string): NetPattern | string {
  if (typeof source !== 'string' || source === '') return 'a URL pattern must be a non-empty string such as "https://api.example.com/v1/*"';
  if (/[\s\0]/.test(source)) return 'a URL pattern cannot contain spaces or control characters';
  if (source.includes('?') || source.includes('#'))
    return 'a URL pattern cannot have a query (?) or fragment (#); the query is never compared';
  const m = PATTERN.exec(source);
  if (!m) return 'expected scheme://host[:port][/path], e.g. "https://api.example.com/v1/*"';
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return `scheme "${m[1]}" is not allowed; expected http or https`;
  const authority = m[2]!;
  if (authority.includes('@')) return 'a URL pattern cannot have userinfo (user@host)';

  // Split host and port by hand: `*` is not a valid port for the URL parser.
  let hostText = authority;
  let portText: string | undefined;
  const bracket = authority.startsWith('[') ? authority.indexOf(']') : -1;
  const colon = authority.lastIndexOf(':');
  if (colon > bracket) {
    hostText = authority.slice(0, colon);
    portText = authority.slice(colon + 1);
  }
  let wildcard = false;
  if (hostText.startsWith('*.')) {
    wildcard = true;
    hostText = hostText.slice(2);
  }
  if (hostText === '') return 'a URL pattern needs a host';
  if (hostText.includes('*')) return `host "${authority}" has a "*" that is not a leading "*." label; expected e.g. "*.example.com"`;
  let host: string;
  try {
    host = new URL(`${scheme}://${hostText}/`).hostname;
  } catch {
    return `host "${hostText}" is not a valid host name or IP address`;
  }
  const ipLiteral = isIpLiteralHost(host);
  if (wildcard && ipLiteral) return `"*." cannot prefix an IP address ("${hostText}")`;
  if (host.endsWith('.')) return `host "${hostText}" ends with a dot; write it without one`;
  if (host !== hostText) return `host "${hostText}" is not canonical; write "${wildcard ? '*.' : ''}${host}"`;

  let port: number | '*';
  if (portText === undefined || portText === '') {
    if (portText === '') return 'a ":" must be followed by a port number or "*"';
    port = DEFAULT_PORTS[scheme];
  } else if (portText === '*') port = '*';
  else if (/^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535) port = Number(portText);
  else return `port "${portText}" is not a number from 1 to 65535 or "*"`;

  let path = m[3] ?? '/*';
  let prefix = false;
  if (path.endsWith('*')) {
    prefix = true;
    path = path.slice(0, -1);
  }
  if (path.includes('*')) return `path "${m[3]}" has a "*" before its end; only a trailing "*" (a prefix) is supported`;
  const canonical = comparablePath(new URL(path, `${scheme}://x/`).pathname);
  if (canonical !== path) return `path "${path}" is not canonical (dot segments or encoding); write "${canonical}${prefix ? '*' : ''}"`;
  return { source, scheme, host, wildcard, ipLiteral, port, path, prefix };
}

/**
 * Read a request URL the way the host will. Returns a sentence instead when
 * it cannot be sent at all: unparseable, not http(s), or with userinfo
 * (`https://api.example.com@evil.com/` is a request to evil.com).
 */
export function readNetTarget(url: string): NetTarget | string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'the URL does not parse';
  }
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') return `scheme "${scheme}" is not http or https`;
  if (u.username !== '' || u.password !== '') return 'the URL has userinfo (user@host), which is never sent';
  if (u.hostname === '') return 'the URL has no host';
  if (AMBIGUOUS.test(u.pathname)) return 'the path has an encoded "/", "\\" or NUL (%2F, %5C, %00), which servers read differently';
  u.hash = '';
  return {
    scheme,
    host: u.hostname,
    port: u.port === '' ? DEFAULT_PORTS[scheme] : Number(u.port),
    path: comparablePath(u.pathname),
    ipLiteral: isIpLiteralHost(u.hostname),
    href: u.href,
  };
}

function hostMatches(p: NetPattern, host: string): boolean {
  if (!p.wildcard) return host === p.host;
  return host.length > p.host.length + 1 && host.endsWith(`.${p.host}`);
}

/** True when the request target falls under the pattern (methods are checked apart). */
export function matchNetPattern(p: NetPattern, t: NetTarget): boolean {
  if (t.scheme !== p.scheme) return false;
  if (p.port !== '*' && t.port !== p.port) return false;
  if (!hostMatches(p, t.host)) return false;
  return p.prefix ? t.path.startsWith(p.path) : t.path === p.path;
}

/** True when every URL `inner` matches is also matched by `outer`. */
export function netPatternCovers(outer: NetPattern, inner: NetPattern): boolean {
  if (outer.scheme !== inner.scheme) return false;
  if (outer.port !== '*' && inner.port !== outer.port) return false;
  if (outer.wildcard) {
    const under = inner.host.length > outer.host.length + 1 && inner.host.endsWith(`.${outer.host}`);
    if (!(under || (inner.wildcard && inner.host === outer.host))) return false;
  } else if (inner.wildcard || inner.host !== outer.host) return false;
  if (!outer.prefix) return !inner.prefix && inner.path === outer.path;
  return inner.path.startsWith(outer.path);
}

/** `{{secret:NAME}}` in a header value of a net grant. */
export const SECRET_REFERENCE = /\{\{secret:([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

/** The secret names a header value refers to, in order. */
export function secretNames(value: string): string[] {
  return [...value.matchAll(SECRET_REFERENCE)].map((m) => m[1]!);
}
