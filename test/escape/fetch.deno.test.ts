// The network escape cases (fetch-cases.ts) on Deno: createDenoHost's net is
// createNodeNet over Deno's node:http, secrets come from Deno.env.
import { createDenoHost } from '@airlock/runtime-deno';
import { fetchCases, startFetchCorpus, stopFetchCorpus } from './fetch-cases.js';

declare const Deno: {
  test(t: { name: string; fn: () => Promise<void>; sanitizeOps: boolean; sanitizeResources: boolean }): void;
};

const opts = { sanitizeOps: false, sanitizeResources: false };
Deno.test({ name: 'deno js fetch: start', fn: () => startFetchCorpus(createDenoHost()), ...opts });
for (const c of fetchCases) Deno.test({ name: `deno ${c.name}`, fn: () => c.run(), ...opts });
Deno.test({ name: 'deno js fetch: stop', fn: () => stopFetchCorpus(), ...opts });
