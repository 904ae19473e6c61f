/**
 * What an engine's run means for the agent (docs/tool-convention.md): exit 0
 * with one JSON value on stdout (matching the output schema, if any) is `ok`;
 * a non-zero exit is the tool's own failure, with its `{"error": …}` message
 * when it wrote one; a trap is a crash; a limit is a limit.
 */
import type { CallStatus } from './audit-record.js';
import type { RunOutcome } from './engine.js';
import type { ErrorCode } from './errors.js';
import { fromUtf8 } from './json.js';
import { checkSchema } from './schema.js';
import type { Tool } from './tool.js';

interface Interpreted {
  readonly status: CallStatus;
  readonly output?: unknown;
  readonly error?: { code: ErrorCode; message: string };
}

/** What an engine's outcome means for the agent (see docs/tool-convention.md). */
export function interpret(tool: Tool, outcome: RunOutcome): Interpreted {
  const text = fromUtf8(outcome.stdout);
  let parsed: unknown;
  let isJson = false;
  if (text !== undefined && text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
      isJson = true;
    } catch {}
  }
  switch (outcome.status) {
    case 'limit':
      return {
        status: 'limit',
        error: { code: 'TOOL_FAILED', message: outcome.message ?? `the ${outcome.limit ?? ''} limit was exceeded` },
      };
    case 'crashed':
      return { status: 'error', error: { code: 'TOOL_FAILED', message: outcome.message ?? 'the tool trapped' } };
    case 'failed': {
      const reported = isJson ? toolError(parsed) : undefined;
      const message = reported ?? `the tool exited with code ${outcome.exitCode}${outcome.message ? `: ${outcome.message}` : ''}`;
      return { status: 'error', ...(isJson ? { output: parsed } : {}), error: { code: 'TOOL_FAILED', message } };
    }
    case 'ok': {
      if (!isJson)
        return { status: 'error', error: { code: 'OUTPUT_INVALID', message: 'the tool did not write one JSON value to stdout' } };
      if (tool.manifest.outputSchema !== undefined) {
        const check = checkSchema(tool.manifest.outputSchema, parsed);
        if (!check.valid)
          return {
            status: 'error',
            output: parsed,
            error: { code: 'OUTPUT_INVALID', message: `the output does not match the schema: ${check.errors.join('; ')}` },
          };
      }
      return { status: 'ok', output: parsed };
    }
  }
}

/** `{"error": {"message": ...}}` from a failing tool, if it wrote one. */
function toolError(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const e = (v as { error?: unknown }).error;
  if (typeof e === 'string') return e;
  if (e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') {
    const code = (e as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${(e as { message: string }).message}`;
  }
  return undefined;
}
