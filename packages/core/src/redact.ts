/**
 * Redaction: the audit log keeps the input a call was given, except the
 * fields the deciding rule names (`redact: [input.token]`), which are stored
 * as "[redacted]". The digest of the full input is kept either way, so a
 * record can still be matched against a known input.
 */
export const REDACTED = '[redacted]';

export function redactInput(input: unknown, paths: readonly string[]): unknown {
  if (paths.length === 0) return input;
  if (paths.includes('input')) return REDACTED;
  const copy = structuredClone(input);
  for (const path of paths) {
    const parts = path.split('.');
    if (parts[0] !== 'input' || parts.length < 2) continue;
    let node: unknown = copy;
    for (let i = 1; i < parts.length - 1 && node !== null && typeof node === 'object'; i++) {
      node = (node as Record<string, unknown>)[parts[i]!];
    }
    const last = parts[parts.length - 1]!;
    if (node !== null && typeof node === 'object' && Object.hasOwn(node, last)) {
      (node as Record<string, unknown>)[last] = REDACTED;
    }
  }
  return copy;
}
