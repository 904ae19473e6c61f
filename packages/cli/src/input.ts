/** `--input '{"a":1}'` or `--input @file.json`: the raw JSON text of a call. */
import { readFileSync } from 'node:fs';
import { AirlockError } from '@airlock/core';

export function readInputText(given: string | undefined): string {
  if (given === undefined) throw new AirlockError('ARGS_INVALID', '--input is required (JSON text, or @file)');
  if (!given.startsWith('@')) return given;
  try {
    return readFileSync(given.slice(1), 'utf8');
  } catch (e) {
    throw new AirlockError('ARGS_INVALID', `cannot read input file ${given.slice(1)}: ${(e as Error).message}`);
  }
}
