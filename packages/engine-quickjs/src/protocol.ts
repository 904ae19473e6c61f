/**
 * Messages between the host and a QuickJS worker. Plain data only (structured
 * clone); the worker never receives a host object or function.
 *
 *   host → worker: init (the Wasm memory cap, the metered module's bytes), run (one job), reply (a capability answer)
 *   worker → host: ready, call (a capability request), done (the result)
 */
import type { SnippetJob, SnippetResult } from './runner.js';

export type ToWorker =
  | { readonly type: 'init'; readonly wasmMemoryBytes: number; readonly wasm?: Uint8Array }
  | { readonly type: 'run'; readonly run: number; readonly job: SnippetJob }
  | { readonly type: 'reply'; readonly run: number; readonly seq: number; readonly text: string };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'call'; readonly run: number; readonly seq: number; readonly op: string; readonly args: string }
  | { readonly type: 'done'; readonly run: number; readonly result: SnippetResult };
