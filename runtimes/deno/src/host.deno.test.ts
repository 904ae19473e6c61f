/**
 * The Host conformance cases on Deno, run by `deno test` (scripts/test.mjs).
 * The cases are the ones the Node runtime runs, imported from its build
 * output: a host-neutral module, so nothing Node-only loads here.
 */
import type { HostContractHelpers } from '../../node/dist/host-contract-cases.js';
import { hostContractCases } from '../../node/dist/host-contract-cases.js';
import { createDenoHost } from './index.js';

/** The test-only slice of the Deno namespace. */
declare const Deno: {
  test(name: string, fn: () => void | Promise<void>): void;
  makeTempDirSync(options?: { prefix?: string }): string;
  symlinkSync(target: string, path: string): void;
  mkdirSync(path: string, options?: { recursive?: boolean }): void;
  writeTextFileSync(path: string, text: string): void;
  readTextFileSync(path: string): string;
  removeSync(path: string, options?: { recursive?: boolean }): void;
};

const onUnload = (fn: () => void): void =>
  (globalThis as unknown as { addEventListener(type: 'unload', fn: () => void): void }).addEventListener('unload', fn);

const helpers: HostContractHelpers = {
  makeTempDir() {
    const dir = Deno.makeTempDirSync({ prefix: 'airlock-host-' });
    // Removed when the process exits; `deno test` has no after-all hook.
    onUnload(() => Deno.removeSync(dir, { recursive: true }));
    return dir;
  },
  makeSymlink: (target, path) => Deno.symlinkSync(target, path),
  writeFile(path, text) {
    Deno.mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true });
    Deno.writeTextFileSync(path, text);
  },
  readFile(path) {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return undefined;
    }
  },
};

for (const c of hostContractCases(() => createDenoHost(), helpers)) Deno.test(`host_deno_${c.name}`, c.fn);
