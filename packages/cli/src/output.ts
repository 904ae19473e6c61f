/** Terminal output: aligned tables for people, JSON for machines. */

export interface Out {
  readonly json: boolean;
  /** stdout */
  line(text?: string): void;
  /** stderr: progress and diagnostics, never parsed by machines */
  note(text: string): void;
  data(value: unknown): void;
}

export function makeOut(
  json: boolean,
  write = (s: string) => process.stdout.write(s),
  writeErr = (s: string) => process.stderr.write(s),
): Out {
  return {
    json,
    line: (text = '') => write(`${text}\n`),
    note: (text) => writeErr(`${text}\n`),
    data: (value) => write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/** Render rows as a plain aligned table (no box drawing: copy-paste friendly). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function ms(n: number): string {
  return n < 1 ? `${(n * 1000).toFixed(0)} µs` : `${n.toFixed(1)} ms`;
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
