/**
 * The QuickJS worker: a Web-worker module (Node's runtime gives it the Web
 * names, see runtimes/node/src/worker.ts) that loads the Wasm module once (the
 * metered bytes the host rewrote once, when it sends them) and
 * runs one job at a time. Capability calls go to the host as messages and
 * come back as JSON text; the worker holds no capability itself.
 *
 * The host terminates the worker from outside when a job passes its
 * deadline (the hard backstop: QuickJS's interrupt handler is not called
 * inside a long allocation), and replaces it.
 */
import type { FromWorker, ToWorker } from './protocol.js';
import { type LoadedQuickJs, loadQuickJs } from './quickjs-module.js';
import { runSnippet } from './runner.js';

interface WorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
const post = (m: FromWorker): void => scope.postMessage(m);
let module: LoadedQuickJs | undefined;
let seq = 0;
const waiting = new Map<number, (text: string) => void>();

scope.onmessage = (event) => {
  const m = event.data as ToWorker;
  switch (m.type) {
    case 'init':
      loadQuickJs(m.wasmMemoryBytes, m.wasm).then(
        (loaded) => {
          module = loaded;
          post({ type: 'ready' });
        },
        (e: unknown) => post({ type: 'failed', message: `QuickJS did not load: ${(e as Error)?.message ?? e}` }),
      );
      return;
    case 'reply':
      waiting.get(m.seq)?.(m.text);
      waiting.delete(m.seq);
      return;
    case 'run': {
      const loaded = module;
      if (!loaded) return post({ type: 'failed', message: 'a job arrived before QuickJS was loaded' });
      const bridge = (op: string, args: string): Promise<string> =>
        new Promise((resolve) => {
          const id = seq++;
          waiting.set(id, resolve);
          post({ type: 'call', run: m.run, seq: id, op, args });
        });
      void runSnippet(loaded, m.job, bridge).then((result) => {
        waiting.clear();
        post({ type: 'done', run: m.run, result });
      });
      return;
    }
  }
};
