/**
 * The JavaScript escape corpus (issue 5), host-neutral: Node runs it in
 * node.test.ts, Deno in quickjs.deno.test.ts. Each case names the attack and
 * what a secure gate must answer: a failure inside the guest (never a host
 * crash) and, where the attack touches a capability, a denial in the audit
 * log. The resource cases check that each runaway ends within its limit
 * (wall time: within 10%), and that the next snippet runs.
 */
import type { CallResult, Host } from '@airlock/core';
import { type EscapeGate, FRUGAL_FUEL, openEscapeGate, WALL_MS } from './harness.js';

export interface EscapeCase {
  readonly name: string;
  run(g: EscapeGate): Promise<void>;
}

function check(cond: unknown, what: string, result?: unknown): asserts cond {
  if (!cond) throw new Error(`${what}${result === undefined ? '' : `\n  got: ${JSON.stringify(result).slice(0, 800)}`}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(g: EscapeGate, code: string): Promise<{ r: CallResult; ms: number }> {
  const t0 = performance.now();
  const r = await g.evalJs(code);
  return { r, ms: performance.now() - t0 };
}

async function nextRuns(g: EscapeGate): Promise<void> {
  const r = await g.evalJs('return 6 * 7');
  check(r.status === 'ok' && r.output === 42, 'the next snippet runs', r);
}

/**
 * How far past the wall-time limit a runaway may end: 10% (issue 5), on Node
 * and Deno alike. Deno used to need 20%: its `new Worker` blocks the calling
 * thread ~10–13 ms, and the pool started a runaway's replacement before
 * handing back its result; and a loop of host calls (a console flood) ran
 * up to 30 ms past the deadline between two interrupt-handler checks. Both
 * are fixed (docs/decisions/0009); `allCases` still takes a tolerance for
 * hosts that need one.
 */
let tolerance = 1.1;

/** Ends within the tolerance of the wall-time limit, as a wall-time limit. */
function withinWall(ms: number, r: CallResult): void {
  check(r.status === 'limit', 'the call ends in a limit', r);
  check(ms <= WALL_MS * tolerance, `ended in ${ms.toFixed(0)} ms, within ${Math.round((tolerance - 1) * 100)}% of ${WALL_MS} ms`, r);
}

export const escapeCases: readonly EscapeCase[] = [
  {
    name: 'constructor.constructor("return process")() finds no process',
    async run(g) {
      const r = await g.evalJs(`constructor.constructor('return process')()`);
      check(r.status === 'error' && /process' is not defined/.test(r.error?.message ?? ''), 'a guest ReferenceError', r);
      const names = await g.evalJs(
        `const F = (() => {}).constructor.constructor; const g = F('return this')();
         return ['process', 'require', 'Deno', 'Bun', 'module', 'global', 'WebAssembly', 'setTimeout', 'XMLHttpRequest', '__airlock_call', '__airlock_sync']
           .filter((n) => typeof g[n] !== 'undefined')`,
      );
      check(names.status === 'ok' && JSON.stringify(names.output) === '[]', 'no host name is reachable through Function', names);
    },
  },
  {
    name: 'Function and eval reach only the guest realm',
    async run(g) {
      const r = await g.evalJs(
        `return [eval('typeof process'), new Function('return typeof require')(), eval('this') === globalThis,
                 Object.getOwnPropertyNames(globalThis).filter((n) => /^(process|require|Deno|fs_host|__)/.test(n))]`,
      );
      check(
        r.status === 'ok' && JSON.stringify(r.output) === '["undefined","undefined",true,[]]',
        'eval/Function see only guest globals',
        r,
      );
    },
  },
  {
    name: 'prototype pollution of the input leaves host objects untouched',
    async run(g) {
      const input = { a: { b: 1 }, list: [1, 2] };
      const r = await g.evalJs(
        `input.__proto__.polluted = 'yes'; Object.prototype.polluted2 = 'yes'; Array.prototype.push = null;
         input.a.b = 'changed'; input.list.length = 0; return input.a.b`,
        input,
      );
      check(r.status === 'ok' && r.output === 'changed', 'the guest changes its own copy', r);
      check(input.a.b === 1 && input.list.length === 2, "the host's input object is unchanged", input);
      check(
        ({} as Record<string, unknown>).polluted === undefined && ({} as Record<string, unknown>).polluted2 === undefined,
        'the host prototypes are clean',
      );
      check(typeof [].push === 'function', "the host's Array.prototype is intact");
      const next = await g.evalJs(`return [({}).polluted ?? null, ({}).polluted2 ?? null, typeof [].push]`);
      check(JSON.stringify(next.output) === '[null,null,"function"]', 'the next snippet gets a fresh realm', next);
    },
  },
  {
    name: 'a host error reaches the guest as a fresh guest Error with a message only',
    async run(g) {
      const r = await g.evalJs(
        `try { await fs.readFile('/work/missing.txt') } catch (e) {
           let escaped = 'no';
           try { e.constructor.constructor('return process')(); escaped = 'yes' } catch {}
           return { keys: Object.keys(e).sort(), guestError: e instanceof Error && e.constructor === Error,
                    proto: Object.getPrototypeOf(e) === Error.prototype, message: e.message, escaped } }`,
      );
      const out = r.output as { keys: string[]; guestError: boolean; proto: boolean; message: string; escaped: string };
      check(r.status === 'ok', 'the guest catches it', r);
      check(out.guestError && out.proto && out.escaped === 'no', 'a plain guest Error, no way out', r);
      check(JSON.stringify(out.keys) === '["code"]', 'only a code property besides name/message', r);
      check(!/\/unused|\/tmp|node_modules|at /.test(out.message), 'no host path or stack in the message', r);
    },
  },
  {
    name: 'promises and jobs queued before a timeout never run after it',
    async run(g) {
      const { r, ms } = await timed(
        g,
        `Promise.resolve().then(() => fs.writeFile('/work/late.txt', 'late'));
         (async () => { for (let i = 0; ; i++) await fs.writeFile('/work/tick.txt', String(i)); })();
         for (;;) {}`,
      );
      withinWall(ms, r);
      const read = () => {
        try {
          const f = g.work.open(['tick.txt'], { read: true, write: false });
          const n = f.size();
          f.close();
          return n;
        } catch {
          return -1;
        }
      };
      const before = read();
      await sleep(150);
      check(read() === before, 'no write happens after the result', { before, after: read() });
      let late = false;
      try {
        g.work.lstat(['late.txt']);
        late = true;
      } catch {}
      check(!late, 'the job queued before the busy loop never ran');
      await nextRuns(g);
    },
  },
  {
    name: 'import() of host modules fails inside the guest',
    async run(g) {
      for (const code of [
        `export default await import('node:fs')`,
        `import fs from 'fs'; export default typeof fs`,
        `export default await import('data:text/javascript,export default 1')`,
        `export default await import('/etc/passwd')`,
      ]) {
        const r = await g.evalJs(code);
        check(r.status === 'error' && r.error?.code === 'TOOL_FAILED', `refused: ${code}`, r);
      }
      const caught = await g.evalJs(`try { await import('node:child_process'); return 'loaded' } catch (e) { return e.name }`);
      check(caught.status === 'ok' && caught.output !== 'loaded', 'a dynamic import rejects in the guest', caught);
    },
  },
  {
    name: 'the clock has no precision beyond the granted 1 ms',
    async run(g) {
      const r = await g.evalJs(
        `const t = []; for (let i = 0; i < 2000; i++) t.push(Date.now(), new Date().getTime());
         return { fractional: t.filter((x) => x % 1 !== 0).length, performance: typeof performance,
                  hrtime: typeof process, wasm: typeof WebAssembly, atomics: typeof Atomics, sab: typeof SharedArrayBuffer }`,
      );
      check(r.status === 'ok', 'runs', r);
      const o = r.output as Record<string, unknown>;
      check(o.fractional === 0, 'whole milliseconds only', r);
      check(o.performance === 'undefined' && o.hrtime === 'undefined' && o.wasm === 'undefined', 'no high-resolution timer', r);
    },
  },
  {
    name: 'fs outside the mounts is a denial in the audit log',
    async run(g) {
      const r = await g.evalJs(
        `const out = [];
         for (const p of ['/etc/passwd', '/work/../../etc/passwd', '/work/../docs/readme.txt', 'relative.txt', '/work/a\\0b'])
           try { await fs.readFile(p); out.push('read ' + p) } catch (e) { out.push(e.code) }
         try { await fs.writeFile('/docs/readme.txt', 'defaced') } catch (e) { out.push(e.code) }
         try { await fs.readFile('/work/link/passwd') } catch (e) { out.push(e.code) }
         return out`,
      );
      check(r.status === 'ok', 'the guest gets errors, not a crash', r);
      check(
        JSON.stringify(r.output) === '["ENOTCAPABLE","ENOTCAPABLE","ENOTCAPABLE","ENOTCAPABLE","EINVAL","EROFS","ENOENT"]',
        'each refused',
        r,
      );
      const audited = g.outcome(r.id)?.outcome?.denials ?? [];
      check(audited.length >= 5, 'the refusals are in the audit outcome', audited);
      check(
        audited.some((d) => d.path === '/work/../../etc/passwd' && d.errno === 'ENOTCAPABLE'),
        'the climb out is audited with its path',
        audited,
      );
      check(
        audited.some((d) => d.op === 'writeFile' && d.errno === 'EROFS'),
        'the write to a read-only mount is audited',
        audited,
      );
    },
  },
  {
    name: 'a symlink planted in a mount cannot lead out of it',
    async run(g) {
      g.work.symlink('abs', '/etc');
      g.work.symlink('up', '../../..');
      const r = await g.evalJs(
        `const out = [];
         for (const p of ['/work/abs/passwd', '/work/up/etc/passwd']) try { await fs.readFile(p); out.push('read') } catch (e) { out.push(e.code) }
         return out`,
      );
      check(r.status === 'ok' && JSON.stringify(r.output) === '["ENOTCAPABLE","ENOTCAPABLE"]', 'both refused', r);
      check((g.outcome(r.id)?.outcome?.denials ?? []).length === 2, 'and audited', g.outcome(r.id));
    },
  },
  {
    name: 'fetch without any net grant is a TypeError in the guest and a denial in the audit log',
    async run(g) {
      const r = await g.evalJs(
        `const out = [typeof XMLHttpRequest, typeof WebSocket];
         try { await fetch('https://example.com/'); out.push('fetched') } catch (e) { out.push(e instanceof TypeError, e.code, e.message) }
         return out`,
      );
      const out = r.output as unknown[];
      check(r.status === 'ok' && out[0] === 'undefined' && out[1] === 'undefined', 'no other network object', r);
      check(out[2] === true && out[3] === 'ENOTCAPABLE' && /not granted/.test(String(out[4])), 'a TypeError saying why', r);
      const records = g.outcome(r.id)?.outcome?.egress ?? [];
      check(
        records.length === 1 && records[0]!.decision === 'denied' && records[0]!.url === 'https://example.com/',
        'the attempt is audited as a denial',
        records,
      );
    },
  },
  {
    name: 'calling an ungranted tool is denied and audited as a child call',
    async run(g) {
      const r = await g.evalJs(
        `try { return await tools.call('secret', {}) } catch (e) { return { name: e.name, status: e.status, callId: e.callId } }`,
      );
      const out = r.output as { name: string; status: string; callId: string };
      check(r.status === 'ok' && out.name === 'ToolCallError' && out.status === 'denied', 'the guest sees a denial', r);
      const child = g.audit.entries.find((e) => e.kind === 'decision' && e.callId === out.callId);
      check(child?.tool === 'secret' && child.decision?.effect === 'deny', 'the denial is audited', child);
      check(
        child.parentId === r.id && child.agent === 'agent' && child.session === 's',
        'with the snippet as parent, same agent and session',
        child,
      );
    },
  },
  {
    name: 'a granted tool call goes through the gate with the snippet as parent',
    async run(g) {
      const r = await g.evalJs(`return await tools.call('echo', { x: [1, 2] })`);
      check(r.status === 'ok' && JSON.stringify(r.output) === '{"echoed":{"x":[1,2]}}', 'the output comes back by copy', r);
      const child = g.audit.entries.find((e) => e.kind === 'outcome' && e.parentId === r.id && e.tool === 'echo');
      check(child?.outcome?.status === 'ok', 'the child call is audited', child);
    },
  },
  {
    name: 'a TypeScript snippet is stripped on the host and runs with the same grants',
    async run(g) {
      const r = await g.gate.call({
        agent: 'agent',
        session: 's',
        tool: 'js',
        input: {
          lang: 'ts',
          code: 'const n: number = (input as { n: number }).n;\nreturn [n * 2, typeof process] as const',
          input: { n: 21 },
        },
      });
      check(r.status === 'ok' && JSON.stringify(r.output) === '[42,"undefined"]', 'types stripped, still no host', r);
    },
  },
  {
    name: 'gate.eval with lang "ts" strips types; without it, TypeScript is a syntax error in the guest',
    async run(g) {
      const code = 'const n: number = (input as { n: number }).n;\nreturn n + 1';
      const ts = await g.gate.eval({ agent: 'agent', session: 's', code, input: { n: 1 }, lang: 'ts' });
      check(ts.status === 'ok' && ts.output === 2, 'TypeScript runs', ts);
      const js = await g.gate.eval({ agent: 'agent', session: 's', code, input: { n: 1 }, lang: 'js' });
      check(js.status === 'error' && /SyntaxError/.test(js.error?.message ?? ''), 'as JavaScript it is a SyntaxError', js);
    },
  },
  {
    name: 'env shows only what is granted',
    async run(g) {
      const r = await g.evalJs(`return [env, Object.isFrozen(env)]`);
      check(JSON.stringify(r.output) === '[{"GREETING":"hello"},true]', 'only GREETING', r);
    },
  },
];

/** Fuel of the compute snippet in the determinism case, measured once (Node 20) and the same on Deno. */
const SNIPPET_FUEL = 12_685_487;

export const resourceCases: readonly EscapeCase[] = [
  {
    name: 'while(true){} ends at the wall-time limit',
    async run(g) {
      const { r, ms } = await timed(g, 'while (true) {}');
      withinWall(ms, r);
      check(r.limit === 'wall-time', 'as wall-time', r);
      await nextRuns(g);
    },
  },
  {
    name: 'while(true){} with a long wall time but little fuel ends at the fuel limit, quickly',
    async run(g) {
      const t0 = performance.now();
      const r = await g.gate.eval({ agent: 'frugal', session: 's', code: 'while (true) {}' });
      const ms = performance.now() - t0;
      check(r.status === 'limit' && r.limit === 'fuel', 'as fuel', r);
      check(ms < 2000, `long before the 20 s wall time (${ms.toFixed(0)} ms)`, r);
      const used = r.usage?.fuel ?? 0;
      check(used >= FRUGAL_FUEL && used < FRUGAL_FUEL + 1000, 'fuel used is the limit plus a small overdraft', r.usage);
      const audited = g.outcome(r.id);
      check(audited?.outcome?.limit === 'fuel' && audited.usage?.fuel === used, 'the audit outcome says fuel, with the fuel used', audited);
      await nextRuns(g);
    },
  },
  {
    name: 'fuel used by the same snippet is identical across runs and hosts',
    async run(g) {
      const code = 'let s = 0; for (let i = 0; i < 10000; i++) s += i * i; return s';
      const runs = [await g.evalJs(code), await g.evalJs(code), await g.evalJs(code)];
      const fuel = runs.map((r) => r.usage?.fuel);
      check(
        runs.every((r) => r.status === 'ok' && r.output === 333283335000),
        'the snippet runs',
        runs.map((r) => r.status),
      );
      // The same number on Node and Deno (this file runs on both): if
      // QuickJS, the guest API or the cost model changes, update it here.
      check(
        fuel.every((f) => f === SNIPPET_FUEL),
        `fuel ${SNIPPET_FUEL} every time`,
        fuel,
      );
    },
  },
  {
    name: 'a large-array memory bomb ends within its limits',
    async run(g) {
      const { r, ms } = await timed(g, 'const a = []; while (true) a.push(new Array(100000).fill(1.5));');
      withinWall(ms, r);
      check(r.limit === 'memory' || r.limit === 'wall-time', 'as memory (or wall time)', r);
      await nextRuns(g);
    },
  },
  {
    name: 'a string-doubling bomb ends within its limits',
    async run(g) {
      const { r, ms } = await timed(g, 'let s = "x"; while (true) s = s + s;');
      check(r.status === 'limit' || r.status === 'error', 'it ends', r);
      check(ms <= WALL_MS * tolerance, `in ${ms.toFixed(0)} ms`, r);
      await nextRuns(g);
    },
  },
  {
    name: 'deep recursion is a guest stack overflow, not a host one',
    async run(g) {
      const { r, ms } = await timed(g, 'function f(n) { return f(n + 1) + 1 } f(0)');
      check(r.status === 'error' && /stack overflow/.test(r.error?.message ?? ''), 'QuickJS catches it', r);
      check(ms <= WALL_MS * tolerance, `in ${ms.toFixed(0)} ms`, r);
      const caught = await g.evalJs('function f(n) { return f(n + 1) + 1 } try { f(0) } catch (e) { return e.message }');
      check(caught.output === 'stack overflow', 'and the guest can catch it', caught);
    },
  },
  {
    name: 'a console.log flood is capped and ends at the wall-time limit',
    async run(g) {
      const { r, ms } = await timed(g, 'for (;;) console.log("flood ".repeat(20))');
      withinWall(ms, r);
      check((r.stderr ?? '').length <= 4096 + 100, 'stderr stays under its cap', r.stderr?.length);
      await nextRuns(g);
    },
  },
  {
    name: 'a promise that never settles ends at once',
    async run(g) {
      const { r, ms } = await timed(g, 'return new Promise(() => {})');
      check(r.status === 'error' && /never settle/.test(r.error?.message ?? ''), 'a clear error', r);
      check(ms <= WALL_MS * tolerance, `in ${ms.toFixed(0)} ms`, r);
      await nextRuns(g);
    },
  },
  {
    name: 'output over the limit is a limit',
    async run(g) {
      const r = await g.evalJs('return "x".repeat(70000)');
      check(r.status === 'limit' && r.limit === 'output', 'output limit', r);
    },
  },
  {
    name: 'the write quota holds even when the guest swallows EDQUOT',
    async run(g) {
      const r = await g.evalJs(`try { await fs.writeFile('/work/big.txt', 'x'.repeat(70000)) } catch {} return 'done'`);
      check(r.status === 'limit' && r.limit === 'fs-write', 'fs-write limit', r);
    },
  },
];

/** Every case against one gate on `host`, closed at the end. */
export function allCases(host: Host, wallTolerance = 1.1): { name: string; run(): Promise<void> }[] {
  tolerance = wallTolerance;
  let g: EscapeGate | undefined;
  const gate = () => {
    g ??= openEscapeGate(host);
    return g;
  };
  const cases = [...escapeCases, ...resourceCases].map((c) => ({ name: c.name, run: () => c.run(gate()) }));
  cases.push({ name: 'close', run: async () => g?.close() });
  return cases;
}
