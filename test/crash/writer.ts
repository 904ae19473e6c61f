// A gate process that makes calls as fast as it can and prints `done <id>`
// after each result it gets back. kill-writer.test.ts SIGKILLs it mid-run.
import { createNodeHost } from '@airlock/runtime-node';
import { openGate } from '@airlock/sdk';

const [policy, tools, audit] = process.argv.slice(2) as [string, string, string];
const opened = await openGate({ host: createNodeHost(), policy, tools, audit });
let n = 0;
async function worker(w: number): Promise<never> {
  for (;;) {
    const r = await opened.gate.call({
      agent: 'analyst',
      session: `w${w}`,
      tool: 'grep',
      input: { path: '/workspace/notes', pattern: `TODO` },
    });
    if (r.status !== 'ok') {
      process.stderr.write(`unexpected ${JSON.stringify(r)}\n`);
      process.exit(1);
    }
    process.stdout.write(`done ${r.id} ${n++}\n`);
  }
}
await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(worker));
