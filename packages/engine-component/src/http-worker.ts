/**
 * The worker side of a wasi:http component (http-runner.ts is the other).
 * Written for the Web worker shape (`self.onmessage`, `postMessage`), which
 * runtimes/node's workers provide on Node and Deno and browsers have.
 *
 * Messages in: `load` (the generated glue's source and the compiled core
 * modules, once per worker), `run` (one call: the grants the worker may
 * hold — args, env, input, limits, each mount's path and access — and the
 * bridge buffer). Out: `loaded`, `http` (a request for the owner's egress)
 * and `fs` (an operation on a mount's Vfs, vfs-proxy.ts), after each of
 * which the worker blocks on the buffer, and `done` (the RunOutcome, without
 * egress records, which the owner keeps). Each run is a fresh instance with
 * a fresh WASI host, exactly as on the main thread (engine.ts `run`, which
 * wraps each proxy mount for access and quota as it would the real Vfs);
 * grants never outlive the run.
 */
import type { FsAccess, Limits, Mount, RunRequest } from '@airlock/core';
import { defaultClock, type WasmModule } from '@airlock/wasi';
import { compilePlan } from './canon/instance.js';
import { run } from './engine.js';
import { prepareGlue } from './glue.js';
import { payloadRoom, sendHttpSync, sendSync } from './http-bridge.js';
import { dataUrlLoader, type GeneratedModule, type GlueSource, type LoadedComponent, linkComponent, shapeLookup } from './load.js';
import type { CoreShape } from './metering.js';
import { buildHttpImports } from './preview2/http.js';
import { type FsCall, ProxyVfs } from './vfs-proxy.js';

interface WorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}
const scope = globalThis as unknown as WorkerScope;

type LoadMessage = {
  type: 'load';
  glue: GlueSource;
  kind: 'command' | 'typed';
  modules: [string, WasmModule][];
  shapes: [string, CoreShape][];
  imports: string[];
  exports: [string, string][];
};
type RunMessage = {
  type: 'run';
  toolName: string;
  callId: string;
  input: Uint8Array;
  args: string[];
  env: Record<string, string>;
  /** The granted mounts, by index in the owner's `RunRequest.mounts`; their Vfs stays there. */
  mounts: { path: string; access: FsAccess }[];
  limits: Limits;
  /** Whether the component imports wasi:http (else no http imports are added). */
  http: boolean;
  sab: SharedArrayBuffer;
  /** The egress response cap, for `HTTP-response-body-size`. */
  responseBytes: number;
};

let component: LoadedComponent | undefined;

async function load(m: LoadMessage): Promise<void> {
  const modules = new Map(m.modules);
  // The same glue as on the owner's thread: ours re-linked from the bytes
  // (parse + link are milliseconds), or jco's module imported again.
  let generated: GeneratedModule;
  if (m.glue.kind === 'airlock') {
    const plan = linkComponent(m.glue.component, 'worker');
    if (plan === undefined) throw new Error('the component no longer links with our glue');
    generated = compilePlan(plan);
  } else generated = await dataUrlLoader(prepareGlue(m.glue.js).js, '');
  component = {
    kind: m.kind,
    generated,
    glue: m.glue,
    moduleNames: [...modules.keys()],
    imports: m.imports,
    exports: m.exports,
    getCoreModule: (name) => {
      const mod = modules.get(name);
      if (mod === undefined) throw new Error(`unknown core module ${name}`);
      return mod;
    },
    ...shapeLookup(modules, new Map(m.shapes)),
  };
}

async function runOne(m: RunMessage): Promise<void> {
  if (component === undefined) throw new Error('run before load');
  const post = (message: unknown): void => scope.postMessage(message);
  const call: FsCall = (req, payload) => sendSync(m.sab, post, req, payload);
  const room = payloadRoom(m.sab);
  const mounts: Mount[] = m.mounts.map((x, i) => ({ path: x.path, access: x.access, vfs: new ProxyVfs(call, i, room) }));
  const request: RunRequest = { callId: m.callId, input: m.input, args: m.args, env: m.env, mounts, limits: m.limits };
  const outcome = await run(
    component,
    m.toolName,
    request,
    defaultClock,
    Date.now,
    m.http
      ? (guard) => buildHttpImports({ guard, responseBytes: m.responseBytes, send: (req) => sendHttpSync(m.sab, post, req) })
      : undefined,
  );
  scope.postMessage({ type: 'done', outcome });
}

scope.onmessage = (event) => {
  const m = event.data as LoadMessage | RunMessage;
  const task = m.type === 'load' ? load(m).then(() => scope.postMessage({ type: 'loaded' })) : runOne(m);
  task.catch((e: unknown) => scope.postMessage({ type: 'fatal', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }));
};
