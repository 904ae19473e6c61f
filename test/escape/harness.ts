/**
 * A gate for the JavaScript escape corpus: a real policy, the `js` snippet
 * tool and a JS tool on the QuickJS engine (in the host's workers), memory
 * volumes, and an audit sink whose entries the cases can read.
 */
import { MemoryAuditSink } from '@airlock/audit';
import {
  type AuditEntry,
  type AuditRecord,
  type AuditSink,
  type CallResult,
  Gate,
  type Host,
  StaticRegistry,
  toHex,
  utf8,
} from '@airlock/core';
import { createQuickJsEngine, type QuickJsEngine, snippetTool } from '@airlock/engine-quickjs';
import { loadPolicy } from '@airlock/policy';
import { MemoryVfs } from '@airlock/wasi';

export const WALL_MS = 500;
export const MEMORY_BYTES = 32 * 1024 * 1024;
/**
 * Fuel for agent `agent`: far more than QuickJS burns in WALL_MS (~8 × 10⁹ a
 * second here), so the wall-time cases end on wall time, not fuel.
 */
export const LARGE_FUEL = 100_000_000_000;
/** Agent `frugal`: little fuel, a long wall time, so fuel is what stops it. */
export const FRUGAL_FUEL = 50_000_000;
export const FRUGAL_WALL_MS = 20_000;

/**
 * Net grants for the fetch cases, against a loopback server on `port`: the
 * `/api/` prefix with a secret header (allowPrivate), and `localhost`
 * without allowPrivate (so it must be refused after resolution).
 */
export interface EscapeNet {
  readonly port: number;
  /** The environment variable Host.secrets reads the API token from. */
  readonly secretEnv: string;
}

const policyText = (net?: EscapeNet) => `
version: 1
${net ? `secrets:\n  API_TOKEN: { env: ${net.secretEnv} }` : ''}
volumes:
  work: { path: /unused/work }
  docs: { path: /unused/docs }
rules:
  - id: agent-snippets
    effect: allow
    agent: agent
    tool: [js, echo]
    grants:
      fs:
        - { mount: /work, volume: work, access: read-write }
        - { mount: /docs, volume: docs, access: read }
      env: { GREETING: hello }
${
  net
    ? `      net:
        - url: "http://127.0.0.1:${net.port}/api/*"
          methods: [GET, POST]
          headers: { Authorization: "Bearer {{secret:API_TOKEN}}" }
          allowPrivate: true
        - { url: "http://localhost:${net.port}/*", methods: [GET] }`
    : ''
}
    limits: { wallMs: ${WALL_MS}, fuel: ${LARGE_FUEL}, memoryBytes: ${MEMORY_BYTES}, stderrBytes: 4096, outputBytes: 65536, fsWriteBytes: 65536 }
  - id: frugal-snippets
    effect: allow
    agent: frugal
    tool: js
    limits: { wallMs: ${FRUGAL_WALL_MS}, fuel: ${FRUGAL_FUEL}, memoryBytes: ${MEMORY_BYTES} }
`;

class CollectingSink implements AuditSink {
  readonly entries: AuditEntry[] = [];
  constructor(readonly inner: AuditSink) {}
  append(entry: AuditEntry): Promise<AuditRecord> {
    this.entries.push(entry);
    return this.inner.append(entry);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface EscapeGate {
  readonly gate: Gate;
  readonly engine: QuickJsEngine;
  readonly audit: CollectingSink;
  readonly work: MemoryVfs;
  readonly docs: MemoryVfs;
  /** Run a snippet as `agent` (granted) in session `s`. */
  evalJs(code: string, input?: unknown): Promise<CallResult>;
  /** The audit outcome of call `id`. */
  outcome(id: string): AuditEntry | undefined;
  close(): Promise<void>;
}

export function openEscapeGate(host: Host, net?: EscapeNet): EscapeGate {
  const work = new MemoryVfs();
  const docs = new MemoryVfs();
  const f = docs.open(['readme.txt'], { read: true, write: true, create: true });
  f.write(utf8('public notes'), 0);
  f.close();
  const policy = loadPolicy(policyText(net), { file: 'escape.policy.yaml' });
  const js = snippetTool({
    sha256: host.crypto.sha256,
    capabilities: {
      fs: [
        { mount: '/work', access: 'read-write' },
        { mount: '/docs', access: 'read' },
      ],
      env: ['GREETING'],
      ...(net
        ? {
            net: [
              { url: `http://127.0.0.1:${net.port}/api/*`, methods: ['GET', 'POST'] },
              { url: `http://localhost:${net.port}/*`, methods: ['GET'] },
            ],
          }
        : {}),
    },
  });
  const echoSource = utf8('export default { echoed: input };');
  const echo = {
    manifest: { ...js.manifest, name: 'echo', artifact: 'echo.js', inputSchema: true, capabilities: {} },
    artifact: echoSource,
    digest: toHex(host.crypto.sha256(echoSource)),
  };
  // `secret` exists but no rule grants it to anyone.
  const secretSource = utf8('export default "the secret";');
  const secret = {
    manifest: { ...echo.manifest, name: 'secret', artifact: 'secret.js' },
    artifact: secretSource,
    digest: toHex(host.crypto.sha256(secretSource)),
  };
  const engine = createQuickJsEngine(host.workers ? { workers: host.workers } : {});
  const audit = new CollectingSink(new MemoryAuditSink(host.crypto));
  const volumes: Record<string, MemoryVfs> = { work, docs };
  const gate = new Gate({
    policy,
    tools: new StaticRegistry([js, echo, secret]),
    engines: [engine],
    audit,
    host,
    volume: (name) => volumes[name],
  });
  return {
    gate,
    engine,
    audit,
    work,
    docs,
    evalJs: (code, input) => gate.eval({ agent: 'agent', session: 's', code, ...(input === undefined ? {} : { input }) }),
    outcome: (id) => audit.entries.find((e) => e.kind === 'outcome' && e.callId === id),
    close: async () => {
      await gate.close();
      await engine.close();
    },
  };
}
