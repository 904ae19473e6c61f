/**
 * Shared test fixtures (no tests of its own): a node:crypto HostCrypto, a
 * realistic decision entry, and a way to find frame boundaries in a log.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AuditEntry, HostCrypto } from '@airlock/core';
import { HEADER_BYTES, scanFrame } from './format.js';
import { MemoryAuditSink } from './memory-sink.js';

export const nodeCrypto: HostCrypto = {
  sha256: (data) => createHash('sha256').update(data).digest(),
  randomBytes: (n) => randomBytes(n),
};

export function decisionEntry(i: number, session = 'sess-7f3a9c'): AuditEntry {
  return {
    kind: 'decision',
    time: 1_712_345_678_901 + i,
    callId: `call-${i}`,
    agent: 'agent-research',
    session,
    tool: 'fs.read_file',
    inputDigest: 'ab'.repeat(32),
    input: { path: `/workspace/file-${i}.txt`, maxBytes: 65536 },
    decision: { effect: 'allow', rule: 'read-workspace', reason: 'agent may read the workspace' },
    grants: { fs: [{ mount: '/workspace', volume: 'ws', access: 'read' }], env: {}, net: [] },
  };
}

/** A log of `n` decision records, as bytes. */
export async function makeLog(n: number, session?: string): Promise<Uint8Array> {
  const sink = new MemoryAuditSink(nodeCrypto);
  for (let i = 0; i < n; i++) await sink.append(decisionEntry(i, session));
  return sink.bytes();
}

/** Start and end offsets of every frame in an intact log. */
export function frames(bytes: Uint8Array): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let at = HEADER_BYTES;
  while (at < bytes.length) {
    const f = scanFrame(bytes, at);
    if (!f.ok) throw new Error(`not an intact log at ${at}`);
    out.push({ start: f.start, end: f.end });
    at = f.end;
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
