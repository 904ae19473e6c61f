/**
 * The host side of a snippet's capabilities, built per call from its
 * RunRequest and nothing else: `fs` on the granted mounts, `tools.call`
 * through the gate, and `fetch` through the call's egress filter (fetch.ts).
 *
 * Files go through the same machinery as the wasip1 engine: `mountVfs` wraps
 * each mount read-only or in the call's write quota, `resolveInMount` turns a
 * guest path into components inside the mount (so `..`, absolute symlinks
 * and NUL bytes are denied by the one resolver), and refusals are kept in a
 * `DenialLog` for the audit record.
 *
 * Every op answers JSON text, `{"ok":true,"value":…}` or
 * `{"ok":false,"error":{name,message,code?}}`. A host exception never
 * crosses: it is turned into a name and a message here, and messages name
 * only guest paths.
 */
import type { CallResult, EgressRecord, Mount, RunRequest, Vfs } from '@airlock/core';
import { fromUtf8, VfsError } from '@airlock/core';
import { DENIAL_ERRNOS, DenialLog, mountVfs, PathDenied, resolveInMount, WriteQuota } from '@airlock/wasi';
import { createFetchCapability, FetchRefused } from './fetch.js';
import type { Bridge } from './runner.js';

/** Largest file `fs.readFile` hands to a guest, whatever the memory limit. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;
/** Largest argument list a guest may send in one call (JSON text, UTF-16 units). */
const MAX_ARGS = 16 * 1024 * 1024;

interface GuestError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly status?: string;
  readonly callId?: string;
  readonly limit?: string;
}

class Refused extends Error {
  constructor(readonly guest: GuestError) {
    super(guest.message);
  }
}

const refuse = (guest: GuestError): never => {
  throw new Refused(guest);
};

export interface CallCapabilities {
  readonly bridge: Bridge;
  readonly denials: DenialLog;
  readonly quota: WriteQuota;
  /** Bytes read through `fs` so far. */
  readonly readBytes: () => number;
  /** Every fetch and redirect hop so far, allowed or denied, for the audit record. */
  readonly egress: () => EgressRecord[];
}

/** Text for a file, as the guest gave it: a string (numbers and booleans are written as text). */
function textArg(op: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return refuse({ name: 'TypeError', message: `${op}: the data must be a string` });
}

export function createCapabilities(request: RunRequest): CallCapabilities {
  const quota = new WriteQuota(request.limits.fsWriteBytes);
  const denials = new DenialLog();
  const mounts = request.mounts.map((m) => ({ mount: m, vfs: mountVfs(m, quota) }));
  let readBytes = 0;
  const readCap = Math.min(MAX_READ_BYTES, request.limits.memoryBytes);
  const net = createFetchCapability(request, performance.now(), () => performance.now());

  /** The mount a guest path is in, and the path inside it; the longest mount wins. */
  const locate = (op: string, path: unknown): { vfs: Vfs; rest: string; guest: string } => {
    if (typeof path !== 'string') refuse({ name: 'TypeError', message: `${op}: the path must be a string` });
    const guest = path as string;
    let best: { mount: Mount; vfs: Vfs } | undefined;
    for (const m of mounts) {
      const p = m.mount.path;
      const inside = p === '/' ? guest.startsWith('/') : guest === p || guest.startsWith(`${p}/`);
      if (inside && (!best || p.length > best.mount.path.length)) best = m;
    }
    if (!best) {
      denials.record(op, guest, 'ENOTCAPABLE');
      refuse({ name: 'Error', code: 'ENOTCAPABLE', message: `ENOTCAPABLE: ${op} ${guest}: not inside a granted mount` });
    }
    const rest = guest.slice(best!.mount.path === '/' ? 1 : best!.mount.path.length).replace(/^\//, '');
    return { vfs: best!.vfs, rest: rest === '' ? '.' : rest, guest };
  };

  const resolve = (vfs: Vfs, rest: string, followFinal = true): string[] => resolveInMount(vfs, rest, { followFinal });

  const ops: Record<string, (args: unknown[]) => unknown> = {
    'fs.readFile'([path]) {
      const { vfs, rest } = locate('readFile', path);
      const file = vfs.open(resolve(vfs, rest), { read: true, write: false });
      try {
        const size = file.size();
        if (size > readCap) refuse({ name: 'Error', code: 'EFBIG', message: `EFBIG: readFile ${path}: ${size} bytes, over ${readCap}` });
        const buf = new Uint8Array(size);
        let at = 0;
        while (at < size) {
          const n = file.read(buf.subarray(at), at);
          if (n <= 0) break;
          at += n;
        }
        readBytes += at;
        return fromUtf8(buf.subarray(0, at)) ?? new TextDecoder().decode(buf.subarray(0, at));
      } finally {
        file.close();
      }
    },
    'fs.writeFile'([path, text]) {
      const { vfs, rest } = locate('writeFile', path);
      const data = new TextEncoder().encode(textArg('writeFile', text));
      const file = vfs.open(resolve(vfs, rest), { read: false, write: true, create: true, truncate: true });
      try {
        file.write(data, 0);
      } finally {
        file.close();
      }
      return null;
    },
    'fs.appendFile'([path, text]) {
      const { vfs, rest } = locate('appendFile', path);
      const data = new TextEncoder().encode(textArg('appendFile', text));
      const file = vfs.open(resolve(vfs, rest), { read: false, write: true, create: true });
      try {
        file.write(data, file.size());
      } finally {
        file.close();
      }
      return null;
    },
    'fs.readdir'([path]) {
      const { vfs, rest } = locate('readdir', path);
      return vfs.readdir(resolve(vfs, rest)).map((d) => ({ name: d.name, type: d.type }));
    },
    'fs.stat'([path]) {
      const { vfs, rest } = locate('stat', path);
      const st = vfs.lstat(resolve(vfs, rest));
      return { type: st.type, size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
    },
    'fs.mkdir'([path, options]) {
      const { vfs, rest } = locate('mkdir', path);
      const recursive =
        options === true || (typeof options === 'object' && options !== null && (options as { recursive?: unknown }).recursive === true);
      if (!recursive) {
        vfs.mkdir(resolve(vfs, rest));
        return null;
      }
      // Each prefix through the resolver, so a `..` or a symlink in any of them is judged the same way.
      const parts = rest.split('/').filter((c) => c !== '' && c !== '.');
      for (let i = 1; i <= parts.length; i++) {
        const at = resolve(vfs, parts.slice(0, i).join('/'));
        try {
          vfs.mkdir(at);
        } catch (e) {
          if (!(e instanceof VfsError && e.code === 'EEXIST') || vfs.lstat(at).type !== 'dir') throw e;
        }
      }
      return null;
    },
    'fs.unlink'([path]) {
      const { vfs, rest } = locate('unlink', path);
      vfs.unlink(resolve(vfs, rest, false));
      return null;
    },
  };

  const callTool = request.callTool;
  const toolCall = async ([name, input]: unknown[]): Promise<unknown> => {
    if (!callTool) return refuse({ name: 'Error', code: 'ENOTCAPABLE', message: 'tools.call is not available here' });
    const result: CallResult = await callTool(String(name), input);
    if (result.status === 'ok') return result.output ?? null;
    const message =
      result.status === 'denied'
        ? `tool "${String(name)}" was denied: ${result.decision.reason}`
        : `tool "${String(name)}" ${result.status === 'limit' ? `hit its ${result.limit ?? ''} limit` : 'failed'}: ${result.error?.message ?? ''}`;
    return refuse({
      name: 'ToolCallError',
      message,
      status: result.status,
      callId: result.id,
      ...(result.error ? { code: result.error.code } : {}),
      ...(result.limit ? { limit: result.limit } : {}),
    });
  };

  const bridge: Bridge = async (op, argsJson) => {
    let path = '';
    try {
      if (argsJson.length > MAX_ARGS) refuse({ name: 'RangeError', message: `${op}: arguments over ${MAX_ARGS} characters` });
      const args = JSON.parse(argsJson) as unknown;
      if (!Array.isArray(args)) refuse({ name: 'TypeError', message: `${op}: bad arguments` });
      if (typeof (args as unknown[])[0] === 'string') path = (args as string[])[0]!.slice(0, 4096);
      let value: unknown;
      if (op === 'tools.call') value = await toolCall(args as unknown[]);
      else if (op === 'fetch') value = await net.fetch((args as unknown[])[0]);
      else {
        const fn = Object.hasOwn(ops, op) ? ops[op] : undefined;
        if (!fn) refuse({ name: 'TypeError', message: `unknown host operation ${JSON.stringify(op).slice(0, 80)}` });
        value = fn!(args as unknown[]);
      }
      return JSON.stringify({ ok: true, value: value ?? null });
    } catch (e) {
      return JSON.stringify({ ok: false, error: guestError(op, path, e, denials) });
    }
  };

  return { bridge, denials, quota, readBytes: () => readBytes, egress: net.records };
}

/**
 * A host exception as a name and a message, recording refusals (an escape
 * attempt, a write to a read-only mount, a quota) with the guest's path;
 * never the exception itself, and never a host path.
 */
function guestError(op: string, path: string, e: unknown, denials: DenialLog): GuestError {
  if (e instanceof Refused) return e.guest;
  if (e instanceof FetchRefused) return { name: 'TypeError', message: e.message, code: e.code, ...(e.limit ? { limit: e.limit } : {}) };
  const what = op.replace(/^fs\./, '');
  if (e instanceof PathDenied) {
    denials.record(what, path, e.errno);
    return { name: 'Error', code: e.errno, message: `${e.errno}: ${what} ${path}: ${e.reason}` };
  }
  if (e instanceof VfsError) {
    if ((DENIAL_ERRNOS as ReadonlySet<string>).has(e.code)) denials.record(what, path, e.code);
    return { name: 'Error', code: e.code, message: `${e.code}: ${what} ${path}` };
  }
  return { name: 'Error', message: `${op} failed` };
}
