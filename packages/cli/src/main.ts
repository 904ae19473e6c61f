/**
 * The `airlock` command: parse, dispatch, map errors to exit codes. Parsing
 * and wiring only; everything that decides or runs lives in the packages.
 */
import { exitCodeFor, isAirlockError } from '@airlock/core';
import { parseArgs } from './args.js';
import { auditShow, auditVerify } from './commands/audit.js';
import { demoCommand } from './commands/demo.js';
import { evalCommand } from './commands/eval.js';
import { policyCheck, policyExplain } from './commands/policy.js';
import { runCommand } from './commands/run.js';
import { toolInspect } from './commands/tool-inspect.js';
import { EXIT } from './exit-codes.js';
import { HELP } from './help.js';
import { makeOut, type Out } from './output.js';

type Handler = (args: ReturnType<typeof parseArgs>, out: Out) => Promise<number>;

const COMMANDS: Record<string, { values: string[]; run: Handler }> = {
  run: { values: ['input', 'policy', 'tools', 'agent', 'session', 'audit'], run: runCommand },
  eval: { values: ['input', 'policy', 'tools', 'agent', 'session', 'audit', 'lang'], run: evalCommand },
  'policy check': { values: [], run: policyCheck },
  'policy explain': { values: ['agent', 'tool', 'input', 'session'], run: policyExplain },
  'audit show': { values: ['audit'], run: auditShow },
  'audit verify': { values: ['audit'], run: auditVerify },
  demo: { values: [], run: demoCommand },
  'tool inspect': { values: ['tools'], run: toolInspect },
};

export async function main(argv: readonly string[]): Promise<number> {
  const [first, second] = argv;
  const two = `${first} ${second}`;
  const name = COMMANDS[two] ? two : first && COMMANDS[first] ? first : undefined;
  const json = argv.includes('--json');
  const out = makeOut(json);
  if (!name) {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      out.line(HELP.main);
      return EXIT.ok;
    }
    if (first === '--version') {
      out.line('airlock 0.1.0');
      return EXIT.ok;
    }
    const group = first === 'policy' || first === 'audit' || first === 'tool' ? `${first} ${second ?? ''}`.trim() : first;
    out.note(`airlock: unknown command "${group}"\n\n${HELP.main}`);
    return EXIT.misuse;
  }
  const rest = argv.slice(name.split(' ').length);
  try {
    const args = parseArgs(rest, { values: COMMANDS[name]!.values });
    if (args.flags.has('help')) {
      out.line(HELP[name]);
      return EXIT.ok;
    }
    return await COMMANDS[name]!.run(args, out);
  } catch (e) {
    if (isAirlockError(e)) {
      if (json) out.data({ error: e.toJSON() });
      else out.note(`airlock: ${e.toString()}`);
      return exitCodeFor(e.code);
    }
    out.note(`airlock: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.internal;
  }
}
