/** `airlock audit show|verify`. */
import { readFileSync } from 'node:fs';
import { readAuditLogPartial, toJsonLines, verifyAuditLog } from '@airlock/audit';
import { AirlockError, type AuditRecord } from '@airlock/core';
import type { Parsed } from '../args.js';
import { auditPath, host } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { type Out, table, truncate } from '../output.js';

function readLog(given: string | undefined): { path: string; bytes: Uint8Array } {
  const path = auditPath(given);
  try {
    return { path, bytes: readFileSync(path) };
  } catch (e) {
    throw new AirlockError('AUDIT_IO', `cannot read audit log ${path}: ${(e as Error).message}`);
  }
}

export async function auditShow(args: Parsed, out: Out): Promise<number> {
  const { path, bytes } = readLog(args.values.audit);
  // Show what decodes, then say where reading stopped: a damaged log is
  // exactly when a reader most needs to see what came before the damage.
  const { records, error } = readAuditLogPartial(bytes);
  if (out.json) process.stdout.write(toJsonLines(records));
  else {
    out.line(`${path}: ${records.length} records`);
    out.line(auditTable(records));
  }
  if (error) {
    out.note(`airlock: ${error.message} (run \`airlock audit verify\`)`);
    return EXIT.auditCorrupt;
  }
  return EXIT.ok;
}

export function auditTable(records: readonly AuditRecord[]): string {
  return table(
    ['seq', 'time', 'kind', 'call', 'agent', 'tool', 'decision / outcome', 'rule'],
    records.map((r) => [
      String(r.seq),
      new Date(r.time).toISOString().slice(11, 23),
      r.kind,
      r.callId ?? '',
      r.agent ?? '',
      r.tool ?? '',
      truncate(describe(r), 60),
      r.decision?.rule ?? (r.kind === 'decision' ? '(default)' : ''),
    ]),
  );
}

function describe(r: AuditRecord): string {
  if (r.decision) return `${r.decision.effect}: ${r.decision.reason}`;
  if (r.outcome) {
    const o = r.outcome;
    const extra = o.limit ? ` (${o.limit})` : o.code ? ` ${o.code}` : '';
    const denials = o.denials?.length ? ` [${o.denials.length} fs denial${o.denials.length > 1 ? 's' : ''}]` : '';
    return `${o.status}${extra}${denials}`;
  }
  if (r.note) return JSON.stringify(r.note);
  return '';
}

export async function auditVerify(args: Parsed, out: Out): Promise<number> {
  const { path, bytes } = readLog(args.values.audit);
  const report = verifyAuditLog(bytes, host.crypto);
  if (out.json) out.data({ path, ...report });
  else if (report.ok) out.line(`${path}: ok, ${report.records} records, hash chain intact`);
  else
    out.line(
      `${path}: FAILED at record ${report.firstBad?.seq} (byte ${report.firstBad?.offset}): ${report.firstBad?.reason}: ${report.firstBad?.message}`,
    );
  return report.ok ? EXIT.ok : EXIT.auditCorrupt;
}
