// Shared helpers for this package's tests (a *.test.ts file so it is never
// part of the published surface; it defines no tests itself).
import type { DecisionRequest } from '@airlock/core';

export function request(over: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    agent: 'analyst',
    tool: 'grep',
    input: {},
    session: { id: 'sess-1', calls: 0, toolCalls: {} },
    ...over,
  };
}

/** A one-rule policy that allows everything when `subject: condition` holds. */
export function oneCondition(subject: string, condition: string): string {
  return [
    'version: 1',
    'rules:',
    '  - id: r',
    '    effect: allow',
    '    agent: "*"',
    '    tool: "*"',
    '    when:',
    `      ${subject}: ${condition}`,
    '',
  ].join('\n');
}
