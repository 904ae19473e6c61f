/** Usage: what one call consumed, reported by the engine and audited. */
export interface Usage {
  /** Wall time of the engine run, milliseconds (fractional). */
  readonly wallMs: number;
  /** Fuel consumed, or `null` when the engine was not metered. */
  readonly fuel: number | null;
  /** Largest linear memory seen, bytes. */
  readonly peakMemoryBytes: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly stderrBytes: number;
  readonly fsReadBytes: number;
  readonly fsWriteBytes: number;
}

export const ZERO_USAGE: Usage = Object.freeze({
  wallMs: 0,
  fuel: null,
  peakMemoryBytes: 0,
  inputBytes: 0,
  outputBytes: 0,
  stderrBytes: 0,
  fsReadBytes: 0,
  fsWriteBytes: 0,
});
