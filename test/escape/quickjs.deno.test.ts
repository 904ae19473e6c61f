// The JavaScript escape corpus on Deno (run by `deno test`, see scripts/test.mjs).
import { createDenoHost } from '@airlock/runtime-deno';
import { allCases } from './cases.js';

declare const Deno: {
  test(t: { name: string; fn: () => Promise<void>; sanitizeOps: boolean; sanitizeResources: boolean }): void;
};

const host = createDenoHost();
for (const c of allCases(host))
  Deno.test({ name: `deno js escape: ${c.name}`, fn: () => c.run(), sanitizeOps: false, sanitizeResources: false });
