/**
 * A TranspileCache in a host directory, through `Host.fs` (so it works on
 * every host with a file system, and never follows a symlink out of the
 * directory). One file per entry, named by the SHA-256 of the key (keys
 * carry the component's content hash and the transpiler's id, and contain
 * `/`); written to a temporary name and renamed, so a reader never sees half
 * an entry. Any failure is a miss: a cache must never fail a call.
 */
import { type Host, VfsError } from '@airlock/core';
import type { TranspileCache } from '@airlock/engine-component';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function directoryTranspileCache(host: Host, dir: string): TranspileCache | undefined {
  if (!host.fs) return undefined;
  let vfs: ReturnType<NonNullable<Host['fs']>['root']>;
  try {
    vfs = host.fs.root(dir);
  } catch {
    return undefined;
  }
  const nameOf = (key: string): string => `${hex(host.crypto.sha256(new TextEncoder().encode(key)))}.transpiled`;
  return {
    get(key) {
      try {
        const f = vfs.open([nameOf(key)], { read: true, write: false });
        try {
          const out = new Uint8Array(f.size());
          let at = 0;
          while (at < out.length) {
            const n = f.read(out.subarray(at), at);
            if (n === 0) break;
            at += n;
          }
          return at === out.length ? out : undefined;
        } finally {
          f.close();
        }
      } catch (e) {
        if (e instanceof VfsError) return undefined;
        throw e;
      }
    },
    set(key, value) {
      const name = nameOf(key);
      const tmp = `${name}.${hex(host.crypto.randomBytes(6))}.tmp`;
      try {
        const f = vfs.open([tmp], { read: false, write: true, create: true, truncate: true });
        try {
          let at = 0;
          while (at < value.length) at += f.write(value.subarray(at), at);
        } finally {
          f.close();
        }
        vfs.rename([tmp], [name]);
      } catch {
        try {
          vfs.unlink([tmp]);
        } catch {}
      }
    },
  };
}
