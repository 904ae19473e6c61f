/**
 * Tool manifests: what a tool is, what it takes and gives, which engine runs
 * it, and what it asks for. A manifest lives beside the artifact
 * (`manifest.json`) or, later, inside it (a Wasm custom section).
 */
import { AirlockError } from './errors.js';
import type { CapabilityRequest, FsAccess } from './grants.js';
import { parseJsonText } from './json.js';
import { INTEGER_LIMIT_KEYS, LIMIT_KEYS, type Limits } from './limits.js';
import { parseNetPattern } from './net-pattern.js';

export type EngineKind = 'wasip1' | 'component' | 'js';
export const ENGINE_KINDS: readonly EngineKind[] = ['wasip1', 'component', 'js'];

/** A JSON Schema (draft 2020-12 subset), kept as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>> | boolean;

export interface ToolManifest {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly engine: EngineKind;
  /** The artifact's path relative to the manifest. */
  readonly artifact: string;
  readonly inputSchema: JsonSchema;
  readonly outputSchema?: JsonSchema;
  readonly capabilities: CapabilityRequest;
  /** What the tool says it needs; the policy may lower it. */
  readonly limits: Partial<Limits>;
  /** argv[1..] passed to a command-style tool. */
  readonly args: readonly string[];
}

const NAME = /^[a-z][a-z0-9-]{0,63}$/;

function fail(file: string | undefined, message: string): never {
  throw new AirlockError('MANIFEST_INVALID', file ? `${file}: ${message}` : message, {
    details: file ? { file } : undefined,
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Record<string, unknown>, key: string, file?: string, optional = false): string {
  const v = o[key];
  if (v === undefined && optional) return '';
  if (typeof v !== 'string' || v === '') fail(file, `"${key}" must be a non-empty string`);
  return v;
}

/** Validate a parsed manifest object; throws MANIFEST_INVALID saying what to fix. */
export function validateManifest(value: unknown, file?: string): ToolManifest {
  if (!isRecord(value)) fail(file, 'a manifest must be a JSON object');
  const known = new Set([
    'name',
    'version',
    'description',
    'engine',
    'artifact',
    'inputSchema',
    'outputSchema',
    'capabilities',
    'limits',
    'args',
    '$schema',
  ]);
  for (const k of Object.keys(value)) if (!known.has(k)) fail(file, `unknown field "${k}"`);
  const name = str(value, 'name', file);
  if (!NAME.test(name)) fail(file, `"name" must match ${NAME} (got ${JSON.stringify(name)})`);
  const engine = str(value, 'engine', file) as EngineKind;
  if (!ENGINE_KINDS.includes(engine)) fail(file, `"engine" must be one of ${ENGINE_KINDS.join(', ')}`);
  const inputSchema = value.inputSchema;
  if (!isRecord(inputSchema) && typeof inputSchema !== 'boolean') fail(file, '"inputSchema" must be a JSON Schema');
  const outputSchema = value.outputSchema;
  if (outputSchema !== undefined && !isRecord(outputSchema) && typeof outputSchema !== 'boolean')
    fail(file, '"outputSchema" must be a JSON Schema');
  const args = value.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) fail(file, '"args" must be an array of strings');
  return {
    name,
    version: str(value, 'version', file, true) || '0.0.0',
    description: str(value, 'description', file, true),
    engine,
    artifact: str(value, 'artifact', file),
    inputSchema: inputSchema as JsonSchema,
    ...(outputSchema === undefined ? {} : { outputSchema: outputSchema as JsonSchema }),
    capabilities: validateCapabilities(value.capabilities, file),
    limits: validateLimits(value.limits, file),
    args,
  };
}

/** Parse and validate manifest JSON text. */
export function parseManifest(text: string, file?: string): ToolManifest {
  return validateManifest(parseJsonText(text, 'MANIFEST_INVALID', file), file);
}

function validateCapabilities(v: unknown, file?: string): CapabilityRequest {
  if (v === undefined) return {};
  if (!isRecord(v)) fail(file, '"capabilities" must be an object');
  for (const k of Object.keys(v)) if (!['fs', 'env', 'net'].includes(k)) fail(file, `unknown capability "${k}"`);
  const fs: { mount: string; access: FsAccess }[] = [];
  for (const m of (v.fs as unknown[] | undefined) ?? []) {
    if (!isRecord(m) || typeof m.mount !== 'string' || !m.mount.startsWith('/'))
      fail(file, 'each "capabilities.fs" entry needs an absolute "mount"');
    const access = m.access ?? 'read';
    if (access !== 'read' && access !== 'read-write') fail(file, `"access" of ${m.mount} must be "read" or "read-write"`);
    fs.push({ mount: m.mount, access });
  }
  const env = (v.env as unknown[] | undefined) ?? [];
  if (!Array.isArray(env) || !env.every((e) => typeof e === 'string')) fail(file, '"capabilities.env" must be an array of names');
  const net: { url: string; methods?: string[] }[] = [];
  for (const n of (v.net as unknown[] | undefined) ?? []) {
    if (!isRecord(n) || typeof n.url !== 'string') fail(file, 'each "capabilities.net" entry needs a "url" pattern');
    const pattern = parseNetPattern(n.url);
    if (typeof pattern === 'string') fail(file, `"capabilities.net" url ${JSON.stringify(n.url)}: ${pattern}`);
    const methods = n.methods;
    if (methods !== undefined && (!Array.isArray(methods) || !methods.every((x) => typeof x === 'string' && /^[A-Z]+$/.test(x))))
      fail(file, `"methods" of ${n.url} must be an array of uppercase HTTP methods such as "GET"`);
    net.push(methods === undefined ? { url: n.url } : { url: n.url, methods: methods as string[] });
  }
  return { fs, env: env as string[], net };
}

/** Validate a partial Limits object (shared by manifests and policies). */
export function validateLimits(v: unknown, file?: string, what = 'limits'): Partial<Limits> {
  if (v === undefined) return {};
  if (!isRecord(v)) fail(file, `"${what}" must be an object`);
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(v)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(k)) fail(file, `unknown limit "${k}" (known: ${LIMIT_KEYS.join(', ')})`);
    if (INTEGER_LIMIT_KEYS.has(k as keyof Limits)) {
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) fail(file, `limit "${k}" must be a non-negative integer`);
    } else if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) fail(file, `limit "${k}" must be a non-negative number`);
    out[k] = n;
  }
  return out as Partial<Limits>;
}
