/**
 * Grants: what one sandbox may touch. A grant is the intersection of what
 * the tool's manifest requests and what the policy gives (see
 * `intersectGrants`). Grants belong to one call's instance; nothing here is
 * process-wide. An empty grant is no capability.
 */

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
 * An outbound destination (enforced by the egress filter, issue 3). `url` is
 * a pattern `scheme://host:port/path-prefix*` with `*` wildcards.
 */
export interface NetGrant {
  readonly url: string;
  readonly methods: readonly string[];
}

export interface Grants {
  readonly fs: readonly FsGrant[];
  /** Environment variables the guest sees, name to value. */
  readonly env: Readonly<Record<string, string>>;
  readonly net: readonly NetGrant[];
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
 * value by the policy. Net grants are matched by exact pattern for now; the
 * egress filter (issue 3) refines this.
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
  for (const want of requested.net ?? []) {
    const give = given.net.find((g) => g.url === want.url);
    if (!give) continue;
    const methods = (want.methods ?? give.methods).filter((m) => give.methods.includes(m));
    if (methods.length > 0) net.push({ url: give.url, methods });
  }
  return { fs, env, net };
}
