/**
 * Subjects: what a `when` condition looks at (`input.path`, `session.calls`).
 *
 * A subject is parsed once, at load time, into a getter closure. A getter
 * returns `MISSING` rather than `undefined` when the subject is absent, so
 * "absent" and "present but null" stay different (`exists` needs that).
 * Input fields are read as own properties only: `input.constructor` or
 * `input.__proto__` are never taken from a prototype.
 */
import type { DecisionRequest } from '@airlock/core';

/** The value of an absent subject. */
export const MISSING: unique symbol = Symbol('missing');
export type Getter = (req: DecisionRequest) => unknown;

export const SUBJECT_FORMS = 'input, input.<field>..., agent, tool, session.id, session.calls, session.toolCalls.<tool>';

/** Why `subject` is not a valid subject, or undefined when it is. */
export function subjectError(subject: string): string | undefined {
  if (subject === 'agent' || subject === 'tool' || subject === 'input' || subject === 'session.id' || subject === 'session.calls') return;
  if (subject.startsWith('session.toolCalls.') && subject.length > 'session.toolCalls.'.length) return;
  if (subject.startsWith('input.')) {
    if (subject.slice(6).split('.').includes('')) return `subject "${subject}" has an empty field name; expected input.<field>.<field>`;
    return;
  }
  return `unknown subject "${subject}"; expected one of: ${SUBJECT_FORMS}`;
}

/** True when `path` is an input path (`input` or `input.a.b`), as `redact` takes. */
export function isInputPath(path: string): boolean {
  return path === 'input' || (path.startsWith('input.') && !path.slice(6).split('.').includes(''));
}

function field(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return MISSING;
  if (Array.isArray(value)) {
    if (!/^(?:0|[1-9][0-9]*)$/.test(key)) return MISSING;
    const i = Number(key);
    return i < value.length ? value[i] : MISSING;
  }
  if (!Object.hasOwn(value, key)) return MISSING;
  const x = (value as Record<string, unknown>)[key];
  return x === undefined ? MISSING : x;
}

/** A getter for a subject that `subjectError` accepted. */
export function compileSubject(subject: string): Getter {
  switch (subject) {
    case 'agent':
      return (req) => req.agent;
    case 'tool':
      return (req) => req.tool;
    case 'input':
      return (req) => (req.input === undefined ? MISSING : req.input);
    case 'session.id':
      return (req) => req.session?.id ?? MISSING;
    case 'session.calls':
      return (req) => req.session?.calls ?? MISSING;
  }
  if (subject.startsWith('session.toolCalls.')) {
    const tool = subject.slice('session.toolCalls.'.length);
    // A tool never called in this session has made 0 calls: present, not missing.
    return (req) => {
      const counts = req.session?.toolCalls;
      if (!counts) return MISSING;
      return Object.hasOwn(counts, tool) ? counts[tool] : 0;
    };
  }
  const path = subject.slice('input.'.length).split('.');
  if (path.length === 1) {
    const key = path[0]!;
    return (req) => field(req.input, key);
  }
  return (req) => {
    let value: unknown = req.input;
    for (const key of path) {
      value = field(value, key);
      if (value === MISSING) return MISSING;
    }
    return value;
  };
}
