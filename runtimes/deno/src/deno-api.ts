/**
 * The slice of the Deno namespace this runtime uses, typed by hand so the
 * package needs no Deno type package (and the compiler catches any use of an
 * API not listed here). Shapes follow Deno 2's `lib.deno.ns.d.ts`.
 */
import { AirlockError } from '@airlock/core';

export interface DenoFileInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
  readonly size: number;
  readonly mtime: Date | null;
  /** Null on Windows. */
  readonly ino: number | null;
  readonly dev: number;
}

export interface DenoDirEntry {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
}

export interface DenoOpenOptions {
  readonly read?: boolean;
  readonly write?: boolean;
  readonly append?: boolean;
  readonly truncate?: boolean;
  readonly create?: boolean;
  /** O_CREAT | O_EXCL: fails when the path exists, and never follows a symlink there. */
  readonly createNew?: boolean;
  readonly mode?: number;
}

export interface DenoFsFile {
  readSync(into: Uint8Array): number | null;
  writeSync(from: Uint8Array): number;
  seekSync(offset: number, whence: DenoSeekMode): number;
  truncateSync(length?: number): void;
  statSync(): DenoFileInfo;
  syncSync(): void;
  read(into: Uint8Array): Promise<number | null>;
  write(from: Uint8Array): Promise<number>;
  seek(offset: number, whence: DenoSeekMode): Promise<number>;
  truncate(length?: number): Promise<void>;
  stat(): Promise<DenoFileInfo>;
  sync(): Promise<void>;
  syncData(): Promise<void>;
  close(): void;
}

/** Deno.SeekMode.Start / Current / End. */
export type DenoSeekMode = 0 | 1 | 2;
export const SEEK_START: DenoSeekMode = 0;

export interface DenoApi {
  lstatSync(path: string): DenoFileInfo;
  statSync(path: string): DenoFileInfo;
  realPathSync(path: string): string;
  readLinkSync(path: string): string;
  readDirSync(path: string): Iterable<DenoDirEntry>;
  readFileSync(path: string): Uint8Array;
  openSync(path: string, options: DenoOpenOptions): DenoFsFile;
  open(path: string, options: DenoOpenOptions): Promise<DenoFsFile>;
  mkdirSync(path: string, options?: { readonly recursive?: boolean }): void;
  mkdir(path: string, options?: { readonly recursive?: boolean }): Promise<void>;
  removeSync(path: string): void;
  renameSync(from: string, to: string): void;
  linkSync(existing: string, path: string): void;
  readTextFileSync(path: string): string;
  writeTextFileSync(path: string, data: string, options?: { readonly createNew?: boolean }): void;
  /** Signal 0 checks that `pid` exists (needs --allow-run); throws NotFound when it does not. */
  kill(pid: number, signal: 0): void;
  /** Needs --allow-sys=hostname. */
  hostname(): string;
  readonly pid: number;
  /** The process environment (needs --allow-env for the names read). */
  readonly env: { get(key: string): string | undefined };
}

/** The Web Worker constructor, as Deno provides it (module workers only). */
export interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onmessageerror: ((event: { readonly data: unknown }) => void) | null;
  onerror: ((event: { readonly message: string; readonly error?: unknown; preventDefault(): void }) => void) | null;
}
export type WebWorkerConstructor = new (specifier: string, options: { readonly type: 'module' }) => WebWorker;

/** The Deno namespace and Worker, or HOST_UNSUPPORTED when this is not Deno. */
export function denoGlobals(): { readonly deno: DenoApi; readonly Worker: WebWorkerConstructor } {
  const g = globalThis as { Deno?: DenoApi; Worker?: WebWorkerConstructor };
  if (g.Deno === undefined || g.Worker === undefined) {
    throw new AirlockError('HOST_UNSUPPORTED', 'createDenoHost runs only under Deno (no Deno global here)');
  }
  return { deno: g.Deno, Worker: g.Worker };
}
