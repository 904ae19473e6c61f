/**
 * @airlock/policy: read a policy document (YAML or JSON) with precise
 * errors, compile it to a fast decision function, and explain decisions.
 *
 *   const policy = loadPolicy(text, { file: 'airlock.yaml' });
 *   policy.decide({ agent, tool, input, session }); // a Decision value
 */
export { canonicalGuestPath } from './canonical-path.js';
export type { CompiledPolicy, CompileOptions } from './compile.js';
export { compilePolicy, defaultDenyReason } from './compile.js';
export type { Explanation, RuleFailure, RuleTrace } from './explanation.js';
export { formatExplanation } from './explanation.js';
export type { LoadOptions } from './load.js';
export { denyAllPolicy, loadPolicy } from './load.js';
export type {
  ConditionSpec,
  GrantsSpec,
  JsonValue,
  PolicyDocument,
  PolicyProblem,
  RuleEffect,
  RuleSpec,
  SecretSpec,
  VolumeSpec,
  WhenSpec,
} from './model.js';
export { POLICY_VERSION } from './model.js';
export type { ParseOptions } from './parse.js';
export { MAX_POLICY_BYTES, parsePolicy } from './parse.js';
