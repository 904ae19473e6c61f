/**
 * From a granted `Mount` to the Vfs the guest's fds use: `read` mounts are
 * wrapped read-only; `read-write` mounts are wrapped by the call's shared
 * write quota. Wrapping happens here, per call, so the policy's access mode
 * is enforced below the fds and no fd can forget it.
 */
import type { Mount, Vfs } from '@airlock/core';
import { ReadOnlyVfs } from './read-only-vfs.js';
import { type WriteQuota, WriteQuotaVfs } from './write-quota-vfs.js';

export function mountVfs(mount: Mount, quota: WriteQuota): Vfs {
  return mount.access === 'read-write' ? new WriteQuotaVfs(mount.vfs, quota) : new ReadOnlyVfs(mount.vfs);
}
