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
  /**
   * Largest response body of one outbound request, in bytes; a longer one is
   * cut and the request denied. Per request, not per call: two requests may
   * each read this much. (The js engine's `fetch` also caps request bodies
   * with it.)
   */
  readonly netResponseBytes: number;
  /** One outbound request from name resolution to last byte, redirects included, in milliseconds. */
  readonly netTimeoutMs: number;
  /** Redirects followed for one outbound request before it is denied (0: none). */
  readonly netRedirects: number;
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
  netResponseBytes: 1 * MiB,
  netTimeoutMs: 10_000,
  netRedirects: 5,
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
 * Limits that count things (bytes, redirects) rather than measure them: a
 * fraction is always a mistake there, so `validateLimits` wants an integer.
 * The older limits accept any non-negative number, as they always have.
 */
export const INTEGER_LIMIT_KEYS: ReadonlySet<keyof Limits> = new Set(['netResponseBytes', 'netTimeoutMs', 'netRedirects']);

/**
 * Caps on each outbound request a tool makes, in the shape packages/egress
 * reads them. They are the call's `net*` limits under the egress package's
 * own names, so a policy sets them like any other limit; `egressLimits` is
 * the only place the two spellings meet.
 */
export interface EgressLimits {
  /** Largest response body, in bytes; a longer one is cut and denied (`Limits.netResponseBytes`). */
  readonly responseBytes: number;
  /** Whole exchange, resolve to last byte, redirects included, in milliseconds (`Limits.netTimeoutMs`). */
  readonly timeoutMs: number;
  /** Redirects followed for one request before it is denied (`Limits.netRedirects`). */
  readonly maxRedirects: number;
}

/** The egress caps of a call with these (effective) limits. */
export function egressLimits(limits: Limits): EgressLimits {
  return { responseBytes: limits.netResponseBytes, timeoutMs: limits.netTimeoutMs, maxRedirects: limits.netRedirects };
}

/** The caps of a call nobody set any for: derived, so they cannot drift from DEFAULT_LIMITS. */
export const DEFAULT_EGRESS_LIMITS: EgressLimits = Object.freeze(egressLimits(DEFAULT_LIMITS));
