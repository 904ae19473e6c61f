/**
 * Limits: how much one call may consume. Every default lives here, in one
 * place, so a reader can see what a call gets when nobody says otherwise.
 *
 * Effective limits are computed per call (see `resolveLimits`): for each
 * field, the smallest value that the policy or the manifest sets; the
 * default only where neither sets one. The policy is the security team's
 * ceiling; the manifest is what the tool author says it needs; a tool can
 * ask for less than the policy allows but never more.
 */

export interface Limits {
  /** Wall-clock time for the whole run, in milliseconds (hard backstop). */
  readonly wallMs: number;
  /** Fuel: roughly one unit per Wasm instruction (enforced by packages/meter). */
  readonly fuel: number;
  /** Largest linear memory an instance may grow to, in bytes. */
  readonly memoryBytes: number;
  /** Largest call input, in bytes of UTF-8 JSON. */
  readonly inputBytes: number;
  /** Largest output (stdout / return value), in bytes. */
  readonly outputBytes: number;
  /** Largest captured stderr / console output, in bytes; the rest is cut. */
  readonly stderrBytes: number;
  /** Bytes a call may write to its read-write mounts in total. */
  readonly fsWriteBytes: number;
}

export const MiB = 1024 * 1024;

/** The defaults: deliberately small; a policy raises them per rule. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  wallMs: 5_000,
  fuel: 1_000_000_000,
  memoryBytes: 64 * MiB,
  inputBytes: 1 * MiB,
  outputBytes: 1 * MiB,
  stderrBytes: 64 * 1024,
  fsWriteBytes: 16 * MiB,
});

export const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as ReadonlyArray<keyof Limits>;

/**
 * Combine limits: per field, the minimum of the values that are set;
 * `DEFAULT_LIMITS` where none is.
 */
export function resolveLimits(...sources: ReadonlyArray<Partial<Limits> | undefined>): Limits {
  const out: Record<string, number> = {};
  for (const key of LIMIT_KEYS) {
    let value: number | undefined;
    for (const source of sources) {
      const v = source?.[key];
      if (typeof v === 'number' && (value === undefined || v < value)) value = v;
    }
    out[key] = value ?? DEFAULT_LIMITS[key];
  }
  return out as unknown as Limits;
}

/**
 * Caps on each outbound request a tool makes (packages/egress). Kept apart
 * from `Limits` for now: the policy cannot set them yet, so every call gets
 * these.
 */
export interface EgressLimits {
  /** Largest response body, in bytes; a longer one is cut and denied. */
  readonly responseBytes: number;
  /** Whole exchange, resolve to last byte, per hop, in milliseconds. */
  readonly timeoutMs: number;
  /** Redirects followed for one request before it is denied. */
  readonly maxRedirects: number;
}

export const DEFAULT_EGRESS_LIMITS: EgressLimits = Object.freeze({
  responseBytes: 1 * MiB,
  timeoutMs: 10_000,
  maxRedirects: 5,
});
