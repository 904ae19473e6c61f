/**
 * Workers on `worker_threads`, shaped as the Web Worker a module expects.
 *
 * A worker module written for the Web (`self.onmessage`, `postMessage`,
 * `addEventListener('message')`) runs unchanged on Deno and in browsers. Node
 * gives a worker `parentPort` instead, so each worker starts with a few lines
 * of bootstrap that put the Web names on its global scope, then imports the
 * module. One worker module then serves every host.
 */

import { Worker } from 'node:worker_threads';
import type { HostWorker } from '@airlock/core';

// CommonJS (an `eval` worker); `import()` loads the ES module.
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
const port = parentPort;
let handler = null;
Object.defineProperties(globalThis, {
  self: { value: globalThis, configurable: true, writable: true },
  postMessage: { value: (message, transfer) => port.postMessage(message, transfer), configurable: true, writable: true },
  addEventListener: { value: (type, listener, options) => port.addEventListener(type, listener, options), configurable: true, writable: true },
  removeEventListener: { value: (type, listener, options) => port.removeEventListener(type, listener, options), configurable: true, writable: true },
  close: { value: () => port.close(), configurable: true, writable: true },
  onmessage: {
    configurable: true,
    get: () => handler,
    set: (fn) => { handler = fn; port.onmessage = typeof fn === 'function' ? (event) => fn.call(globalThis, event) : null; },
  },
});
import(workerData.url);
`;

export function spawnNodeWorker(moduleUrl: URL): HostWorker {
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { url: moduleUrl.href } });
  const messageListeners: Array<(message: unknown) => void> = [];
  const errorListeners: Array<(error: Error) => void> = [];
  let terminating = false;
  const fail = (error: Error): void => {
    for (const l of errorListeners) l(error);
  };
  worker.on('message', (message: unknown) => {
    for (const l of messageListeners) l(message);
  });
  worker.on('error', (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
  worker.on('messageerror', (error: unknown) => fail(error instanceof Error ? error : new Error('a message could not be deserialized')));
  // A worker that ends on its own (process.exit, a crash) is an error to the host.
  worker.on('exit', (code: number) => {
    if (!terminating) fail(new Error(`worker exited with code ${code}`));
  });
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
    async terminate(): Promise<void> {
      terminating = true;
      await worker.terminate();
    },
  };
}
