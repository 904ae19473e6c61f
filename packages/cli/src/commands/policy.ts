/** `airlock policy check|explain`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AirlockError, isAirlockError } from '@airlock/core';
import { formatExplanation } from '@airlock/policy';
import { readPolicy } from '@airlock/sdk';
import type { Parsed } from '../args.js';
import { host } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { readInputText } from '../input.js';
import type { Out } from '../output.js';

interface Problem {
  file?: string;
  line: number;
  column: number;
  message: string;
}

export async function policyCheck(args: Parsed, out: Out): Promise<number> {
  const file = args.positionals[0];
  if (!file) throw new AirlockError('ARGS_INVALID', 'usage: airlock policy check <file>');
  try {
    readFileSync(file);
  } catch (e) {
    throw new AirlockError('ARGS_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const policy = readPolicy(host, resolve(file));
    const summary = { ok: true, file, rules: policy.rules.length, volumes: Object.keys(policy.volumes) };
    if (out.json) out.data(summary);
    else out.line(`${file}: ok (${summary.rules} rules, volumes: ${summary.volumes.join(', ') || 'none'})`);
    return EXIT.ok;
  } catch (e) {
    if (!isAirlockError(e, 'POLICY_INVALID')) throw e;
    const problems = (
      (e.details?.errors as Problem[] | undefined) ?? [{ ...(e.position ?? { line: 1, column: 1 }), message: e.message }]
    ).map((p) => ({ ...p, file }));
    if (out.json) out.data({ ok: false, file, code: e.code, problems });
    else for (const p of problems) out.line(`${p.file}:${p.line}:${p.column}: ${p.message}`);
    return EXIT.misuse;
  }
}

export async function policyExplain(args: Parsed, out: Out): Promise<number> {
  const file = args.positionals[0];
  const { agent, tool } = args.values;
  if (!file || !agent || !tool)
    throw new AirlockError('ARGS_INVALID', 'usage: airlock policy explain <file> --agent <a> --tool <t> --input <json|@file>');
  let input: unknown;
  try {
    input = JSON.parse(readInputText(args.values.input));
  } catch (e) {
    if (isAirlockError(e)) throw e;
    throw new AirlockError('INPUT_INVALID', `--input is not JSON: ${(e as Error).message}`);
  }
  const policy = readPolicy(host, resolve(file));
  const explanation = policy.explain({ agent, tool, input, session: { id: args.values.session ?? 'explain', calls: 0, toolCalls: {} } });
  if (out.json) out.data(explanation);
  else out.line(formatExplanation(explanation));
  return explanation.decision.effect === 'allow' || explanation.decision.effect === 'modify' ? EXIT.ok : EXIT.denied;
}
