/**
 * A small, strict argument parser: `--flag value`, `--flag=value`, boolean
 * flags, positionals. Unknown flags are errors (ARGS_INVALID, exit 2), so a
 * typo never silently falls back to a default.
 */
import { AirlockError } from '@airlock/core';

export interface ArgSpec {
  /** Flags that take a value. */
  readonly values?: readonly string[];
  /** Flags that are on or off. */
  readonly booleans?: readonly string[];
}

export interface Parsed {
  readonly positionals: string[];
  readonly values: Record<string, string>;
  readonly flags: Set<string>;
}

export function parseArgs(argv: readonly string[], spec: ArgSpec): Parsed {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positionals: string[] = [];
  const takesValue = new Set(spec.values ?? []);
  const isBool = new Set([...(spec.booleans ?? []), 'help', 'json']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      flags.add('help');
      continue;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    if (takesValue.has(name)) {
      const v = eq === -1 ? argv[++i] : a.slice(eq + 1);
      if (v === undefined) throw new AirlockError('ARGS_INVALID', `--${name} needs a value`);
      values[name] = v;
    } else if (isBool.has(name) && eq === -1) {
      flags.add(name);
    } else {
      throw new AirlockError('ARGS_INVALID', `unknown option --${name} (see --help)`);
    }
  }
  return { positionals, values, flags };
}
