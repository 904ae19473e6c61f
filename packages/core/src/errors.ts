/**
 * Typed errors for misuse: the third shape of failure (DESIGN.md §4).
 *
 * A denial is a Decision value and a limit is a trap reported in a result;
 * everything else that is wrong with what a caller handed us (a policy that
 * does not parse, a manifest without a name, bytes that are not Wasm, JSON
 * that does not match a schema) is an AirlockError with a stable `code`.
 * Codes are part of the public contract: tools and CLIs branch on them, so a
 * code is never renamed, only added.
 */

/** Every stable error code, with the CLI exit code it maps to. */
export const ERROR_CODES = {
  /** A policy document does not parse or validate. */
  POLICY_INVALID: 2,
  /** A tool manifest does not parse or validate. */
  MANIFEST_INVALID: 2,
  /** An artifact is not a valid module for its engine. */
  WASM_INVALID: 2,
  /** A call's input is not JSON or does not match the tool's input schema. */
  INPUT_INVALID: 2,
  /** A call's input is larger than its limit. */
  INPUT_TOO_LARGE: 2,
  /** No tool of that name is registered. */
  TOOL_NOT_FOUND: 2,
  /** Command-line or API arguments are wrong. */
  ARGS_INVALID: 2,
  /** The tool ran and failed (non-zero exit, bad output). */
  TOOL_FAILED: 5,
  /** The tool's output is not JSON or does not match its output schema. */
  OUTPUT_INVALID: 5,
  /** An audit log does not verify (mutation, truncation, reordering, splice). */
  AUDIT_CORRUPT: 6,
  /** An audit log could not be read or written. */
  AUDIT_IO: 1,
  /**
   * Another writer holds the audit log (its `<log>.lock` names the holder);
   * nothing was written. Exit 1 like AUDIT_IO: the call could not be
   * recorded, so it did not run, and no request of the caller was wrong.
   */
  AUDIT_LOCKED: 1,
  /** The host lacks an ability the call needs (no file system, no workers). */
  HOST_UNSUPPORTED: 1,
  /** A bug in Airlock itself. */
  INTERNAL: 1,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in a file an error was found (1-based line and column). */
export interface SourcePosition {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
}

export interface AirlockErrorOptions {
  /** Where the problem is, when it comes from a file. */
  readonly position?: SourcePosition;
  /** Structured details (JSON-serialisable) for machines. */
  readonly details?: Record<string, unknown>;
  readonly cause?: unknown;
}

/** The one error class Airlock throws for misuse. Branch on `code`. */
export class AirlockError extends Error {
  override readonly name = 'AirlockError';
  readonly code: ErrorCode;
  readonly position: SourcePosition | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AirlockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.position = options.position;
    this.details = options.details;
  }

  /** `file:line:column: message`, the form editors and CI annotate. */
  override toString(): string {
    const p = this.position;
    if (!p) return `${this.code}: ${this.message}`;
    const where = `${p.file ?? '<input>'}:${p.line}:${p.column}`;
    return `${where}: ${this.code}: ${this.message}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.position ? { position: this.position } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** True for an AirlockError, optionally of one code. */
export function isAirlockError(e: unknown, code?: ErrorCode): e is AirlockError {
  return e instanceof AirlockError && (code === undefined || e.code === code);
}

/** The process exit code for an error code (see the CLI's exit-code table). */
export function exitCodeFor(code: ErrorCode): number {
  return ERROR_CODES[code];
}
