/**
 * The WASI 0.2 host for one component instance: every interface a tool may
 * be granted (wit/tool.wit, world `grantable`), built from one call's
 * grants and nothing else. Deny by default (STYLE.md §4):
 *
 *   wasi:cli/environment   exactly the granted env; argv = [tool, ...args]; no cwd
 *   wasi:cli/stdin         the call's input bytes
 *   wasi:cli/stdout        captured, capped at outputBytes (over → limit `output`)
 *   wasi:cli/stderr        captured, capped at stderrBytes (rest dropped)
 *   wasi:cli/terminal-*    not a terminal
 *   wasi:cli/exit          ends the run with that status
 *   wasi:filesystem        one preopen per granted mount, over its Vfs
 *   wasi:clocks            1 ms precision (no finer timer for side channels)
 *   wasi:random            crypto.getRandomValues
 *   wasi:io                in-memory streams, always-ready pollables
 *   wasi:http              preview2/http.ts, through egress, in a worker (http-runner.ts)
 *
 * Nothing comes from preview2-shim: its defaults reach the host process.
 * The keys are unversioned (`wasi:cli/environment`), as jco's generated
 * code reads them.
 */
import { CLOCK_RESOLUTION_NS } from '@airlock/wasi';
import type { CallContext } from './call-context.js';
import { Descriptor, DirectoryEntryStream, filesystemErrorCode, type MountView, preopenDescriptors } from './filesystem.js';
import { InputStream, IoError, OutputStream, Pollable, poll, rethrow } from './io.js';

/** Thrown by `wasi:cli/exit.exit`: unwinds the guest; the engine reads the status. */
export class ExitSignal extends Error {
  override readonly name = 'ExitSignal';
  readonly code: number;
  constructor(code: number) {
    // Every command ends this way: no stack trace (capturing one through
    // the guest's Wasm frames was ~25 µs, a sixth of a word-count run).
    const limit = (Error as { stackTraceLimit?: number }).stackTraceLimit;
    (Error as { stackTraceLimit?: number }).stackTraceLimit = 0;
    super(`exit(${code})`);
    (Error as { stackTraceLimit?: number }).stackTraceLimit = limit;
    this.code = code;
  }
}

export interface HostGrants {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  readonly mounts: readonly MountView[];
  /** Wall-clock ms since the epoch. */
  readonly realtime: () => number;
}

/** Every interface name we provide, unversioned. A component importing anything else does not load. */
export const PROVIDED_INTERFACES: ReadonlySet<string> = new Set([
  'wasi:io/error',
  'wasi:io/poll',
  'wasi:io/streams',
  'wasi:clocks/monotonic-clock',
  'wasi:clocks/wall-clock',
  'wasi:random/random',
  'wasi:random/insecure',
  'wasi:random/insecure-seed',
  'wasi:filesystem/types',
  'wasi:filesystem/preopens',
  'wasi:cli/environment',
  'wasi:cli/exit',
  'wasi:cli/stdin',
  'wasi:cli/stdout',
  'wasi:cli/stderr',
  'wasi:cli/terminal-input',
  'wasi:cli/terminal-output',
  'wasi:cli/terminal-stdin',
  'wasi:cli/terminal-stdout',
  'wasi:cli/terminal-stderr',
  // Provided by preview2/http.ts, in a worker (http-runner.ts).
  'wasi:http/types',
  'wasi:http/outgoing-handler',
]);

class TerminalInput {}
class TerminalOutput {}

const RESOLUTION: bigint = CLOCK_RESOLUTION_NS;
const coarse = (ns: bigint): bigint => ns - (ns % RESOLUTION);

interface Crypto {
  getRandomValues<T extends Uint8Array>(array: T): T;
}
const crypto = (globalThis as unknown as { crypto: Crypto }).crypto;

function randomBytes(len: bigint): Uint8Array {
  const n = Number(len > 1n << 20n ? 1n << 20n : len);
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
  return out;
}
const randomU64 = (): bigint => new DataView(randomBytes(8n).buffer).getBigUint64(0, true);

/** The import object for one instance, keyed by unversioned interface name. */
export function buildImports(ctx: CallContext, grants: HostGrants): Record<string, Record<string, unknown>> {
  const guard = ctx.guard;
  // A new stream object per get-* call (the glue may have dropped the last
  // one); stdin's read position is shared by all of them.
  let stdinAt = 0;
  const pullStdin = (n: number): Uint8Array | null => {
    if (stdinAt >= grants.stdin.length) return null;
    const chunk = grants.stdin.subarray(stdinAt, stdinAt + n);
    stdinAt += chunk.length;
    return chunk;
  };
  const pushStdout = (d: Uint8Array): void => ctx.stdout.write(d);
  const pushStderr = (d: Uint8Array): void => ctx.stderr.write(d);
  const env = Object.entries(grants.env);
  const args = [...grants.args];
  const preopens = preopenDescriptors(ctx, grants.mounts);
  const monotonicNow = (): bigint => coarse(BigInt(Math.round(guard.clock.monotonic() * 1e6)));

  return {
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
    'wasi:clocks/monotonic-clock': {
      now: monotonicNow,
      resolution: () => RESOLUTION,
      subscribeInstant: () => new Pollable(),
      subscribeDuration: () => new Pollable(),
    },
    'wasi:clocks/wall-clock': {
      now: () => {
        const ms = Math.floor(grants.realtime());
        return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: Number(CLOCK_RESOLUTION_NS) }),
    },
    'wasi:random/random': { getRandomBytes: randomBytes, getRandomU64: randomU64 },
    'wasi:random/insecure': { getInsecureRandomBytes: randomBytes, getInsecureRandomU64: randomU64 },
    'wasi:random/insecure-seed': { insecureSeed: () => [randomU64(), randomU64()] },
    'wasi:filesystem/types': { Descriptor, DirectoryEntryStream, filesystemErrorCode },
    'wasi:filesystem/preopens': { getDirectories: () => preopens },
    'wasi:cli/environment': {
      getEnvironment: () => env,
      getArguments: () => args,
      initialCwd: () => undefined,
    },
    'wasi:cli/exit': {
      exit: (status: { tag: 'ok' | 'err' }) => {
        throw new ExitSignal(status.tag === 'ok' ? 0 : 1);
      },
      exitWithCode: (code: number) => {
        throw new ExitSignal(code);
      },
    },
    'wasi:cli/stdin': { getStdin: () => new InputStream(guard, pullStdin, rethrow) },
    'wasi:cli/stdout': { getStdout: () => new OutputStream(guard, pushStdout, rethrow) },
    'wasi:cli/stderr': { getStderr: () => new OutputStream(guard, pushStderr, rethrow) },
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
  };
}
