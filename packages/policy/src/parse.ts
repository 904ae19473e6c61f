/**
 * `parsePolicy`: text (YAML, or JSON, which is read by the same YAML parser
 * so that positions work the same) to a validated `PolicyDocument`.
 *
 * The parser is all-or-nothing. It collects every problem it can find,
 * sorted by position, and throws one `AirlockError('POLICY_INVALID')` whose
 * message is the first problem and whose `details.errors` lists them all as
 * `{ file, line, column, message }`. Nothing partly loaded ever escapes.
 *
 * Hostile input is bounded: text over `MAX_POLICY_BYTES` is refused before
 * parsing, aliases and node visits spend from a budget, and nesting inside
 * conditions is capped, so a policy file cannot hang or crash the loader.
 */
import { AirlockError, MiB, type SourcePosition } from '@airlock/core';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { POLICY_VERSION, type PolicyDocument, type PolicyProblem, type RuleSpec, type SecretSpec, type VolumeSpec } from './model.js';
import { readLimits } from './read-limits.js';
import { readSecrets } from './read-net.js';
import { RULE_ID, type RuleContext, readRule } from './read-rule.js';
import { BudgetExceeded, NODE_BUDGET, quote, YamlReader } from './yaml-reader.js';

/** Largest policy text accepted, in UTF-8 bytes. */
export const MAX_POLICY_BYTES = 1 * MiB;
export const TOP_LEVEL_KEYS = ['version', 'volumes', 'secrets', 'limits', 'rules'] as const;

export interface ParseOptions {
  /** Where the text came from: put in every position and kept on the document. */
  readonly file?: string;
}

/** Parse and validate a policy. Throws `POLICY_INVALID` listing every problem. */
export function parsePolicy(text: string, opts: ParseOptions = {}): PolicyDocument {
  const { file } = opts;
  const start: SourcePosition = file === undefined ? { line: 1, column: 1 } : { file, line: 1, column: 1 };
  if (typeof text !== 'string')
    throw invalid([problemAt(start, 'policy text must be a string; expected the contents of a YAML or JSON file')]);
  const bytes = text.length > MAX_POLICY_BYTES ? text.length : new TextEncoder().encode(text).length;
  if (bytes > MAX_POLICY_BYTES)
    throw invalid([problemAt(start, `policy is ${bytes} bytes; expected at most ${MAX_POLICY_BYTES} bytes (1 MiB)`)]);

  const lines = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  } catch (err) {
    // yaml recurses on nesting; a pathological document can exhaust the stack.
    throw invalid([problemAt(start, `policy could not be parsed (${errorText(err)}); expected a plainly nested YAML or JSON document`)]);
  }
  const r = new YamlReader(doc, lines, file);
  for (const e of [...doc.errors, ...doc.warnings]) r.problem(r.at(e.pos[0]), yamlMessage(e));
  let result: PolicyDocument | undefined;
  if (doc.errors.length === 0) {
    try {
      result = readDocument(r, doc.contents, start);
    } catch (err) {
      if (err instanceof BudgetExceeded)
        r.problem(start, `policy has more than ${NODE_BUDGET} values once aliases are expanded; expected a smaller document`);
      else if (err instanceof RangeError) r.problem(start, `policy nests too deeply (${err.message}); expected a plainly nested document`);
      else throw err;
    }
  }
  if (r.problems.length > 0 || !result) throw invalid(r.problems.length > 0 ? r.problems : [problemAt(start, 'policy did not validate')]);
  return result;
}

function readDocument(r: YamlReader, contents: unknown, start: SourcePosition): PolicyDocument | undefined {
  const root = r.val(contents, start);
  if (root.node === null || r.scalar(root) === null) {
    r.problem(start, 'policy is empty; expected a map with "version: 1" and "rules: [...]"');
    return undefined;
  }
  const entries = r.map(root, 'the policy');
  if (!entries) return undefined;
  const f = r.known(entries, TOP_LEVEL_KEYS, 'the policy');

  const versionE = f.get('version');
  if (!versionE) r.problem(root.at, `policy has no "version"; expected version: ${POLICY_VERSION}`);
  else if (r.scalar(versionE.value) !== POLICY_VERSION)
    r.problem(versionE.value.at, `version is ${r.describe(versionE.value)}; expected version: ${POLICY_VERSION}`);

  const volumes: Record<string, VolumeSpec> = {};
  const volumesE = f.get('volumes');
  for (const e of volumesE ? (r.map(volumesE.value, 'volumes') ?? []) : []) {
    if (!RULE_ID.test(e.key))
      r.problem(e.keyAt, `volume name ${quote(e.key)} has characters outside [A-Za-z0-9_.-]; expected e.g. "workspace"`);
    const m = r.map(e.value, `volume ${quote(e.key)}`);
    if (!m) continue;
    const pathE = r.known(m, ['path'], `volume ${quote(e.key)}`).get('path');
    if (!pathE) {
      r.problem(e.value.at, `volume ${quote(e.key)} has no "path"; expected { path: ./dir }`);
      continue;
    }
    const path = r.string(pathE.value, `volume ${quote(e.key)}.path`, 'a host directory path');
    if (path === '' || path?.includes('\0'))
      r.problem(pathE.value.at, `volume ${quote(e.key)}.path is empty or has a NUL byte; expected a directory path`);
    else if (path !== undefined) Object.defineProperty(volumes, e.key, { value: { path, position: pathE.value.at }, enumerable: true });
  }

  const secretsE = f.get('secrets');
  const secrets: Record<string, SecretSpec> = secretsE ? readSecrets(r, secretsE.value) : {};

  const limitsE = f.get('limits');
  const limits = limitsE ? readLimits(r, limitsE.value, 'limits') : {};

  const rules: RuleSpec[] = [];
  const rulesE = f.get('rules');
  if (!rulesE) r.problem(root.at, 'policy has no "rules"; expected rules: a list of rules (an empty list denies everything)');
  const ctx: RuleContext = { volumes: new Set(Object.keys(volumes)), secrets, ids: new Map() };
  for (const [i, item] of (rulesE ? (r.list(rulesE.value, 'rules') ?? []) : []).entries()) {
    const rule = readRule(r, item, i, ctx);
    if (rule) rules.push(rule);
  }

  if (r.problems.length > 0 || !limits) return undefined;
  return {
    version: POLICY_VERSION,
    ...(r.file === undefined ? {} : { file: r.file }),
    volumes,
    secrets,
    limits,
    rules,
  };
}

function problemAt(at: SourcePosition, message: string): PolicyProblem {
  return { ...(at.file === undefined ? {} : { file: at.file }), line: at.line, column: at.column, message };
}

/** The one error a bad policy becomes: first problem as message, all in details. */
function invalid(problems: readonly PolicyProblem[]): AirlockError {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const sorted = unique.sort((a, b) => a.line - b.line || a.column - b.column);
  const first = sorted[0]!;
  const position: SourcePosition = { ...(first.file === undefined ? {} : { file: first.file }), line: first.line, column: first.column };
  return new AirlockError('POLICY_INVALID', first.message, { position, details: { errors: sorted } });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** yaml's message without its "at line X, column Y" tail, plus what to do. */
function yamlMessage(e: YAMLError): string {
  const text = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  switch (e.code) {
    case 'MULTIPLE_DOCS':
      return 'policy has more than one YAML document; expected exactly one (remove the extra "---")';
    case 'BAD_ALIAS':
      return `invalid YAML: ${text}; a bare * starts an alias in YAML, so write "*" in quotes`;
    case 'TAG_RESOLVE_FAILED':
      return `invalid YAML: ${text}; expected plain YAML without custom tags`;
    default:
      return `invalid YAML: ${text}`;
  }
}
