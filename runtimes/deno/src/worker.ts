/**
 * Workers on Deno: a Web Worker of type module, which already has the Web
 * shape (`self.onmessage`, `postMessage`) every worker module is written to.
 */
import type { HostWorker } from '@airlock/core';
import type { WebWorkerConstructor } from './deno-api.js';

export function spawnDenoWorker(Worker: WebWorkerConstructor, moduleUrl: URL): HostWorker {
  const worker = new Worker(moduleUrl.href, { type: 'module' });
  const messageListeners: Array<(message: unknown) => void> = [];
  const errorListeners: Array<(error: Error) => void> = [];
  const fail = (error: Error): void => {
    for (const l of errorListeners) l(error);
  };
  worker.onmessage = (event) => {
    for (const l of messageListeners) l(event.data);
  };
  worker.onmessageerror = () => fail(new Error('a message could not be deserialized'));
  worker.onerror = (event) => {
    // Handled here: without preventDefault an uncaught worker error takes the whole process down.
    event.preventDefault();
    fail(event.error instanceof Error ? event.error : new Error(event.message));
  };
  return {
    postMessage(message: unknown): void {
      worker.postMessage(message);
    },
    onMessage(listener: (message: unknown) => void): void {
      messageListeners.push(listener);
    },
    onError(listener: (error: Error) => void): void {
      errorListeners.push(listener);
    },
    terminate(): Promise<void> {
      worker.terminate(); // synchronous on Deno: the isolate is stopped wherever it is
      return Promise.resolve();
    },
  };
}
