// The JavaScript escape corpus on Node, the QuickJS engine in Node worker threads.
import { test } from 'node:test';
import { createNodeHost } from '@airlock/runtime-node';
import { allCases } from './cases.js';

const host = createNodeHost();
for (const c of allCases(host)) test(`js escape: ${c.name}`, () => c.run());
