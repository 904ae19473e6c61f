/**
 * The log lock's primitives on Deno (the protocol is @airlock/runtime-node's
 * log-lock.ts, shared so a Node writer and a Deno writer of one log see the
 * same lock file). Without --allow-run a pid cannot be checked and without
 * --allow-sys=hostname the host is unknown: both make a leftover lock count
 * as live (refused, with a message naming the file to remove), never stale.
 */
import type { LockHost } from '@airlock/runtime-node';
import type { DenoApi } from './deno-api.js';

type ErrorLike = { readonly code?: unknown; readonly name?: unknown } | null;
const code = (error: unknown): unknown => (error as ErrorLike)?.code;

type UnloadTarget = {
  addEventListener(type: 'unload', fn: () => void): void;
  removeEventListener(type: 'unload', fn: () => void): void;
};

export function denoLockHost(deno: DenoApi): LockHost {
  let hostname: string | undefined;
  try {
    hostname = deno.hostname();
  } catch {
    hostname = undefined; // no --allow-sys: stale locks cannot be told from live ones
  }
  return {
    createExclusive(path, text) {
      try {
        deno.writeTextFileSync(path, text, { createNew: true }); // O_CREAT | O_EXCL
        return true;
      } catch (error) {
        if (code(error) === 'EEXIST') return false;
        throw error;
      }
    },
    read(path) {
      try {
        return deno.readTextFileSync(path);
      } catch (error) {
        if (code(error) === 'ENOENT') return undefined;
        throw error;
      }
    },
    rename(from, to) {
      try {
        deno.renameSync(from, to);
        return true;
      } catch (error) {
        if (code(error) === 'ENOENT') return false;
        throw error;
      }
    },
    link(existing, path) {
      try {
        deno.linkSync(existing, path);
        return true;
      } catch (error) {
        if (code(error) === 'EEXIST') return false;
        throw error;
      }
    },
    remove(path) {
      try {
        deno.removeSync(path);
      } catch (error) {
        if (code(error) !== 'ENOENT') throw error;
      }
    },
    processState(pid) {
      try {
        deno.kill(pid, 0);
        return 'alive';
      } catch (error) {
        // Deno's kill errors carry no errno code; the class name says it.
        const name = (error as ErrorLike)?.name;
        if (name === 'NotFound') return 'dead';
        return name === 'PermissionDenied' ? 'alive' : 'unknown'; // NotCapable: no --allow-run
      }
    },
    onExit(fn) {
      const target = globalThis as unknown as UnloadTarget;
      target.addEventListener('unload', fn);
      return () => target.removeEventListener('unload', fn);
    },
    pid: deno.pid,
    hostname,
    processStart: performance.timeOrigin,
    now: () => Date.now(),
    token: () => Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join(''),
  };
}
