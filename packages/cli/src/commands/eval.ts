/**
 * `airlock eval <code|@file>`: run a JavaScript snippet through the gate as
 * the snippet tool `js` (QuickJS, in a worker killed at the deadline). The
 * policy grants `js` per agent like any tool; the snippet tool requests
 * every mount, env var and net destination the policy mentions, so what a
 * snippet gets is exactly what the deciding rule grants. TypeScript with
 * `--lang ts` or an `@file.ts`.
 */
import { readFileSync } from 'node:fs';
import { AirlockError, type CallResult, type CapabilityRequest, type Tool, ToolDirectory, type ToolRegistry } from '@airlock/core';
import { createQuickJsEngine, SNIPPET_TOOL_NAME, snippetTool } from '@airlock/engine-quickjs';
import { createWasip1Engine } from '@airlock/engine-wasip1';
import type { CompiledPolicy } from '@airlock/policy';
import { openGate, readPolicy } from '@airlock/sdk';
import type { Parsed } from '../args.js';
import { auditPath, host, policyPath, toolsDir } from '../context.js';
import { exitCodeForResult } from '../exit-codes.js';
import { readInputText } from '../input.js';
import type { Out } from '../output.js';
import { describeResult } from './run.js';

/**
 * What the snippet tool asks for: every mount, env var and net destination
 * (URL pattern with the union of its methods) any rule of `policy` grants.
 * The gate intersects this with the deciding rule's grants, so asking for
 * all of them gives a snippet exactly what that rule grants, headers and
 * secrets included (they come from the grant, never from the request).
 */
export function snippetCapabilities(policy: CompiledPolicy | undefined): CapabilityRequest {
  const fs = new Map<string, 'read' | 'read-write'>();
  const env = new Set<string>();
  const net = new Map<string, Set<string>>();
  for (const rule of policy?.rules ?? []) {
    for (const g of rule.grants.fs) if (fs.get(g.mount) !== 'read-write') fs.set(g.mount, g.access);
    for (const name of Object.keys(rule.grants.env)) env.add(name);
    for (const g of rule.grants.net) {
      const methods = net.get(g.url) ?? new Set<string>();
      for (const m of g.methods) methods.add(m);
      net.set(g.url, methods);
    }
  }
  return {
    fs: [...fs].map(([mount, access]) => ({ mount, access })),
    env: [...env],
    net: [...net].map(([url, methods]) => ({ url, methods: [...methods] })),
  };
}

/** The tool directory, with the snippet tool `js` in front of it. */
export function withSnippetTool(tools: ToolRegistry, js: Tool): ToolRegistry {
  return {
    resolve: (name) => (name === js.manifest.name ? js : tools.resolve(name)),
    list: () => [js.manifest, ...tools.list().filter((m) => m.name !== js.manifest.name)],
  };
}

export async function evalCommand(args: Parsed, out: Out): Promise<number> {
  const given = args.positionals[0];
  if (given === undefined)
    throw new AirlockError('ARGS_INVALID', 'which code? usage: airlock eval <code|@file> [--input <json|@file>] [--lang js|ts]');
  const langGiven = args.values.lang;
  if (langGiven !== undefined && langGiven !== 'js' && langGiven !== 'ts')
    throw new AirlockError('ARGS_INVALID', `--lang must be js or ts, not ${JSON.stringify(langGiven)}`);
  const lang: 'js' | 'ts' = langGiven ?? (given.startsWith('@') && /\.[cm]?ts$/.test(given) ? 'ts' : 'js');
  let code = given;
  if (given.startsWith('@')) {
    try {
      code = readFileSync(given.slice(1), 'utf8');
    } catch (e) {
      throw new AirlockError('ARGS_INVALID', `cannot read ${given.slice(1)}: ${(e as Error).message}`);
    }
  }
  const inputText = args.values.input === undefined ? 'null' : readInputText(args.values.input);
  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch (e) {
    throw new AirlockError('INPUT_INVALID', `--input is not JSON: ${(e as Error).message}`);
  }
  const policyFile = policyPath(args.values.policy);
  if (!policyFile && !out.json) out.note('airlock: no policy file (no ./airlock.policy.yaml, no --policy): every call is denied');
  const policy = policyFile ? readPolicy(host, policyFile) : undefined;
  const js = snippetTool({ sha256: host.crypto.sha256, capabilities: snippetCapabilities(policy) });
  const engine = createQuickJsEngine({ ...(host.workers ? { workers: host.workers } : {}) });
  const opened = await openGate({
    host,
    ...(policyFile ? { policy: policyFile } : {}),
    tools: withSnippetTool(new ToolDirectory(host.fs!, host.crypto, toolsDir(args.values.tools)), js),
    audit: auditPath(args.values.audit),
    engines: [createWasip1Engine(), engine],
  });
  let result: CallResult;
  try {
    result = await opened.gate.eval({
      agent: args.values.agent ?? 'cli',
      session: args.values.session ?? `cli-${Date.now().toString(36)}`,
      tool: SNIPPET_TOOL_NAME,
      code,
      ...(input === null ? {} : { input }),
      ...(lang === 'ts' ? { lang } : {}),
    });
  } finally {
    await opened.close();
    await engine.close();
  }
  if (out.json) out.data(result);
  else {
    if (result.output !== undefined) out.line(JSON.stringify(result.output, null, 2));
    if (result.stderr) out.note(result.stderr.trimEnd());
    for (const d of result.denials ?? []) out.note(`airlock: the sandbox refused ${d.op} ${d.path}: ${d.errno}`);
    out.note(`airlock: ${describeResult(result)} · call ${result.id}`);
  }
  return exitCodeForResult(result);
}
