// The network escape cases (fetch-cases.ts) on Node.
import { after, before, test } from 'node:test';
import { createNodeHost } from '@airlock/runtime-node';
import { fetchCases, startFetchCorpus, stopFetchCorpus } from './fetch-cases.js';

before(() => startFetchCorpus(createNodeHost()));
after(() => stopFetchCorpus());
for (const c of fetchCases) test(c.name, () => c.run());
