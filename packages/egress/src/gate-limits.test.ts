// The egress caps end to end: a policy rule's `net*` limits go through the
// Gate into the call's egress context, and createEgress enforces them. Here
// rather than in core because core cannot depend on this package; the
// engine is a stand-in that makes one request the way the real ones do.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  type AuditEntry,
  type AuditRecord,
  type AuditSink,
  type Engine,
  Gate,
  type Limits,
  StaticRegistry,
  validateManifest,
  ZERO_USAGE,
} from '@airlock/core';
import { createEgress } from './egress.js';
import { FakeNet } from './fake-net.test.js';

const URL_150 = 'https://api.example.com/v1/150-bytes';

/** A gate whose one rule grants the API with `limits`; the tool fetches URL_150 once. */
function setup(limits: Partial<Limits>) {
  const records: AuditRecord[] = [];
  const audit: AuditSink = {
    async append(entry: AuditEntry) {
      const r = { ...entry, seq: records.length, prev: '' };
      records.push(r);
      return r;
    },
    async close() {},
  };
  const engine: Engine = {
    kind: 'wasip1',
    async prepare() {
      return {
        async run(req) {
          assert.ok(req.egress, 'the call is granted net');
          const egress = createEgress({ ...req.egress, now: () => 0 });
          const r = await egress.fetch({ url: URL_150 });
          const stdout = new TextEncoder().encode(JSON.stringify(r.ok ? { status: r.status } : { limit: r.limit ?? null }));
          return { status: 'ok', exitCode: 0, stdout, stderr: new Uint8Array(), usage: ZERO_USAGE, egress: egress.records() };
        },
      };
    },
  };
  const manifest = validateManifest({
    name: 'net',
    engine: 'wasip1',
    artifact: 'x.wasm',
    inputSchema: true,
    capabilities: { net: [{ url: 'https://api.example.com/v1/*' }] },
  });
  const net = new FakeNet();
  net.routes.set(URL_150, { body: 'x'.repeat(150) });
  const gate = new Gate({
    policy: {
      decide: () => ({
        effect: 'allow',
        rule: { id: 'api', index: 0 },
        reason: 'ok',
        grants: { fs: [], env: {}, net: [{ url: 'https://api.example.com/*', methods: ['GET'] }] },
        limits,
        redact: [],
      }),
    },
    tools: new StaticRegistry([{ manifest, artifact: new Uint8Array([0]), digest: 'd' }]),
    engines: [engine],
    audit,
    host: {
      clock: { now: () => 1, monotonic: () => 0 },
      crypto: { sha256: (b) => createHash('sha256').update(b).digest(), randomBytes: (n) => randomBytes(n) },
      net,
    },
    volume: () => undefined,
  });
  return { gate, records };
}

test('gate limits: a response over the rule netResponseBytes is denied, with the response-bytes cap in the audited egress record', async () => {
  const { gate, records } = setup({ netResponseBytes: 100 });
  const r = await gate.call({ agent: 'a', session: 's', tool: 'net', input: {} });
  assert.deepEqual(r.status === 'ok' ? r.output : null, { limit: 'response-bytes' });
  assert.equal(records[0]!.limits?.netResponseBytes, 100, 'the decision record carries the cap');
  const rec = records[1]!.outcome?.egress?.[0];
  assert.deepEqual([rec?.decision, rec?.limit, rec?.bytes], ['denied', 'response-bytes', 100]);
});

test('gate limits: the same response under a rule that allows 200 bytes comes back', async () => {
  const { gate, records } = setup({ netResponseBytes: 200 });
  const r = await gate.call({ agent: 'a', session: 's', tool: 'net', input: {} });
  assert.deepEqual(r.status === 'ok' ? r.output : null, { status: 200 });
  const rec = records[1]!.outcome?.egress?.[0];
  assert.deepEqual([rec?.decision, rec?.limit, rec?.bytes], ['allowed', undefined, 150]);
});
