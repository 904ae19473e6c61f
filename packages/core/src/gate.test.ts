import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { AuditEntry, AuditRecord, AuditSink } from './audit-record.js';
import type { Decision, DecisionRequest, PolicyDecider } from './decision.js';
import type { Engine, RunOutcome, RunRequest } from './engine.js';
import { AirlockError } from './errors.js';
import { Gate } from './gate.js';
import { utf8 } from './json.js';
import { DEFAULT_LIMITS } from './limits.js';
import { validateManifest } from './manifest.js';
import { StaticRegistry } from './tool.js';
import { ZERO_USAGE } from './usage.js';
import type { Vfs } from './vfs.js';

class ListSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  fail = false;
  async append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.fail) throw new Error('disk full');
    const r = { ...entry, seq: this.records.length, prev: '' };
    this.records.push(r);
    return r;
  }
  async close(): Promise<void> {}
}

const allowAll = (over: Partial<Extract<Decision, { effect: 'allow' }>> = {}): PolicyDecider => ({
  decide: () => ({
    effect: 'allow',
    rule: { id: 'r1', index: 0 },
    reason: 'allowed by r1',
    grants: { fs: [], env: {}, net: [] },
    limits: {},
    redact: [],
    ...over,
  }),
});

function echoEngine(seen: { req?: RunRequest; recordsAtRun?: number }, sink: ListSink, out?: Partial<RunOutcome>): Engine {
  return {
    kind: 'wasip1',
    async prepare() {
      return {
        async run(req) {
          seen.req = req;
          seen.recordsAtRun = sink.records.length;
          return {
            status: 'ok',
            exitCode: 0,
            stdout: req.input,
            stderr: new Uint8Array(),
            usage: { ...ZERO_USAGE, inputBytes: req.input.length },
            ...out,
          };
        },
      };
    },
  };
}

const manifest = validateManifest({
  name: 'echo',
  engine: 'wasip1',
  artifact: 'echo.wasm',
  inputSchema: { type: 'object', properties: { msg: { type: 'string' }, token: { type: 'string' } }, required: ['msg'] },
  capabilities: { fs: [{ mount: '/workspace', access: 'read-write' }], env: ['LANG', 'HOME'] },
  limits: { wallMs: 100 },
});

function setup(policy: PolicyDecider, out?: Partial<RunOutcome>) {
  const sink = new ListSink();
  const seen: { req?: RunRequest; recordsAtRun?: number } = {};
  const vfs = {} as Vfs;
  const gate = new Gate({
    policy,
    tools: new StaticRegistry([{ manifest, artifact: new Uint8Array([0]), digest: 'd1' }]),
    engines: [echoEngine(seen, sink, out)],
    audit: sink,
    host: {
      clock: { now: () => 1000, monotonic: () => 0 },
      crypto: { sha256: (b) => createHash('sha256').update(b).digest(), randomBytes: (n) => randomBytes(n) },
    },
    volume: (name) => (name === 'ws' ? vfs : undefined),
  });
  return { gate, sink, seen };
}

const call = { agent: 'a', session: 's', tool: 'echo', input: { msg: 'hi' } };

describe('Gate', () => {
  test('an allowed call writes its decision record before the engine runs, and its outcome after', async () => {
    const { gate, sink, seen } = setup(allowAll());
    const r = await gate.call(call);
    assert.equal(r.status, 'ok');
    assert.deepEqual(r.output, { msg: 'hi' });
    assert.equal(seen.recordsAtRun, 1);
    assert.deepEqual(
      sink.records.map((x) => x.kind),
      ['decision', 'outcome'],
    );
    assert.equal(sink.records[0]!.decision?.rule, 'r1');
    assert.equal(sink.records[1]!.outcome?.status, 'ok');
    assert.equal(sink.records[0]!.callId, r.id);
    assert.equal(sink.records[0]!.inputDigest, createHash('sha256').update('{"msg":"hi"}').digest('hex'));
  });

  test('a denied call never reaches the engine and is audited with its rule', async () => {
    const { gate, sink, seen } = setup({ decide: () => ({ effect: 'deny', rule: { id: 'no', index: 2 }, reason: 'nope' }) });
    const r = await gate.call(call);
    assert.equal(r.status, 'denied');
    assert.equal(r.decision.rule, 'no');
    assert.equal(seen.req, undefined);
    assert.equal(sink.records[0]!.decision?.effect, 'deny');
    assert.equal(sink.records[1]!.outcome?.status, 'denied');
  });

  test('an unknown tool is an audited error TOOL_NOT_FOUND', async () => {
    const { gate, sink } = setup(allowAll());
    const r = await gate.call({ ...call, tool: 'shell' });
    assert.equal(r.status, 'error');
    assert.equal(r.error?.code, 'TOOL_NOT_FOUND');
    assert.equal(sink.records.length, 2);
    assert.equal(sink.records[0]!.tool, 'shell');
  });

  test('an input that does not match the schema is INPUT_INVALID and never decided', async () => {
    let decided = false;
    const { gate, sink } = setup({
      decide: (req: DecisionRequest) => {
        decided = true;
        return allowAll().decide(req);
      },
    });
    const r = await gate.call({ ...call, input: { msg: 42 } });
    assert.equal(r.error?.code, 'INPUT_INVALID');
    assert.match(r.error!.message, /\/msg/);
    assert.equal(decided, false);
    assert.equal(sink.records.length, 2);
  });

  test('JSON text input that does not parse is INPUT_INVALID', async () => {
    const { gate } = setup(allowAll());
    const r = await gate.call({ ...call, input: '{"msg": ', inputIsText: true });
    assert.equal(r.error?.code, 'INPUT_INVALID');
  });

  test('an input over the gate cap is refused before parsing, and audited', async () => {
    const { gate, sink } = setup(allowAll());
    const huge = JSON.stringify({ msg: 'x'.repeat(DEFAULT_LIMITS.inputBytes * 8 + 1) });
    const r = await gate.call({ ...call, input: huge, inputIsText: true });
    assert.equal(r.error?.code, 'INPUT_TOO_LARGE');
    assert.equal(sink.records.length, 2);
    assert.equal(sink.records[0]!.input, undefined, 'a huge input is not copied into the log');
  });

  test("an input over the rule's inputBytes limit is refused after the decision", async () => {
    const { gate, seen } = setup(allowAll({ limits: { inputBytes: 10 } }));
    const r = await gate.call(call);
    assert.equal(r.error?.code, 'INPUT_TOO_LARGE');
    assert.equal(seen.req, undefined);
  });

  test('grants are the intersection of manifest and policy; limits the minimum', async () => {
    const { gate, seen, sink } = setup(
      allowAll({
        grants: {
          fs: [
            { mount: '/workspace', volume: 'ws', access: 'read' },
            { mount: '/etc', volume: 'ws', access: 'read-write' },
          ],
          env: { LANG: 'C', SECRET: 'x' },
          net: [],
        },
        limits: { wallMs: 5000, outputBytes: 77 },
      }),
    );
    await gate.call(call);
    assert.deepEqual(
      seen.req!.mounts.map((m) => [m.path, m.access]),
      [['/workspace', 'read']],
    );
    assert.deepEqual(seen.req!.env, { LANG: 'C' });
    assert.equal(seen.req!.limits.wallMs, 100);
    assert.equal(seen.req!.limits.outputBytes, 77);
    assert.equal(seen.req!.limits.memoryBytes, DEFAULT_LIMITS.memoryBytes);
    assert.deepEqual(sink.records[0]!.grants?.env, { LANG: 'C' });
  });

  test('a volume the host cannot provide is an audited HOST_UNSUPPORTED error', async () => {
    const { gate, seen } = setup(
      allowAll({ grants: { fs: [{ mount: '/workspace', volume: 'missing', access: 'read' }], env: {}, net: [] } }),
    );
    const r = await gate.call(call);
    assert.equal(r.error?.code, 'HOST_UNSUPPORTED');
    assert.equal(seen.req, undefined);
  });

  test('redacted fields are not stored in the audit log', async () => {
    const { gate, sink } = setup(allowAll({ redact: ['input.token'] }));
    await gate.call({ ...call, input: { msg: 'hi', token: 'sk-123' } });
    assert.deepEqual(sink.records[0]!.input, { msg: 'hi', token: '[redacted]' });
  });

  test('a modify decision runs the rewritten input', async () => {
    const { gate, seen } = setup({
      decide: () => ({
        effect: 'modify',
        rule: { id: 'm', index: 0 },
        reason: 'clamped',
        input: { msg: 'safe' },
        grants: { fs: [], env: {}, net: [] },
        limits: {},
        redact: [],
      }),
    });
    const r = await gate.call(call);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(seen.req!.input)), { msg: 'safe' });
    assert.deepEqual(r.output, { msg: 'safe' });
  });

  test('a tool that exits non-zero is TOOL_FAILED with its reported message', async () => {
    const { gate } = setup(allowAll(), {
      status: 'failed',
      exitCode: 2,
      stdout: utf8('{"error":{"code":"ENOENT","message":"no such file"}}'),
    });
    const r = await gate.call(call);
    assert.equal(r.status, 'error');
    assert.equal(r.error?.code, 'TOOL_FAILED');
    assert.match(r.error!.message, /no such file/);
  });

  test('a tool that prints non-JSON is OUTPUT_INVALID', async () => {
    const { gate } = setup(allowAll(), { stdout: utf8('hello') });
    const r = await gate.call(call);
    assert.equal(r.error?.code, 'OUTPUT_INVALID');
  });

  test('a limit outcome is status limit and names the limit', async () => {
    const { gate, sink } = setup(allowAll(), { status: 'limit', limit: 'output', exitCode: null, stdout: new Uint8Array() });
    const r = await gate.call(call);
    assert.equal(r.status, 'limit');
    assert.equal(r.limit, 'output');
    assert.equal(sink.records[1]!.outcome?.limit, 'output');
  });

  test('session counters reach the policy', async () => {
    const seenCalls: number[] = [];
    const { gate } = setup({
      decide: (req) => {
        seenCalls.push(req.session.calls);
        return allowAll().decide(req);
      },
    });
    await gate.call(call);
    await gate.call(call);
    await gate.call({ ...call, session: 'other' });
    assert.deepEqual(seenCalls, [0, 1, 0]);
  });

  test('a failing audit sink stops the call with AUDIT_IO before the tool runs', async () => {
    const { gate, sink, seen } = setup(allowAll());
    sink.fail = true;
    await assert.rejects(gate.call(call), (e: unknown) => e instanceof AirlockError && e.code === 'AUDIT_IO');
    assert.equal(seen.req, undefined);
  });
});
