/**
 * Loading: parse + compile in one step, and the policy that stands in when
 * there is no policy file at all. No file means no rule, and no rule means
 * every call is denied (deny by default, DESIGN.md §5).
 */
import { type CompiledPolicy, type CompileOptions, compilePolicy } from './compile.js';
import { POLICY_VERSION } from './model.js';
import { type ParseOptions, parsePolicy } from './parse.js';

export type LoadOptions = ParseOptions & CompileOptions;

/** Parse, validate and compile a policy text. Throws `POLICY_INVALID`. */
export function loadPolicy(text: string, opts: LoadOptions = {}): CompiledPolicy {
  return compilePolicy(parsePolicy(text, opts), opts);
}

/** A policy with no rules: every call is denied, and the reason says why. */
export function denyAllPolicy(): CompiledPolicy {
  return compilePolicy(
    { version: POLICY_VERSION, volumes: {}, secrets: {}, limits: {}, rules: [] },
    {
      defaultReason: (agent, tool) =>
        `no policy is loaded, so no rule allows agent ${JSON.stringify(agent)} to call tool ${JSON.stringify(tool)}`,
    },
  );
}
