/**
 * The conformance suite: the same calls, decisions, audit records and escape
 * attempts on every runtime. A runtime is done when this passes on it
 * (STYLE.md §3). Host-neutral: it uses only the Host it is given plus a few
 * helpers to lay out a test world on disk (`ConformanceEnv`), and throws
 * plain Errors, so Node's runner and Deno's both drive it.
 *
 * Each escape case names its attack and expects two things: the guest is
 * refused (an errno, a denial, or a limit) and the audit log records it.
 */
import { readAuditLog, verifyAuditLog } from '@airlock/audit';
import {
  type AuditRecord,
  type CallResult,
  type EgressRecord,
  type Host,
  parseManifest,
  StaticRegistry,
  type Tool,
  toHex,
} from '@airlock/core';
import { openGate } from '@airlock/sdk';
import wabtInit from 'wabt';

/** A request as a test server saw it (header names lowercase). */
export interface ServerRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}
export interface ServerResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}
/** A local HTTP server a case starts (on 127.0.0.1, port 0) for the egress cases. */
export interface TestServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** Every request it received, in order. */
  readonly requests: ServerRequest[];
  close(): Promise<void>;
}

export interface ConformanceEnv {
  readonly host: Host;
  /** Start an HTTP server on 127.0.0.1, port 0, answering with `handler`. */
  startServer(handler: (req: ServerRequest) => ServerResponse): Promise<TestServer>;
  /**
   * The bytes of a JavaScript example component (componentize-js, ~14 MB,
   * never committed), built once per cache by examples/components/build.mjs.
   */
  jsComponent(name: 'http-get'): Promise<Uint8Array>;
  /** Absolute path of the repository (for examples/tools). */
  readonly repoRoot: string;
  tempDir(): string;
  join(...parts: string[]): string;
  mkdir(path: string): void;
  writeFile(path: string, text: string): void;
  readFile(path: string): string | undefined;
  readBytes(path: string): Uint8Array;
  symlink(target: string, path: string): void;
  list(path: string): string[];
  /**
   * Rewrite test/conformance/expected-audit.json from this run instead of
   * comparing against it (AIRLOCK_UPDATE_GOLDEN=1 on Node).
   */
  readonly updateGolden?: boolean;
}

export interface ConformanceCase {
  readonly name: string;
  run(): Promise<void>;
}

class Failure extends Error {}
function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Failure(message);
}
/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}
function equal(actual: unknown, expected: unknown, what: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  check(a === e, `${what}: expected ${e}, got ${a}`);
}

const SECRET = 'TOP-SECRET-outside-the-mount';
/** The egress cases' secret, injected by the host; the guest must never see it. */
const EGRESS_SECRET = 'sk-conformance-egress-secret';
/** A response over the default 1 MiB egress cap (DEFAULT_LIMITS.netResponseBytes; the policy here sets none). */
const EGRESS_BIG = 2 * 1024 * 1024;

interface EgressServers {
  readonly main: TestServer;
  readonly other: TestServer;
  /** `http://localhost:<main's port>`: granted, but without allowPrivate. */
  readonly localhost: string;
}

/** The probe fixture, with a manifest that asks for more than the policy gives. */
const PROBE_MANIFEST = {
  name: 'probe',
  engine: 'wasip1',
  artifact: 'probe.wasm',
  inputSchema: { type: 'object', required: ['op'] },
  capabilities: {
    fs: [
      { mount: '/workspace', access: 'read-write' },
      { mount: '/scratch', access: 'read-write' },
    ],
    env: ['LANG', 'HOME', 'SECRET_TOKEN'],
  },
};

interface World {
  readonly dir: string;
  readonly outside: string;
  readonly workspace: string;
  readonly scratch: string;
  readonly auditPath: string;
  call(tool: string, input: unknown, opts?: { raw?: string; session?: string }): Promise<CallResult>;
  records(): AuditRecord[];
  close(): Promise<void>;
}

/** More rules (YAML list items, appended to the policy) and tools for one group of cases. */
interface WorldExtra {
  readonly rules: string;
  readonly tools: Tool[];
  /** Top-level policy text (e.g. `secrets:`), before `rules:`. */
  readonly head?: string;
  /** The host the gate runs on, when not env.host (e.g. with test secrets). */
  readonly host?: Host;
}

async function makeWorld(env: ConformanceEnv, extra?: WorldExtra): Promise<World> {
  const dir = env.tempDir();
  const workspace = env.join(dir, 'workspace');
  const scratch = env.join(dir, 'scratch');
  const outside = env.join(dir, 'outside');
  for (const d of [workspace, scratch, outside, env.join(workspace, 'sub')]) env.mkdir(d);
  env.writeFile(env.join(outside, 'secret.txt'), SECRET);
  env.writeFile(env.join(workspace, 'notes.txt'), 'hello from the workspace\nTODO: ship it\n');
  env.writeFile(env.join(scratch, 'a.txt'), 'scratch file');
  env.symlink('../outside/secret.txt', env.join(workspace, 'link-file'));
  env.symlink(outside, env.join(workspace, 'link-dir'));
  env.symlink('notes.txt', env.join(workspace, 'inner-link'));
  const policy = env.join(dir, 'policy.yaml');
  env.writeFile(
    policy,
    `version: 1
volumes:
  workspace: { path: ${JSON.stringify(workspace)} }
  scratch: { path: ${JSON.stringify(scratch)} }
${extra?.head ?? ''}rules:
  - id: grep-in-workspace
    effect: allow
    agent: tester
    tool: grep
    when:
      input.path: { inside: /workspace }
    grants:
      fs: [{ mount: /workspace, volume: workspace, access: read }]
  - id: probe-sandbox
    effect: allow
    agent: tester
    tool: probe
    grants:
      fs:
        - { mount: /workspace, volume: workspace, access: read }
        - { mount: /scratch, volume: scratch, access: read-write }
      env: { LANG: C.UTF-8 }
    limits: { outputBytes: 65536 }
${extra?.rules ?? ''}`,
  );
  const fs = env.host.fs!;
  const toolsDir = env.join(env.repoRoot, 'examples', 'tools');
  const load = (name: string, manifestText?: string): Tool => {
    const manifest = parseManifest(manifestText ?? new TextDecoder().decode(fs.readFile(env.join(toolsDir, name, 'manifest.json'))));
    const artifact = fs.readFile(env.join(toolsDir, name, manifest.artifact));
    return { manifest, artifact, digest: toHex(env.host.crypto.sha256(artifact)) };
  };
  const tools = new StaticRegistry([load('grep'), load('probe', JSON.stringify(PROBE_MANIFEST)), ...(extra?.tools ?? [])]);
  const auditPath = env.join(dir, 'audit.log');
  const opened = await openGate({ host: extra?.host ?? env.host, policy, tools, audit: auditPath });
  let n = 0;
  return {
    dir,
    outside,
    workspace,
    scratch,
    auditPath,
    call: (tool, input, opts) =>
      opened.gate.call({
        agent: 'tester',
        session: opts?.session ?? `s${n++}`,
        tool,
        input: opts?.raw ?? input,
        ...(opts?.raw ? { inputIsText: true } : {}),
      }),
    records: () => readAuditLog(env.readBytes(auditPath)),
    close: () => opened.close(),
  };
}

/** Both records of a call, and a verifying log. */
function auditedCall(env: ConformanceEnv, w: World, r: CallResult): { decision: AuditRecord; outcome: AuditRecord } {
  const report = verifyAuditLog(env.readBytes(w.auditPath), env.host.crypto);
  check(report.ok, `audit log must verify: ${JSON.stringify(report.firstBad)}`);
  const mine = w.records().filter((x) => x.callId === r.id);
  equal(
    mine.map((x) => x.kind),
    ['decision', 'outcome'],
    `audit records of call ${r.id}`,
  );
  return { decision: mine[0]!, outcome: mine[1]! };
}

interface ProbeOutput {
  ok: boolean;
  errno?: number;
  error?: string;
  data?: string;
}

/** Run the probe; expect the guest to have been refused, and the refusal audited. */
async function expectRefused(
  env: ConformanceEnv,
  w: World,
  input: Record<string, unknown>,
  opts: { hostDenial?: boolean; tool?: string } = {},
): Promise<CallResult> {
  const r = await w.call(opts.tool ?? 'probe', input);
  check(
    r.status === 'error' && r.error?.code === 'TOOL_FAILED',
    `probe ${JSON.stringify(input)} must fail inside the guest, got ${r.status} ${JSON.stringify(r.error)}`,
  );
  const out = r.output as ProbeOutput | undefined;
  check(
    out && out.ok === false && typeof out.errno === 'number' && out.errno !== 0,
    `the guest must see an errno, got ${JSON.stringify(r.output)}`,
  );
  check(!out.data?.includes(SECRET), 'the secret must never reach the guest');
  const { outcome } = auditedCall(env, w, r);
  equal(outcome.outcome?.status, 'error', 'audited outcome status');
  if (opts.hostDenial !== false) {
    check((outcome.outcome?.denials?.length ?? 0) > 0, `the audit outcome must list the file-system denial for ${JSON.stringify(input)}`);
  }
  return r;
}

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

/** A wasip1 tool from test/fixtures/wat/<name>.wat, assembled with wabt (the same on every runtime). */
async function watTool(env: ConformanceEnv, name: string): Promise<Tool> {
  wabt ??= await wabtInit();
  const source = env.readFile(env.join(env.repoRoot, 'test', 'fixtures', 'wat', `${name}.wat`));
  check(source !== undefined, `fixture ${name}.wat`);
  const module = wabt.parseWat(`${name}.wat`, source);
  const artifact = module.toBinary({}).buffer;
  module.destroy();
  const manifest = parseManifest(JSON.stringify({ name, engine: 'wasip1', artifact: `${name}.wasm`, inputSchema: true }));
  return { manifest, artifact, digest: toHex(env.host.crypto.sha256(artifact)) };
}

/** Fixtures that try to run forever or take all memory, and the limits they get. */
const METERED = ['compute', 'compute-loop', 'recurse', 'br-table-loop', 'call-indirect-loop', 'bulk', 'grow-bomb', 'memory-secret'];
const METER_FUEL = 1_000_000;
const METER_MEMORY = 4 * 1024 * 1024;
const METER_RULES = `  - id: runaway-fixtures
    effect: allow
    agent: tester
    tool: [${METERED.slice(1, 7).join(', ')}]
    limits: { fuel: ${METER_FUEL}, memoryBytes: ${METER_MEMORY} }
  - id: workload-fixtures
    effect: allow
    agent: tester
    tool: [compute, memory-secret]
    limits: { fuel: ${10 * METER_FUEL}, memoryBytes: ${METER_MEMORY} }
`;

/**
 * Component tools (issue 3): the preview1 probe made a WASI 0.2 command
 * component (the same C code, through jco's preview1 adapter and our
 * wasi:filesystem host), the typed call-counter, and the runaway command.
 */
const COMPONENT_PROBE = 'probe-component';
const COMPONENT_RULES = `  - id: probe-component-sandbox
    effect: allow
    agent: tester
    tool: ${COMPONENT_PROBE}
    grants:
      fs:
        - { mount: /workspace, volume: workspace, access: read }
        - { mount: /scratch, volume: scratch, access: read-write }
      env: { LANG: C.UTF-8 }
    limits: { outputBytes: 65536 }
  - id: call-counter
    effect: allow
    agent: tester
    tool: call-counter
  - id: runaway-component
    effect: allow
    agent: tester
    tool: runaway
    limits: { fuel: ${METER_FUEL}, memoryBytes: ${METER_MEMORY} }
`;

function componentTools(env: ConformanceEnv): Tool[] {
  const fs = env.host.fs!;
  const dir = env.join(env.repoRoot, 'examples', 'components');
  const load = (name: string, manifestText?: string): Tool => {
    const manifest = parseManifest(manifestText ?? new TextDecoder().decode(fs.readFile(env.join(dir, name, 'manifest.json'))));
    const artifact = fs.readFile(env.join(dir, name, `${name}.wasm`));
    return { manifest, artifact, digest: toHex(env.host.crypto.sha256(artifact)) };
  };
  return [
    load('probe', JSON.stringify({ ...PROBE_MANIFEST, name: COMPONENT_PROBE, engine: 'component' })),
    load('call-counter'),
    load('runaway'),
  ];
}

export function conformanceCases(env: ConformanceEnv): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const withWorld = (name: string, fn: (w: World) => Promise<void>, kind: boolean | 'component' = false) =>
    cases.push({
      name,
      run: async () => {
        const extra =
          kind === 'component'
            ? { rules: COMPONENT_RULES, tools: componentTools(env) }
            : kind
              ? { rules: METER_RULES, tools: await Promise.all(METERED.map((t) => watTool(env, t))) }
              : undefined;
        const w = await makeWorld(env, extra);
        try {
          await fn(w);
        } finally {
          await w.close();
        }
        compareWithGolden(env, name, w.records(), w.dir);
        // Whatever the case did, nothing outside the mounts changed.
        equal(env.list(w.outside), ['secret.txt'], 'files outside the mounts');
        equal(env.readFile(env.join(w.outside, 'secret.txt')), SECRET, 'the secret outside the mounts');
      },
    });

  withWorld('allowed: grep finds text inside its mount', async (w) => {
    const r = await w.call('grep', { path: '/workspace', pattern: 'TODO' });
    equal(r.status, 'ok', 'status');
    equal(r.decision.rule, 'grep-in-workspace', 'rule');
    const matches = (r.output as { matches: { file: string; line: number }[] }).matches;
    check(
      matches.some((m) => m.file.endsWith('notes.txt') && m.line === 2),
      `grep output ${JSON.stringify(r.output)}`,
    );
    const { decision, outcome } = auditedCall(env, w, r);
    equal(decision.decision?.effect, 'allow', 'audited effect');
    equal(decision.grants?.fs, [{ mount: '/workspace', volume: 'workspace', access: 'read' }], 'audited grants');
    equal(outcome.outcome?.status, 'ok', 'audited outcome');
    check(typeof outcome.resultDigest === 'string' && outcome.resultDigest.length === 64, 'result digest');
  });

  withWorld('allowed: a symlink inside the mount that stays inside is followed', async (w) => {
    const r = await w.call('probe', { op: 'read', path: '/workspace/inner-link' });
    equal(r.status, 'ok', `status (${JSON.stringify(r.output)})`);
    check((r.output as ProbeOutput).data?.includes('hello from the workspace'), 'content through the link');
  });

  withWorld('allowed: writes to a read-write mount land on the host', async (w) => {
    const r = await w.call('probe', { op: 'write', path: '/scratch/out.txt', text: 'written by the guest' });
    equal(r.status, 'ok', `status (${JSON.stringify(r.output)})`);
    equal(env.readFile(env.join(w.scratch, 'out.txt')), 'written by the guest', 'file on the host');
    auditedCall(env, w, r);
  });

  withWorld('policy: a path outside every mount is denied before anything runs', async (w) => {
    const r = await w.call('grep', { path: '/etc/passwd', pattern: 'root' });
    equal(r.status, 'denied', 'status');
    equal(r.decision.rule, null, 'the default deny decides');
    const { decision, outcome } = auditedCall(env, w, r);
    equal(decision.decision?.effect, 'deny', 'audited effect');
    equal(outcome.outcome?.status, 'denied', 'audited outcome');
  });

  withWorld('policy: `..` in the raw string does not fool the canonical inside check', async (w) => {
    const r = await w.call('grep', { path: '/workspace/../outside/secret.txt', pattern: 'SECRET' });
    equal(r.status, 'denied', 'status');
    auditedCall(env, w, r);
  });

  withWorld('policy: a NUL byte in a path is denied', async (w) => {
    const r = await w.call('grep', { path: '/workspace/notes.txt\u0000/../../outside', pattern: 'x' });
    equal(r.status, 'denied', 'status');
    auditedCall(env, w, r);
  });

  withWorld('policy: an agent without a rule is denied any tool', async (w) => {
    const r = await (async () => w.call('grep', { path: '/workspace', pattern: 'x' }))();
    equal(r.status, 'ok', 'control: tester may grep');
    const other = await openGateFor(env, w);
    try {
      const denied = await other.gate.call({ agent: 'intruder', session: 'x', tool: 'grep', input: { path: '/workspace', pattern: 'x' } });
      equal(denied.status, 'denied', 'intruder status');
    } finally {
      await other.close();
    }
  });

  /** The escape and env cases, for the preview1 probe and for the same probe as a component. */
  const probeCases = (tool: string, prefix: string, kind: boolean | 'component') => {
    const ww = (name: string, fn: (w: World) => Promise<void>) => withWorld(name, fn, kind);
    const dotdot = [
      '/workspace/../outside/secret.txt',
      '/workspace/sub/../../outside/secret.txt',
      '/workspace/./../outside/secret.txt',
      '/workspace/sub/./../../../outside/secret.txt',
      '/workspace//..//outside/secret.txt',
    ];
    for (const path of dotdot) {
      ww(`${prefix}escape: read through \`..\` (${path}) is refused and audited`, async (w) => {
        await expectRefused(env, w, { op: 'read', path }, { tool });
      });
    }

    ww(prefix + 'escape: an absolute path outside every mount is refused and audited', async (w) => {
      // wasi-libc finds no preopen for it and fails before asking the host.
      const r = await expectRefused(env, w, { op: 'read', path: `${w.outside}/secret.txt` }, { hostDenial: false, tool });
      check(r.output !== undefined, 'probe output');
    });
    ww(prefix + 'escape: a pre-existing file symlink pointing outside is refused and audited', async (w) => {
      await expectRefused(env, w, { op: 'read', path: '/workspace/link-file' }, { tool });
    });
    ww(prefix + 'escape: a directory symlink in the middle of a path is refused and audited', async (w) => {
      await expectRefused(env, w, { op: 'read', path: '/workspace/link-dir/secret.txt' }, { tool });
    });
    ww(prefix + 'escape: listing through a directory symlink is refused and audited', async (w) => {
      await expectRefused(env, w, { op: 'list', path: '/workspace/link-dir' }, { tool });
    });
    ww(prefix + 'escape: the guest cannot create a symlink, even inside a read-write mount', async (w) => {
      await expectRefused(env, w, { op: 'symlink', path: '/scratch/evil', to: w.outside }, { tool });
      await expectRefused(env, w, { op: 'symlink', path: '/scratch/evil2', to: '../outside' }, { tool });
      equal(env.list(w.scratch), ['a.txt'], 'scratch holds no link');
    });
    for (const op of ['write', 'create', 'truncate', 'mkdir', 'unlink'] as const) {
      ww(`${prefix}escape: ${op} on a read-only mount is refused and audited`, async (w) => {
        const path = op === 'create' || op === 'mkdir' ? '/workspace/new-entry' : '/workspace/notes.txt';
        await expectRefused(env, w, { op, path, text: 'pwned' }, { tool });
        equal(env.readFile(env.join(w.workspace, 'notes.txt')), 'hello from the workspace\nTODO: ship it\n', 'notes.txt unchanged');
        check(!env.list(w.workspace).includes('new-entry'), 'nothing created');
      });
    }
    ww(prefix + 'escape: rename from a read-only mount into a writable one is refused', async (w) => {
      await expectRefused(env, w, { op: 'rename', path: '/workspace/notes.txt', to: '/scratch/stolen.txt' }, { tool });
      check(env.list(w.workspace).includes('notes.txt'), 'notes.txt stays');
    });
    ww(prefix + 'escape: create through `..` from a read-write mount is refused', async (w) => {
      await expectRefused(env, w, { op: 'create', path: '/scratch/../outside/new.txt', text: 'x' }, { tool });
    });
    ww(prefix + 'escape: truncate through `..` from a read-write mount is refused', async (w) => {
      await expectRefused(env, w, { op: 'truncate', path: '/scratch/../outside/secret.txt' }, { tool });
    });
    ww(prefix + 'escape: rename out of a read-write mount through `..` is refused', async (w) => {
      await expectRefused(env, w, { op: 'rename', path: '/scratch/a.txt', to: '/scratch/../outside/a.txt' }, { tool });
      check(env.list(w.scratch).includes('a.txt'), 'a.txt stays');
    });
    ww(prefix + 'escape: a trailing slash on a file is refused', async (w) => {
      await expectRefused(env, w, { op: 'read', path: '/workspace/notes.txt/' }, { hostDenial: false, tool });
    });

    ww(prefix + 'env: the guest sees only granted variables', async (w) => {
      const lang = await w.call(tool, { op: 'env', name: 'LANG' });
      equal(lang.status, 'ok', 'LANG is granted');
      equal((lang.output as ProbeOutput).data, 'C.UTF-8', 'LANG value');
      for (const name of ['HOME', 'SECRET_TOKEN', 'PATH']) {
        const r = await w.call(tool, { op: 'env', name });
        check(r.status === 'error' && (r.output as ProbeOutput).ok === false, `${name} must be absent, got ${JSON.stringify(r.output)}`);
        const { decision } = auditedCall(env, w, r);
        equal(decision.grants?.env, { LANG: 'C.UTF-8' }, 'audited env grant');
      }
    });
  };
  probeCases('probe', '', false);
  probeCases(COMPONENT_PROBE, 'component: ', 'component');

  withWorld('limit: huge stdout stops the tool with an output limit, audited', async (w) => {
    const r = await w.call('probe', { op: 'print', bytes: 10_000_000 });
    equal(r.status, 'limit', `status (${JSON.stringify(r.error)})`);
    equal(r.limit, 'output', 'which limit');
    const { outcome } = auditedCall(env, w, r);
    equal(outcome.outcome?.status, 'limit', 'audited status');
    equal(outcome.outcome?.limit, 'output', 'audited limit');
  });

  withWorld('limit: a huge input is refused before it is parsed, audited', async (w) => {
    const raw = JSON.stringify({ op: 'read', path: 'x'.repeat(9 * 1024 * 1024) });
    const r = await w.call('probe', undefined, { raw });
    equal(r.status, 'error', 'status');
    equal(r.error?.code, 'INPUT_TOO_LARGE', 'code');
    const { decision } = auditedCall(env, w, r);
    equal(decision.decision?.effect, 'deny', 'audited effect');
  });

  withWorld('misuse: an unknown tool is an audited TOOL_NOT_FOUND', async (w) => {
    const r = await w.call('shell', { cmd: 'id' });
    equal(r.error?.code, 'TOOL_NOT_FOUND', 'code');
    auditedCall(env, w, r);
  });

  // Fuel and memory limits (issue 4): each runaway is stopped by its limit,
  // reported as such and audited; the fuel numbers are in the golden records,
  // so they must be identical on every runtime.
  const runaways: [string, string, unknown, 'fuel' | 'memory'][] = [
    ['an infinite loop', 'compute-loop', {}, 'fuel'],
    ['deep recursion', 'recurse', {}, 'fuel'],
    ['a br_table loop', 'br-table-loop', {}, 'fuel'],
    ['a call_indirect loop', 'call-indirect-loop', {}, 'fuel'],
    ['a huge memory.fill', 'bulk', 'f', 'fuel'],
    ['a huge memory.copy', 'bulk', 'c', 'fuel'],
    ['a memory.grow bomb', 'grow-bomb', {}, 'memory'],
  ];
  for (const [what, tool, input, limit] of runaways) {
    withWorld(
      `limit: ${what} is stopped by the ${limit} limit, audited`,
      async (w) => {
        const r = await w.call(tool, input);
        equal(r.status, 'limit', `status (${JSON.stringify(r.error)})`);
        equal(r.limit, limit, 'which limit');
        check(typeof r.usage.fuel === 'number', `fuel used is reported, got ${r.usage.fuel}`);
        if (limit === 'fuel') check(r.usage.fuel > METER_FUEL, `fuel used ${r.usage.fuel} passes the limit`);
        else equal(r.usage.peakMemoryBytes, METER_MEMORY, 'the memory stopped at its cap');
        const { outcome } = auditedCall(env, w, r);
        equal(outcome.outcome?.status, 'limit', 'audited status');
        equal(outcome.outcome?.limit, limit, 'audited limit');
        equal(outcome.usage?.fuel, r.usage.fuel, 'audited fuel');
      },
      true,
    );
  }

  withWorld(
    'fuel: a call that fits is ok and uses the same fuel on every runtime',
    async (w) => {
      const a = await w.call('compute', {});
      const b = await w.call('compute', {});
      equal(a.status, 'ok', `status (${JSON.stringify(a.error)})`);
      check(typeof a.output === 'string' && /^[0-9a-f]{8}$/.test(a.output), `output ${JSON.stringify(a.output)}`);
      check(typeof a.usage.fuel === 'number' && a.usage.fuel > 0 && a.usage.fuel <= 10 * METER_FUEL, `fuel ${a.usage.fuel}`);
      equal(b.usage.fuel, a.usage.fuel, 'fuel of the same call, twice');
      auditedCall(env, w, a);
    },
    true,
  );

  withWorld(
    'isolation: a call never sees the memory of the call before it',
    async (w) => {
      const write = await w.call('memory-secret', 'w');
      equal(write.status, 'error', 'the writer outputs nothing (not JSON)');
      for (let i = 0; i < 3; i++) {
        const scan = await w.call('memory-secret', 's');
        equal(scan.status, 'ok', `status (${JSON.stringify(scan.error)})`);
        equal(scan.output, 'clean 00000000', 'no byte of the previous call is visible');
      }
      const grow = await w.call('memory-secret', 'g');
      equal(grow.usage.peakMemoryBytes, 3 * 65536, 'the grower grew');
      equal((await w.call('memory-secret', 's')).output, 'clean 00000000', 'nor after a call that grew its memory');
    },
    true,
  );

  // Components (issue 3): the engine's own WASI 0.2 host, fuel and memory caps.
  withWorld(
    'component: the probe component reads a granted mount, audited',
    async (w) => {
      const r = await w.call(COMPONENT_PROBE, { op: 'read', path: '/workspace/notes.txt' });
      equal(r.status, 'ok', `status (${JSON.stringify(r.output)})`);
      check((r.output as ProbeOutput).data?.includes('TODO: ship it'), 'content of the granted file');
      check(typeof r.usage.fuel === 'number' && r.usage.fuel > 0, `fuel used is reported, got ${r.usage.fuel}`);
      const { decision, outcome } = auditedCall(env, w, r);
      equal(decision.decision?.rule, 'probe-component-sandbox', 'audited rule');
      equal(outcome.outcome?.status, 'ok', 'audited outcome');
      const write = await w.call(COMPONENT_PROBE, { op: 'write', path: '/scratch/out.txt', text: 'written by the component' });
      equal(write.status, 'ok', `write status (${JSON.stringify(write.output)})`);
      equal(env.readFile(env.join(w.scratch, 'out.txt')), 'written by the component', 'file on the host');
      auditedCall(env, w, write);
    },
    'component',
  );

  withWorld(
    'component: no ambient host file system (a host path is not there)',
    async (w) => {
      for (const path of ['/etc/passwd', '/', '/tmp']) {
        const r = await expectRefused(env, w, { op: path === '/' ? 'list' : 'read', path }, { hostDenial: false, tool: COMPONENT_PROBE });
        check(!(r.output as ProbeOutput).data?.includes('root:'), `nothing of the host through ${path}`);
      }
    },
    'component',
  );

  withWorld(
    'component: no clock precision beyond 1 ms',
    async (w) => {
      const r = await w.call('runaway', 'clock');
      equal(r.status, 'ok', `status (${JSON.stringify(r.error)})`);
      equal(r.output, { resolutionNs: 1_000_000, monoSubMs: 0, realSubMs: 0 }, 'clock resolution and sub-millisecond parts');
      auditedCall(env, w, r);
    },
    'component',
  );

  withWorld(
    'component isolation: two calls in one session do not see each other (call-counter)',
    async (w) => {
      for (let i = 0; i < 3; i++) {
        const r = await w.call('call-counter', 'same session', { session: 'one-session' });
        equal(r.status, 'ok', `status (${JSON.stringify(r.error)})`);
        equal(r.output, { calls: 1, inputBytes: 14 }, `call ${i + 1} counts only itself`);
        const { outcome } = auditedCall(env, w, r);
        equal(outcome.outcome?.status, 'ok', 'audited outcome');
        equal(outcome.session, 'one-session', 'audited session');
      }
    },
    'component',
  );

  // The same runaways as the preview1 ones above, in C through the preview1
  // adapter (examples/components/runaway): the stdin word picks the mode.
  const componentRunaways: [string, string, 'fuel' | 'memory'][] = [
    ['an infinite loop', 'loop', 'fuel'],
    ['deep recursion', 'recurse', 'fuel'],
    ['a br_table loop', 'switch', 'fuel'],
    ['a call_indirect loop', 'indirect', 'fuel'],
    ['a huge memory.fill', 'fill', 'fuel'],
    ['a huge memory.copy', 'copy', 'fuel'],
    ['a memory.grow bomb', 'grow', 'memory'],
  ];
  for (const [what, input, limit] of componentRunaways) {
    withWorld(
      `component limit: ${what} is stopped by the ${limit} limit, audited`,
      async (w) => {
        const r = await w.call('runaway', input);
        equal(r.status, 'limit', `status (${JSON.stringify(r.error)})`);
        equal(r.limit, limit, 'which limit');
        check(typeof r.usage.fuel === 'number', `fuel used is reported, got ${r.usage.fuel}`);
        if (limit === 'fuel') check(r.usage.fuel > METER_FUEL, `fuel used ${r.usage.fuel} passes the limit`);
        else equal(r.usage.peakMemoryBytes, METER_MEMORY, 'the memory stopped at its cap');
        const { outcome } = auditedCall(env, w, r);
        equal(outcome.outcome?.status, 'limit', 'audited status');
        equal(outcome.outcome?.limit, limit, 'audited limit');
        equal(outcome.usage?.fuel, r.usage.fuel, 'audited fuel');
      },
      'component',
    );
  }

  // Egress (issue 3): the JavaScript http-get component (componentize-js)
  // through wasi:http, against two servers on 127.0.0.1:0 started here.
  // `main` is granted (with allowPrivate, and an Authorization header made
  // from a secret); `other` is not; `localhost:<main port>` is granted
  // without allowPrivate. Each refusal: the guest gets `fetch-failed`, the
  // refused server sees nothing, and the call's audit outcome lists the
  // request with the reason.
  const withEgress = (name: string, fn: (w: World, s: EgressServers) => Promise<void>) =>
    cases.push({
      name,
      run: async () => {
        const main = await env.startServer((req): ServerResponse => {
          if (req.url === '/big') return { body: new Uint8Array(EGRESS_BIG) };
          if (req.url === '/to-other') return { status: 302, headers: { location: `${other.url}/landed` } };
          return {
            headers: {
              'content-type': 'text/plain',
              'x-auth-seen': req.headers.authorization === `Bearer ${EGRESS_SECRET}` ? 'yes' : 'no',
            },
            body: `hello ${req.url}`,
          };
        });
        const other = await env.startServer(() => ({ body: 'other' }));
        const servers: [string, string][] = [
          [main.url, '<main>'],
          [other.url, '<other>'],
          [main.url.replace('127.0.0.1', 'localhost'), '<main-by-name>'],
        ];
        let w: World | undefined;
        try {
          const artifact = await env.jsComponent('http-get');
          const localhost = main.url.replace('127.0.0.1', 'localhost');
          const manifest = parseManifest(
            JSON.stringify({
              name: 'http-get',
              engine: 'component',
              artifact: 'http-get.wasm',
              inputSchema: true,
              capabilities: { net: [{ url: `${main.url}/*` }, { url: `${other.url}/*` }, { url: `${localhost}/*` }] },
            }),
          );
          const tool: Tool = { manifest, artifact, digest: toHex(env.host.crypto.sha256(artifact)) };
          const rules = `  - id: http-get-egress
    effect: allow
    agent: tester
    tool: http-get
    grants:
      net:
        - url: "${main.url}/*"
          methods: [GET]
          allowPrivate: true
          headers: { authorization: "Bearer {{secret:CONF_TOKEN}}" }
        - { url: "${localhost}/*", methods: [GET] }
`;
          const head = 'secrets:\n  CONF_TOKEN: { env: AIRLOCK_CONFORMANCE_TOKEN }\n';
          // The secret comes from this host's secret source, whatever the runtime's own reads.
          const host: Host = {
            ...env.host,
            secrets: { read: (ref) => (ref.env === 'AIRLOCK_CONFORMANCE_TOKEN' ? EGRESS_SECRET : undefined) },
          };
          w = await makeWorld(env, { rules, tools: [tool], head, host });
          try {
            await fn(w, { main, other, localhost });
          } finally {
            await w.close();
          }
        } finally {
          await main.close();
          await other.close();
        }
        compareWithGolden(env, name, w!.records(), w!.dir, servers);
        equal(env.list(w!.outside), ['secret.txt'], 'files outside the mounts');
      },
    });

  /** A refused fetch: the guest's typed error, audited with its egress records. */
  const refusedFetch = async (w: World, url: string): Promise<EgressRecord[]> => {
    const r = await w.call('http-get', { url });
    check(
      r.status === 'error' && r.error?.code === 'TOOL_FAILED',
      `${url} must fail inside the guest, got ${r.status} ${JSON.stringify(r.error)}`,
    );
    check(JSON.stringify(r.error).includes('fetch-failed'), `the guest reports fetch-failed, got ${JSON.stringify(r.error)}`);
    check(!JSON.stringify(r).includes(EGRESS_SECRET), 'the secret never reaches the guest');
    const { outcome } = auditedCall(env, w, r);
    equal(outcome.outcome?.status, 'error', 'audited outcome status');
    const egress = outcome.outcome?.egress ?? [];
    check(
      egress.some((e) => e.decision === 'denied'),
      `the audit outcome lists a denied request, got ${JSON.stringify(outcome.outcome)}`,
    );
    return [...egress];
  };

  withEgress('egress: a granted host answers, and the request is audited', async (w, s) => {
    const r = await w.call('http-get', { url: `${s.main.url}/ok` });
    equal(r.status, 'ok', `status (${JSON.stringify(r.error)})`);
    const answer = r.output as { status: number; body: string };
    equal([answer.status, answer.body], [200, 'hello /ok'], 'status and body');
    const { outcome } = auditedCall(env, w, r);
    equal(
      outcome.outcome?.egress?.map((e) => [e.decision, e.hop, e.status]),
      [['allowed', 0, 200]],
      'audited egress',
    );
  });

  withEgress('egress: an ungranted host is denied and audited; its server sees nothing', async (w, s) => {
    const egress = await refusedFetch(w, `${s.other.url}/x`);
    equal(s.other.requests.length, 0, 'requests the ungranted server saw');
    check(/no grant/.test(egress[0]?.reason ?? ''), `reason ${JSON.stringify(egress[0])}`);
  });

  withEgress('egress: a redirect from a granted host to an ungranted one is denied and audited', async (w, s) => {
    const egress = await refusedFetch(w, `${s.main.url}/to-other`);
    equal(s.other.requests.length, 0, 'requests the ungranted server saw');
    equal(
      s.main.requests.map((q) => q.url),
      ['/to-other'],
      'the granted server saw the first hop',
    );
    equal(
      egress.map((e) => [e.decision, e.hop, e.status ?? null]),
      [
        ['allowed', 0, 302],
        ['denied', 1, null],
      ],
      'audited hops',
    );
    check(egress[1]!.url.startsWith(`${s.other.url}/landed`), `denied hop url ${egress[1]!.url}`);
  });

  withEgress('egress: a loopback address without allowPrivate is denied and audited', async (w, s) => {
    const egress = await refusedFetch(w, `${s.localhost}/private`);
    equal(s.main.requests.length, 0, 'requests the server saw');
    check(/not public/.test(egress[0]?.reason ?? ''), `reason ${JSON.stringify(egress[0])}`);
  });

  withEgress('egress: an oversized response is refused and audited with its limit', async (w, s) => {
    const egress = await refusedFetch(w, `${s.main.url}/big`);
    equal(s.main.requests.length, 1, 'the server was asked once');
    equal([egress[0]?.decision, egress[0]?.limit], ['denied', 'response-bytes'], 'audited decision and limit');
  });

  withEgress('egress: a granted secret reaches the server; the guest never sees it', async (w, s) => {
    const r = await w.call('http-get', { url: `${s.main.url}/secret`, headers: { authorization: 'Bearer guest-guess' } });
    equal(r.status, 'ok', `status (${JSON.stringify(r.error)})`);
    equal(s.main.requests[0]?.headers.authorization, `Bearer ${EGRESS_SECRET}`, 'the Authorization the server saw');
    const answer = r.output as { headers: Record<string, string> };
    equal(answer.headers['x-auth-seen'], 'yes', 'the server says it saw the secret');
    check(!JSON.stringify(r).includes(EGRESS_SECRET), 'the secret is nowhere in the call result');
    check(!new TextDecoder().decode(env.readBytes(w.auditPath)).includes(EGRESS_SECRET), 'the secret is nowhere in the audit log');
  });

  return cases;
}

/**
 * Every runtime must write the same audit records for the same calls, apart
 * from what cannot be the same: times, call ids, the chain hashes that cover
 * them, and durations. The expected records live in expected-audit.json.
 */
function normalise(r: AuditRecord): unknown {
  const { time: _t, callId: _c, prev: _p, ...rest } = r;
  if (!rest.usage) return rest;
  const { wallMs: _w, ...usage } = rest.usage;
  return { ...rest, usage };
}

function compareWithGolden(
  env: ConformanceEnv,
  name: string,
  records: readonly AuditRecord[],
  worldDir: string,
  servers: readonly [url: string, placeholder: string][] = [],
): void {
  const file = env.join(env.repoRoot, 'test', 'conformance', 'expected-audit.json');
  const golden = JSON.parse(env.readFile(file) ?? '{}') as Record<string, unknown>;
  // The world's temporary directory differs per run; inputs that name it
  // (an absolute host path an attacker guesses) are compared without it.
  // Their digests and sizes differ too, so those are dropped with it, and so
  // is the fuel of such a case: a longer path is more work for the guest.
  let text = canonical(records.map(normalise));
  if (text.includes(worldDir)) {
    text = text
      .split(worldDir)
      .join('<world>')
      .replace(/"inputDigest":"[0-9a-f]{64}"/g, '"inputDigest":"<digest>"')
      .replace(/"inputBytes":\d+/g, '"inputBytes":"<n>"')
      .replace(/"fuel":\d+/g, '"fuel":"<n>"');
  }
  // The egress cases' servers listen on a random port, in URLs the guest
  // sends and the grants name: each server's origin becomes a placeholder.
  // Inputs name it, so their digests and sizes go too; the server's answer
  // carries a Date header (and each runtime's server its own headers), so
  // the result digest, output size, fuel and memory of those calls go; and
  // so does the time each request took.
  if (servers.some(([url]) => text.includes(url))) {
    // Longest first: one origin may be a prefix of another (:4000 and :40001).
    for (const [url, placeholder] of [...servers].sort(([a], [b]) => b.length - a.length)) text = text.split(url).join(placeholder);
    text = text
      .replace(/"(inputDigest|resultDigest)":"[0-9a-f]{64}"/g, '"$1":"<digest>"')
      .replace(/"(inputBytes|outputBytes|stderrBytes|fuel|peakMemoryBytes|ms)":\d+(\.\d+)?/g, '"$1":"<n>"');
  }
  const actual = JSON.parse(text);
  if (env.updateGolden) {
    golden[name] = actual;
    const sorted = Object.fromEntries(Object.entries(golden).sort(([a], [b]) => a.localeCompare(b)));
    env.writeFile(file, `${JSON.stringify(sorted, null, 1)}\n`);
    return;
  }
  check(name in golden, `no expected audit records for "${name}" (run the Node suite with AIRLOCK_UPDATE_GOLDEN=1)`);
  const want = golden[name] as unknown[];
  for (let i = 0; i < Math.max(want.length, actual.length); i++) {
    equal(actual[i], want[i], `audit record ${i} of "${name}" (expected-audit.json)`);
  }
}

async function openGateFor(env: ConformanceEnv, w: World) {
  return openGate({
    host: env.host,
    policy: env.join(w.dir, 'policy.yaml'),
    tools: env.join(env.repoRoot, 'examples', 'tools'),
    audit: env.join(w.dir, 'audit2.log'),
  });
}
