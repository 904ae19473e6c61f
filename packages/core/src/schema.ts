/**
 * JSON Schema validation of tool inputs and outputs. @cfworker/json-schema
 * interprets schemas without generating code (no `new Function`), so it runs
 * in edge workers and under strict CSP, where code-generating validators
 * cannot. Validators are built once per schema and cached.
 */
import { Validator } from '@cfworker/json-schema';
import type { JsonSchema } from './manifest.js';

export interface SchemaCheck {
  readonly valid: boolean;
  /** Human sentences, `at /a/b: what is wrong`, at most a few. */
  readonly errors: readonly string[];
}

const cache = new WeakMap<object, Validator>();

function validatorFor(schema: JsonSchema): Validator | null {
  if (typeof schema === 'boolean') return null;
  let v = cache.get(schema);
  if (!v) {
    v = new Validator(schema as Record<string, unknown> as never, '2020-12', false);
    cache.set(schema, v);
  }
  return v;
}

export function checkSchema(schema: JsonSchema, value: unknown, maxErrors = 5): SchemaCheck {
  if (schema === true) return { valid: true, errors: [] };
  if (schema === false) return { valid: false, errors: ['the schema accepts no value'] };
  const result = validatorFor(schema)!.validate(value);
  if (result.valid) return { valid: true, errors: [] };
  // The validator reports every enclosing keyword too; the deepest ones say the most.
  const errors = [...result.errors]
    .sort((a, b) => b.instanceLocation.length - a.instanceLocation.length)
    .slice(0, maxErrors)
    .map((e) => `at ${e.instanceLocation.replace(/^#/, '') || '/'}: ${e.error}`);
  return { valid: false, errors };
}
