/**
 * Grants: what one sandbox may touch. A grant is the intersection of what
 * the tool's manifest requests and what the policy gives (see
 * `intersectGrants`). Grants belong to one call's instance; nothing here is
 * process-wide. An empty grant is no capability.
 */
import { netPatternCovers, parseNetPattern, secretNames } from './net-pattern.js';

/** `read` mounts refuse every mutation; `read-write` allow them within quota. */
export type FsAccess = 'read' | 'read-write';

/** A directory the guest sees at `mount`, backed by the policy's named `volume`. */
export interface FsGrant {
  /** Absolute guest path, e.g. `/workspace`. */
  readonly mount: string;
  /** Name of a volume declared by the policy (what backs the mount). */
  readonly volume: string;
  readonly access: FsAccess;
}

/**
 * An outbound destination, enforced by @airlock/egress on every request and
 * every redirect hop. `url` is a net pattern (see net-pattern.ts):
 * `scheme://host[:port][/path-prefix*]`, host exact or `*.`-prefixed.
 */
export interface NetGrant {
  readonly url: string;
  /** Uppercase HTTP methods, e.g. `["GET", "POST"]`. */
  readonly methods: readonly string[];
  /**
   * Headers the host adds to requests this grant lets through, after the
   * check and never visible to the guest. Values may name secrets as
   * `{{secret:NAME}}`; the policy never holds a secret's value.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Allow private, loopback, link-local and other non-public addresses, and
   * literal IP hosts. Default false: such destinations are denied even when
   * the pattern matches (the DNS-rebinding and SSRF defence).
   */
  readonly allowPrivate?: boolean;
}

/** Where the host finds a secret's value (the policy's `secrets:` map). Never the value. */
export interface SecretRef {
  /** The name of a host environment variable. */
  readonly env: string;
}

export interface Grants {
  readonly fs: readonly FsGrant[];
  /** Environment variables the guest sees, name to value. */
  readonly env: Readonly<Record<string, string>>;
  readonly net: readonly NetGrant[];
  /**
   * The secrets the `net` grants' headers refer to, name to where the host
   * reads them. Absent when no granted header names a secret.
   */
  readonly secrets?: Readonly<Record<string, SecretRef>>;
}

export const NO_GRANTS: Grants = Object.freeze({ fs: [], env: {}, net: [] });

/** What a manifest asks for (see manifest.ts). */
export interface CapabilityRequest {
  readonly fs?: ReadonlyArray<{ readonly mount: string; readonly access: FsAccess }>;
  readonly env?: readonly string[];
  readonly net?: ReadonlyArray<{ readonly url: string; readonly methods?: readonly string[] }>;
}

/**
 * Grants = requested ∩ given. A mount is granted only when the manifest
 * requests that mount path and the policy gives it; its access is the weaker
 * of the two. An env var is granted only when requested by name and given a
 * value by the policy.
 *
 * A net request is granted when a policy grant's pattern covers it (every URL
 * the request's pattern matches, the grant's matches too; see
 * `netPatternCovers`). The result keeps the request's (narrower) pattern,
 * the methods both name (a request without methods takes the grant's), and
 * the grant's headers and allowPrivate; the first covering grant that leaves
 * a method decides. A request pattern that does not parse is granted nothing.
 * Secrets are kept only when a granted header refers to them.
 */
export function intersectGrants(requested: CapabilityRequest, given: Grants): Grants {
  const fs: FsGrant[] = [];
  for (const want of requested.fs ?? []) {
    const give = given.fs.find((g) => g.mount === want.mount);
    if (!give) continue;
    const access: FsAccess = want.access === 'read-write' && give.access === 'read-write' ? 'read-write' : 'read';
    fs.push({ mount: give.mount, volume: give.volume, access });
  }
  const env: Record<string, string> = {};
  for (const name of requested.env ?? []) {
    const value = given.env[name];
    if (value !== undefined) env[name] = value;
  }
  const net: NetGrant[] = [];
  const secrets: Record<string, SecretRef> = {};
  let anySecret = false;
  const givenPatterns = given.net.map((g) => parseNetPattern(g.url));
  for (const want of requested.net ?? []) {
    const inner = parseNetPattern(want.url);
    if (typeof inner === 'string') continue;
    for (const [i, give] of given.net.entries()) {
      const outer = givenPatterns[i]!;
      if (typeof outer === 'string' || !netPatternCovers(outer, inner)) continue;
      const asked = (want.methods ?? give.methods).map((m) => m.toUpperCase());
      const methods = give.methods.filter((m) => asked.includes(m));
      if (methods.length === 0) continue;
      net.push({
        url: want.url,
        methods,
        ...(give.headers ? { headers: give.headers } : {}),
        ...(give.allowPrivate ? { allowPrivate: true } : {}),
      });
      for (const value of Object.values(give.headers ?? {})) {
        for (const name of secretNames(value)) {
          // Own properties only: a secret called "constructor" is not Object's.
          if (!given.secrets || !Object.hasOwn(given.secrets, name)) continue;
          Object.defineProperty(secrets, name, { value: given.secrets[name], enumerable: true });
          anySecret = true;
        }
      }
      break;
    }
  }
  return anySecret ? { fs, env, net, secrets } : { fs, env, net };
}
