/**
 * Reading `grants.net` (outbound destinations) and the top-level `secrets`
 * map. Every check the egress filter relies on is made here, at load, with a
 * position: the URL pattern parses and is canonical, methods are known and
 * uppercase, header names are tokens the host does not own, and every
 * `{{secret:NAME}}` names a declared secret. The policy names where a secret
 * lives (`{ env: VAR }`), never its value.
 */
import { type NetGrant, parseNetPattern, type SecretRef } from '@airlock/core';
import type { SecretSpec } from './model.js';
import { quote, type Val, type YamlReader } from './yaml-reader.js';

/** Methods a grant may name. CONNECT and TRACE are never granted. */
export const NET_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the host derives itself; a grant cannot set them. */
const HOST_OWNED = ['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect'];
const REFERENCE = /\{\{\s*secret\s*:\s*([^}]*)\}\}/g;

/** `secrets: { NAME: { env: VAR } }`. */
export function readSecrets(r: YamlReader, v: Val): Record<string, SecretSpec> {
  const out: Record<string, SecretSpec> = {};
  for (const e of r.map(v, 'secrets') ?? []) {
    const what = `secret ${quote(e.key)}`;
    if (!NAME.test(e.key)) {
      r.problem(e.keyAt, `secret name ${quote(e.key)} is not a valid name; expected [A-Za-z_][A-Za-z0-9_]*`);
      continue;
    }
    const m = r.map(e.value, what);
    if (!m) continue;
    const envE = r.known(m, ['env'], what).get('env');
    if (!envE) {
      r.problem(e.value.at, `${what} has no "env"; expected { env: VARIABLE } naming the host variable that holds it`);
      continue;
    }
    const env = r.string(envE.value, `${what}.env`, 'a host environment variable name');
    if (env === undefined) continue;
    if (!NAME.test(env)) {
      r.problem(envE.value.at, `${what}.env ${quote(env)} is not a variable name; expected [A-Za-z_][A-Za-z0-9_]*`);
      continue;
    }
    Object.defineProperty(out, e.key, { value: { env, position: e.keyAt }, enumerable: true });
  }
  return out;
}

/**
 * One rule's `grants.net` list. Adds the secrets its headers use to `used`.
 * Returns undefined when anything is wrong (all of it reported).
 */
export function readNetGrants(
  r: YamlReader,
  v: Val,
  what: string,
  declared: Readonly<Record<string, SecretRef>>,
  used: Record<string, SecretRef>,
): NetGrant[] | undefined {
  const items = r.list(v, what);
  if (!items) return undefined;
  const out: NetGrant[] = [];
  let ok = true;
  for (const [i, item] of items.entries()) {
    const g = readNetGrant(r, item, `${what}[${i}]`, declared, used);
    if (g) out.push(g);
    else ok = false;
  }
  return ok ? out : undefined;
}

function readNetGrant(
  r: YamlReader,
  item: Val,
  at: string,
  declared: Readonly<Record<string, SecretRef>>,
  used: Record<string, SecretRef>,
): NetGrant | undefined {
  const m = r.map(item, at);
  if (!m) return undefined;
  const f = r.known(m, ['url', 'methods', 'headers', 'allowPrivate'], at);
  const before = r.problems.length;

  const urlE = f.get('url');
  if (!urlE) r.problem(item.at, `${at} has no "url"; expected a pattern such as "https://api.example.com/v1/*"`);
  const url = urlE ? r.string(urlE.value, `${at}.url`, 'a URL pattern such as "https://api.example.com/v1/*"') : undefined;
  const pattern = url === undefined ? undefined : parseNetPattern(url);
  if (typeof pattern === 'string' && urlE) r.problem(urlE.value.at, `${at}.url ${quote(url!)}: ${pattern}`);

  let allowPrivate = false;
  const privE = f.get('allowPrivate');
  if (privE) {
    const x = r.scalar(privE.value);
    if (typeof x === 'boolean') allowPrivate = x;
    else r.problem(privE.value.at, `${at}.allowPrivate must be true or false, got ${r.describe(privE.value)}`);
  }
  if (pattern && typeof pattern !== 'string' && pattern.ipLiteral && !allowPrivate && urlE)
    r.problem(urlE.value.at, `${at}.url ${quote(url!)} names an IP address, which is only reachable with allowPrivate: true`);

  const methodsE = f.get('methods');
  const methods: string[] = [];
  if (!methodsE) r.problem(item.at, `${at} has no "methods"; expected a list such as [GET, POST]`);
  else {
    const list = r.list(methodsE.value, `${at}.methods`);
    if (list?.length === 0) r.problem(methodsE.value.at, `${at}.methods is empty, which grants nothing; expected e.g. [GET]`);
    for (const mv of list ?? []) {
      const method = r.string(mv, `${at}.methods`, `one of ${NET_METHODS.join(', ')}`);
      if (method === undefined) continue;
      if (!(NET_METHODS as readonly string[]).includes(method)) {
        const hint = (NET_METHODS as readonly string[]).includes(method.toUpperCase()) ? ` (write ${method.toUpperCase()})` : '';
        r.problem(mv.at, `${at}.methods has ${quote(method)}; expected one of ${NET_METHODS.join(', ')}${hint}`);
      } else if (methods.includes(method)) r.problem(mv.at, `${at}.methods lists ${method} twice; expected each method once`);
      else methods.push(method);
    }
  }

  const headers: Record<string, string> = {};
  const headersE = f.get('headers');
  const seen = new Set<string>();
  for (const h of headersE ? (r.map(headersE.value, `${at}.headers`) ?? []) : []) {
    const lower = h.key.toLowerCase();
    if (!TOKEN.test(h.key)) r.problem(h.keyAt, `${at}.headers name ${quote(h.key)} is not a valid header name`);
    else if (HOST_OWNED.includes(lower))
      r.problem(h.keyAt, `${at}.headers cannot set ${quote(h.key)}; the host derives it from the request`);
    else if (seen.has(lower)) r.problem(h.keyAt, `${at}.headers sets ${quote(h.key)} twice (header names ignore case)`);
    seen.add(lower);
    const value = r.string(h.value, `${at}.headers.${h.key}`, 'a header value');
    if (value === undefined) continue;
    if (/[\r\n\0]/.test(value)) r.problem(h.value.at, `${at}.headers.${h.key} has CR, LF or NUL; expected one line`);
    for (const ref of value.matchAll(REFERENCE)) {
      const name = ref[1]!;
      if (!NAME.test(name) || ref[0] !== `{{secret:${name}}}`)
        r.problem(h.value.at, `${at}.headers.${h.key} has ${quote(ref[0])}; expected {{secret:NAME}} with no spaces`);
      else if (!Object.hasOwn(declared, name)) {
        const known = Object.keys(declared).join(', ') || 'none declared';
        r.problem(
          h.value.at,
          `${at}.headers.${h.key} refers to secret ${quote(name)}, which is not declared; expected one of the "secrets" (${known})`,
        );
      } else Object.defineProperty(used, name, { value: { env: declared[name]!.env }, enumerable: true, configurable: true });
    }
    Object.defineProperty(headers, h.key, { value, enumerable: true, writable: true, configurable: true });
  }

  if (r.problems.length > before || url === undefined || typeof pattern !== 'object' || methods.length === 0) return undefined;
  return {
    url,
    methods,
    ...(headersE ? { headers } : {}),
    ...(allowPrivate ? { allowPrivate: true } : {}),
  };
}
