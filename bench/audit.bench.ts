/**
 * Audit log throughput, each against a baseline in the same run.
 *
 * (a) In memory: hash-chained appends (MemoryAuditSink: canonical CBOR,
 *     framing, SHA-256, chain) against the same records encoded by cbor-x
 *     alone (no hash, no chain) and by JSON.stringify. Budget: ≥ 150k/s.
 * (b) Durable: the group-commit sink on a real file (fsync per batch) with
 *     many callers in flight, and one caller's latency (each append waits
 *     for its own fsync), against raw `appendFile` + `fdatasync` of the same
 *     batches. Budget: ≥ 50k/s.
 *
 * Storage is `@airlock/runtime-node`'s host when it loads, else a small
 * node:fs AppendLog defined here.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MemoryAuditSink, openAuditLog } from '@airlock/audit';
import type { AppendLog, AuditEntry, Host, HostCrypto, HostStorage } from '@airlock/core';
import { report, type Stats, sample } from './lib.js';

/** A decision record as the gate writes it: ~350 bytes of CBOR once numbered and chained. */
function entry(i: number): AuditEntry {
  return {
    kind: 'decision',
    time: 1_712_345_678_901 + i,
    callId: `c${(100000 + i).toString(36)}`,
    agent: 'research-bot',
    session: 's-7f3a9c',
    tool: 'fs.read',
    inputDigest: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    input: { path: `/ws/src/f${i % 100}.ts` },
    decision: { effect: 'allow', rule: 'ws-read', reason: 'may read ws' },
    grants: { fs: [{ mount: '/ws', volume: 'ws', access: 'read' }], env: {}, net: [] },
    limits: {
      wallMs: 5000,
      fuel: 1e9,
      memoryBytes: 67108864,
      inputBytes: 1048576,
      outputBytes: 1048576,
      stderrBytes: 65536,
      fsWriteBytes: 16777216,
      netResponseBytes: 1048576,
      netTimeoutMs: 10000,
      netRedirects: 5,
    },
  };
}

/**
 * cbor-x for the baseline, loaded from @airlock/audit's own dependency (the
 * bench package does not list it), with the options record-codec.ts uses.
 */
type CborEncoder = { encode(value: unknown): Uint8Array };
const auditEntry = createRequire(import.meta.url).resolve('@airlock/audit');
const { Encoder } = createRequire(auditEntry)('cbor-x') as { Encoder: new (options: object) => CborEncoder };

const ENTRIES = Array.from({ length: 1024 }, (_, i) => entry(i));
const at = (i: number) => ENTRIES[i & 1023]!;

async function loadHost(): Promise<{ crypto: HostCrypto; storage: HostStorage; from: string }> {
  try {
    const spec = '@airlock/runtime-node';
    const mod = (await import(spec)) as { createNodeHost?: () => Host };
    const host = mod.createNodeHost?.();
    if (host?.storage) return { crypto: host.crypto, storage: host.storage, from: '@airlock/runtime-node' };
  } catch {
    // fall through to the local AppendLog
  }
  const crypto: HostCrypto = { sha256: (d) => createHash('sha256').update(d).digest(), randomBytes: () => new Uint8Array(0) };
  return { crypto, storage: { openLog: fsLog }, from: 'bench-local node:fs log' };
}

/** A minimal fsync-backed AppendLog (the fallback when runtime-node is not built). */
async function fsLog(path: string): Promise<AppendLog> {
  const h = await open(path, 'a+');
  return {
    readAll: async () => new Uint8Array(await h.readFile()),
    append: async (d) => void (await h.appendFile(d)),
    sync: () => h.datasync(),
    truncate: async (n) => {
      await h.truncate(n);
      await h.sync();
    },
    close: () => h.close(),
  };
}

/**
 * Calls per second for `n` calls of the function `setup` returns, best of
 * `rounds` (the least disturbed round); `setup` runs untimed before each.
 */
async function rate(n: number, rounds: number, setup: () => (i: number) => unknown): Promise<number> {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const fn = setup();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn(i);
    best = Math.max(best, n / ((performance.now() - t0) / 1000));
  }
  return best;
}

const asStats = (name: string, perSecond: number): Stats => {
  const us = 1e6 / perSecond;
  return { name, samples: 1, p50us: us, p99us: us, meanus: us };
};

async function inMemory(crypto: HostCrypto): Promise<void> {
  const cborOnly = new Encoder({ useRecords: false, variableMapSize: true, tagUint8Array: false });
  const sizeSink = new MemoryAuditSink(crypto);
  for (let i = 0; i < 100; i++) await sizeSink.append(at(i));
  const recordBytes = (sizeSink.bytes().length - 8) / 100;

  const N = 100_000;
  const chained = await rate(N, 5, () => {
    const sink = new MemoryAuditSink(crypto);
    return (i) => sink.append(at(i));
  });
  const prev = '0'.repeat(64);
  const cbor = await rate(N, 5, () => (i) => cborOnly.encode({ ...at(i), seq: i, prev }));
  const json = await rate(N, 5, () => (i) => JSON.stringify({ ...at(i), seq: i, prev }));
  report(
    'audit (a): in-memory appends (µs per record; rows are 1e6 / best-of-5 rate)',
    [
      asStats('hash-chained append (MemoryAuditSink)', chained),
      asStats('baseline: cbor-x encode only', cbor),
      asStats('baseline: JSON.stringify', json),
    ],
    {
      'record bytes (framed)': recordBytes,
      'chained appends/s': Math.round(chained),
      'cbor-only encodes/s': Math.round(cbor),
      'chained / cbor-only time ratio': cbor / chained,
      'budget ≥150k/s met': chained >= 150_000 ? 'yes' : 'no',
    },
  );
}

async function durable(crypto: HostCrypto, storage: HostStorage, from: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-audit-bench-'));
  try {
    // Count syncs by wrapping the host's logs.
    let syncs = 0;
    const counting: HostStorage = {
      openLog: async (path) => {
        const log = await storage.openLog(path);
        const sync = () => {
          syncs++;
          return log.sync();
        };
        return { ...bind(log), sync };
      },
    };

    // Many callers in flight: each awaits its own append, then appends again.
    const CALLERS = 128;
    const TOTAL = 60_000;
    const sink = await openAuditLog({ crypto, storage: counting }, join(dir, 'group.log'));
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (next < TOTAL) await sink.append(at(next++));
      }),
    );
    const groupRate = TOTAL / ((performance.now() - t0) / 1000);
    const batch = TOTAL / syncs;

    // One caller: every append waits for its own fsync.
    const one = await sample('durable append, 1 caller (fsync-bound)', () => sink.append(at(next++)), { samples: 300, warmup: 20 });
    await sink.close();

    // Baseline: raw appendFile + fdatasync of pre-encoded batches of the same size.
    const frame = new MemoryAuditSink(crypto);
    for (let i = 0; i < 256; i++) await frame.append(at(i));
    const recordBytes = Math.round((frame.bytes().length - 8) / 256);
    const h = await open(join(dir, 'raw.log'), 'a');
    const batchSize = Math.max(1, Math.round(batch));
    const chunk = new Uint8Array(recordBytes * batchSize).fill(0x61);
    const batches = Math.ceil(TOTAL / batchSize);
    const t1 = performance.now();
    for (let b = 0; b < batches; b++) {
      await h.appendFile(chunk);
      await h.datasync();
    }
    const rawRate = (batches * batchSize) / ((performance.now() - t1) / 1000);
    const rawOne = await sample(
      'baseline: raw appendFile + fdatasync, 1 record',
      async () => {
        await h.appendFile(chunk.subarray(0, recordBytes));
        await h.datasync();
      },
      { samples: 300, warmup: 20 },
    );
    await h.close();

    report(
      `audit (b): durable appends, ${from}, ${CALLERS} callers in flight`,
      [
        asStats(`group commit, ${CALLERS} callers`, groupRate),
        asStats(`baseline: raw appendFile+fdatasync, batches of ${batchSize}`, rawRate),
        one,
        rawOne,
      ],
      {
        'durable appends/s (group commit)': Math.round(groupRate),
        'records per sync': batch,
        'raw batched appends/s': Math.round(rawRate),
        'group / raw rate ratio': groupRate / rawRate,
        'one-caller p50 µs': one.p50us,
        'raw fdatasync p50 µs': rawOne.p50us,
        'budget ≥50k/s met': groupRate >= 50_000 ? 'yes' : 'no',
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function bind(log: AppendLog): AppendLog {
  return {
    readAll: () => log.readAll(),
    append: (d) => log.append(d),
    sync: () => log.sync(),
    truncate: (n) => log.truncate(n),
    close: () => log.close(),
  };
}

const { crypto, storage, from } = await loadHost();
await inMemory(crypto);
await durable(crypto, storage, from);
