/** `airlock run <tool>`: one call through the gate. */
import { AirlockError, type CallResult } from '@airlock/core';
import { openGate } from '@airlock/sdk';
import type { Parsed } from '../args.js';
import { auditPath, cacheDir, host, policyPath, progressFor, toolsDir } from '../context.js';
import { exitCodeForResult } from '../exit-codes.js';
import { readInputText } from '../input.js';
import { bytes, ms, type Out } from '../output.js';

export async function runCommand(args: Parsed, out: Out): Promise<number> {
  const tool = args.positionals[0];
  if (!tool) throw new AirlockError('ARGS_INVALID', 'which tool? usage: airlock run <tool> --input <json|@file>');
  const input = readInputText(args.values.input);
  const policy = policyPath(args.values.policy);
  if (!policy && !out.json) out.note('airlock: no policy file (no ./airlock.policy.yaml, no --policy): every call is denied');
  const opened = await openGate({
    host,
    ...(policy ? { policy } : {}),
    tools: toolsDir(args.values.tools),
    audit: auditPath(args.values.audit),
    transpileCache: cacheDir(),
    ...(progressFor(out) ? { progress: progressFor(out)! } : {}),
  });
  if (opened.recovered && !out.json) out.note(`airlock: audit log recovered after a crash: ${JSON.stringify(opened.recovered)}`);
  let result: CallResult;
  try {
    result = await opened.gate.call({
      agent: args.values.agent ?? 'cli',
      session: args.values.session ?? `cli-${Date.now().toString(36)}`,
      tool,
      input,
      inputIsText: true,
    });
  } finally {
    await opened.close();
  }
  if (out.json) out.data(result);
  else printResult(result, out);
  return exitCodeForResult(result);
}

export function describeResult(r: CallResult): string {
  const rule = r.decision.rule ? `rule ${r.decision.rule}` : 'default deny';
  const usage = `${ms(r.usage.wallMs)}, ${bytes(r.usage.outputBytes)} out${r.usage.fuel === null ? '' : `, ${r.usage.fuel} fuel`}`;
  switch (r.status) {
    case 'ok':
      return `allowed by ${rule} · ${usage}`;
    case 'denied':
      return `DENIED by ${rule}: ${r.decision.reason}`;
    case 'limit':
      return `LIMIT ${r.limit ?? ''} exceeded (allowed by ${rule}) · ${usage}`;
    case 'error':
      return `ERROR ${r.error?.code ?? ''}: ${r.error?.message ?? ''} (${r.decision.effect} by ${rule})`;
  }
}

function printResult(r: CallResult, out: Out): void {
  if (r.output !== undefined) out.line(JSON.stringify(r.output, null, 2));
  if (r.stderr) out.note(r.stderr.trimEnd());
  for (const d of r.denials ?? []) out.note(`airlock: the sandbox refused ${d.op} ${d.path}: ${d.errno}`);
  out.note(`airlock: ${describeResult(r)} · call ${r.id}`);
}
