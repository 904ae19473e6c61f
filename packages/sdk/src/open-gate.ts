/**
 * openGate: the library's front door. It wires a policy file, a tool
 * directory, the engines and a durable audit log onto one Host, so that an
 * embedder writes five lines, not fifty. Host-neutral: everything it touches
 * on the machine goes through `host` (runtimes/node and runtimes/deno pass
 * theirs; a browser passes one with memory volumes and storage).
 */

import { openAuditLog } from '@airlock/audit';
import { AirlockError, type AuditSink, type Engine, Gate, type Host, ToolDirectory, type ToolRegistry, type Vfs } from '@airlock/core';
import { type ComponentEngineOptions, createComponentEngine, type TranspileCache } from '@airlock/engine-component';
import { createQuickJsEngine } from '@airlock/engine-quickjs';
import { createWasip1Engine } from '@airlock/engine-wasip1';
import { type CompiledPolicy, denyAllPolicy, loadPolicy } from '@airlock/policy';
import { directoryTranspileCache } from './transpile-cache.js';

export const DEFAULT_AUDIT_PATH = '.airlock/audit.log';
export const DEFAULT_POLICY_FILE = 'airlock.policy.yaml';

export interface OpenGateOptions {
  readonly host: Host;
  /** A policy file path; absent: every call is denied. */
  readonly policy?: string;
  /** A tool directory (`<dir>/<name>/manifest.json`) or a registry. */
  readonly tools: string | ToolRegistry;
  /** An audit log path (durable, group commit) or a sink; default `.airlock/audit.log`. */
  readonly audit?: string | AuditSink;
  /**
   * Engines to run tools on; default: WASI preview1, components (jco, with
   * `transpileCache`; wasi:http components in `host.workers`) and QuickJS
   * (`js`, in `host.workers` when there are any). Default engines are closed
   * with the gate; engines passed here are the caller's to close.
   */
  readonly engines?: readonly Engine[];
  /**
   * Where transpiled components are kept across processes: a directory
   * (through `host.fs`, created by the caller) or a cache. Default: none
   * (transpiled once per process).
   */
  readonly transpileCache?: string | TranspileCache;
  /** Progress of long operations (component transpiles), for a terminal line. */
  readonly progress?: ComponentEngineOptions['progress'];
  /** Override or add volumes (e.g. in-memory ones), by policy volume name. */
  readonly volumes?: Readonly<Record<string, Vfs>>;
}

export interface OpenedGate {
  readonly gate: Gate;
  readonly policy: CompiledPolicy;
  readonly audit: AuditSink;
  /** What recovery did when the audit log was opened, if anything. */
  readonly recovered: unknown;
  close(): Promise<void>;
}

export function readPolicy(host: Host, file: string): CompiledPolicy {
  const fs = requireFs(host);
  if (!fs.exists(file)) throw new AirlockError('POLICY_INVALID', `policy file ${file} does not exist`, { details: { file } });
  const text = new TextDecoder().decode(fs.readFile(file));
  return loadPolicy(text, { file, resolvePath: (base: string, p: string) => fs.resolve(base, p), baseDir: fs.dirname(file) });
}

export async function openGate(options: OpenGateOptions): Promise<OpenedGate> {
  const { host } = options;
  const policy = options.policy === undefined ? denyAllPolicy() : readPolicy(host, options.policy);
  const tools = typeof options.tools === 'string' ? new ToolDirectory(requireFs(host), host.crypto, options.tools) : options.tools;
  let audit: AuditSink;
  let recovered: unknown;
  if (typeof options.audit === 'object') audit = options.audit;
  else {
    const sink = await openAuditLog(host, options.audit ?? DEFAULT_AUDIT_PATH);
    audit = sink;
    recovered = sink.recovered;
  }
  const volumes = new Map<string, Vfs>(Object.entries(options.volumes ?? {}));
  const volume = (name: string): Vfs | undefined => {
    let v = volumes.get(name);
    if (v) return v;
    const spec = policy.volumes[name];
    if (!spec || !host.fs) return undefined;
    try {
      v = host.fs.root(spec.path);
    } catch {
      return undefined;
    }
    volumes.set(name, v);
    return v;
  };
  const owned = options.engines === undefined ? defaultEngines(host, options.transpileCache, options.progress) : undefined;
  const engines = options.engines ?? owned?.engines ?? [];
  const gate = new Gate({ policy, tools, engines, audit, host, volume });
  return {
    gate,
    policy,
    audit,
    recovered,
    close: async () => {
      await gate.close();
      await owned?.close();
    },
  };
}

/** Every engine this package knows, wired to the host; and how to stop their workers. */
export function defaultEngines(
  host: Host,
  transpileCache?: string | TranspileCache,
  progress?: ComponentEngineOptions['progress'],
): { engines: Engine[]; close(): Promise<void> } {
  const workers = host.workers ? { workers: host.workers } : {};
  const cache = typeof transpileCache === 'string' ? directoryTranspileCache(host, transpileCache) : transpileCache;
  const component = createComponentEngine({ ...workers, ...(cache ? { cache } : {}), ...(progress ? { progress } : {}) });
  const quickjs = createQuickJsEngine(workers);
  return {
    engines: [createWasip1Engine(), component, quickjs],
    close: async () => {
      await Promise.all([component.close(), quickjs.close()]);
    },
  };
}

function requireFs(host: Host) {
  if (!host.fs)
    throw new AirlockError('HOST_UNSUPPORTED', `the ${host.name} host has no file system; pass a ToolRegistry and an AuditSink`);
  return host.fs;
}
