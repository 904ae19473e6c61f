import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { AuditEntry, AuditRecord, AuditSink } from './audit-record.js';
import type { EgressRecord, Engine, RunRequest } from './engine.js';
import { Gate } from './gate.js';
import type { Grants } from './grants.js';
import type { HostNet } from './host.js';
import { DEFAULT_EGRESS_LIMITS, type Limits } from './limits.js';
import { validateManifest } from './manifest.js';
import { StaticRegistry } from './tool.js';
import { ZERO_USAGE } from './usage.js';

const RECORD: EgressRecord = {
  url: 'https://api.example.com/v1/x',
  method: 'GET',
  decision: 'denied',
  reason: 'no grant covers https://api.example.com:443/v1/x',
  grant: null,
  hop: 0,
  ms: 1,
};

function setup(grants: Grants, requested: unknown, limits: { policy?: Partial<Limits>; manifest?: Partial<Limits> } = {}) {
  const records: AuditRecord[] = [];
  const sink: AuditSink = {
    async append(entry: AuditEntry) {
      const r = { ...entry, seq: records.length, prev: '' };
      records.push(r);
      return r;
    },
    async close() {},
  };
  const seen: { req?: RunRequest } = {};
  const engine: Engine = {
    kind: 'wasip1',
    async prepare() {
      return {
        async run(req) {
          seen.req = req;
          return { status: 'ok', exitCode: 0, stdout: req.input, stderr: new Uint8Array(), usage: ZERO_USAGE, egress: [RECORD] };
        },
      };
    },
  };
  const manifest = validateManifest({
    name: 'net',
    engine: 'wasip1',
    artifact: 'x.wasm',
    inputSchema: true,
    capabilities: requested,
    ...(limits.manifest ? { limits: limits.manifest } : {}),
  });
  const net: HostNet = { request: async () => ({ failure: 'connect', message: 'unused' }) };
  const env: Record<string, string> = { GH: 'the-value', OTHER: 'not-granted' };
  const gate = new Gate({
    policy: {
      decide: () => ({ effect: 'allow', rule: { id: 'r', index: 0 }, reason: 'ok', grants, limits: limits.policy ?? {}, redact: [] }),
    },
    tools: new StaticRegistry([{ manifest, artifact: new Uint8Array([0]), digest: 'd' }]),
    engines: [engine],
    audit: sink,
    host: {
      clock: { now: () => 1, monotonic: () => 0 },
      crypto: { sha256: (b) => createHash('sha256').update(b).digest(), randomBytes: (n) => randomBytes(n) },
      net,
      secrets: { read: (ref) => env[ref.env] },
    },
    volume: () => undefined,
  });
  return { gate, records, seen, net };
}

const GRANTS: Grants = {
  fs: [],
  env: {},
  net: [{ url: 'https://api.example.com/*', methods: ['GET'], headers: { Authorization: 'Bearer {{secret:GH}}' } }],
  secrets: { GH: { env: 'GH' }, OTHER: { env: 'OTHER' } },
};

test('gate egress: a call granted net gets an egress context whose secret reader only knows its grants', async () => {
  const { gate, seen, net } = setup(GRANTS, { net: [{ url: 'https://api.example.com/v1/*' }] });
  await gate.call({ agent: 'a', session: 's', tool: 'net', input: {} });
  const egress = seen.req?.egress;
  assert.ok(egress);
  assert.deepEqual(egress.grants, [
    { url: 'https://api.example.com/v1/*', methods: ['GET'], headers: { Authorization: 'Bearer {{secret:GH}}' } },
  ]);
  assert.equal(egress.net, net);
  assert.equal(egress.secrets('GH'), 'the-value');
  assert.equal(egress.secrets('OTHER'), undefined, 'a secret no granted header names is not readable');
  assert.equal(egress.secrets('constructor'), undefined);
});

test('gate egress: the run outcome egress records land in the outcome audit record and the result', async () => {
  const { gate, records } = setup(GRANTS, { net: [{ url: 'https://api.example.com/v1/*' }] });
  const r = await gate.call({ agent: 'a', session: 's', tool: 'net', input: {} });
  assert.deepEqual(r.egress, [RECORD]);
  assert.deepEqual(records[1]!.outcome?.egress, [RECORD]);
  assert.ok(!JSON.stringify(records).includes('the-value'), 'no secret value in any audit record');
});

test('gate egress: a call that requests no net gets no egress context at all', async () => {
  const { gate, seen } = setup(GRANTS, {});
  await gate.call({ agent: 'a', session: 's', tool: 'net', input: {} });
  assert.equal(seen.req?.egress, undefined);
});

test('gate egress: with no net limits set, the caps are the defaults', async () => {
  const { gate, seen } = setup(GRANTS, { net: [{ url: 'https://api.example.com/v1/*' }] });
  await gate.call({ agent: 'a', session: 's', tool: 'net', input: {} });
  assert.deepEqual(seen.req?.egress?.limits, DEFAULT_EGRESS_LIMITS);
});

test('gate egress: the rule net limits are the egress caps, lowered where the manifest asks for less', async () => {
  const { gate, seen, records } = setup(
    GRANTS,
    { net: [{ url: 'https://api.example.com/v1/*' }] },
    { policy: { netResponseBytes: 4096, netTimeoutMs: 30_000, netRedirects: 2 }, manifest: { netTimeoutMs: 1500 } },
  );
  await gate.call({ agent: 'a', session: 's', tool: 'net', input: {} });
  assert.deepEqual(seen.req?.egress?.limits, { responseBytes: 4096, timeoutMs: 1500, maxRedirects: 2 });
  const audited = records[0]!.limits!;
  assert.deepEqual(
    [audited.netResponseBytes, audited.netTimeoutMs, audited.netRedirects],
    [4096, 1500, 2],
    'audited with the other limits',
  );
});
