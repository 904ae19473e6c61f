/**
 * Cold start of the JavaScript (StarlingMonkey, componentize-js) example
 * components: component bytes → first result, process already running.
 * With our glue (canon/: nothing to transpile; the metering rewrite of the
 * ~14 MB core, the compiles and the first instance remain), and with jco's,
 * transpile cache cold (jco transpiles in-process) and warm.
 *
 * - http-get imports wasi:http, so it runs in a worker (http-runner.ts):
 *   its cold start includes spawning the worker and the worker importing
 *   the glue. It is called with no network grant and the input `{}`, which
 *   it refuses as `bad-input` before any fetch: a local call, no egress
 *   request, no denial.
 * - json-query needs no wasi:http and runs on the caller's thread.
 *
 * Each sample is a new engine (nothing loaded), timed from `prepare` to the
 * first outcome; the engine is closed outside the timing. A row for a
 * fresh instance + call with everything warm is the reference.
 *
 * The components are built once (componentize-js, ~10 s each) before any
 * timing, into the cache directory the tests use (test/component/
 * js-components.ts: same key, so a test run's build is reused), or
 * AIRLOCK_COMPONENT_CACHE.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_LIMITS, type RunOutcome, type Tool } from '@airlock/core';
import { createComponentEngine, type TranspileCache } from '@airlock/engine-component';
import { createNodeHost } from '@airlock/runtime-node';
import { report, type Stats, summarize } from './lib.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILD = join(ROOT, 'examples', 'components', 'build.mjs');
type JsTool = 'json-query' | 'http-get';

/** The same cache key as test/component/js-components.ts. */
function cacheDir(): string {
  const h = createHash('sha256');
  h.update(readFileSync(BUILD));
  for (const name of ['json-query', 'http-get']) h.update(readFileSync(join(ROOT, 'examples', 'components', name, `${name}.js`)));
  h.update(readFileSync(join(ROOT, 'wit', 'tool.wit')));
  const dir = process.env['AIRLOCK_COMPONENT_CACHE'] ?? join(tmpdir(), 'airlock-js-components', h.digest('hex').slice(0, 16));
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function jsTool(name: JsTool): Promise<Tool> {
  const dir = cacheDir();
  const file = join(dir, `${name}.wasm`);
  if (!existsSync(file)) {
    const t0 = performance.now();
    const { buildJsTool } = (await import(pathToFileURL(BUILD).href)) as { buildJsTool(n: string, d: string): Promise<string> };
    const tmp = mkdtempSync(join(dir, `.${name}-`));
    try {
      renameSync(await buildJsTool(name, tmp), file);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log(`built ${name} in ${Math.round(performance.now() - t0)} ms (not timed)`);
  }
  const artifact = readFileSync(file);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'examples', 'components', name, 'manifest.json'), 'utf8'));
  return { manifest: { ...manifest, limits: {}, args: [] }, artifact, digest: createHash('sha256').update(artifact).digest('hex') };
}

class MapCache implements TranspileCache {
  readonly map = new Map<string, Uint8Array>();
  get(key: string): Uint8Array | undefined {
    return this.map.get(key);
  }
  set(key: string, value: Uint8Array): void {
    this.map.set(key, value);
  }
}

const host = createNodeHost();
const utf8 = new TextEncoder();
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

const CASES: { name: JsTool; input: string; check(o: RunOutcome): void }[] = [
  {
    name: 'http-get',
    input: '{}',
    check: (o) => {
      if (!text(o.stdout).includes('bad-input') || (o.egress?.length ?? 0) !== 0)
        throw new Error(`http-get: unexpected outcome ${o.status} ${o.message} ${text(o.stdout)}`);
    },
  },
  {
    name: 'json-query',
    input: '{"data":{"a":{"b":[1,2,3]}},"path":"a.b"}',
    check: (o) => {
      if (o.status !== 'ok' || o.exitCode !== 0 || !text(o.stdout).includes('found'))
        throw new Error(`json-query: unexpected outcome ${o.status} ${o.message} ${text(o.stdout)}`);
    },
  },
];

const request = (input: string) => ({
  callId: 'bench',
  input: utf8.encode(input),
  args: [],
  env: {},
  mounts: [],
  limits: { ...DEFAULT_LIMITS, wallMs: 60_000 },
});

/** One sample: a new engine, prepare, first call; µs, and the engine closed after. */
async function coldOnce(
  tool: Tool,
  input: string,
  check: (o: RunOutcome) => void,
  cache: TranspileCache,
  rewrite = true,
  glue: 'airlock' | 'jco' = 'jco',
): Promise<number> {
  const engine = createComponentEngine({
    cache,
    glue,
    workers: host.workers!,
    ...(rewrite ? {} : { rewrite: { metering: false, pooling: false } }),
  });
  const t0 = performance.now();
  const prepared = await engine.prepare(tool);
  const out = await prepared.run(request(input));
  const us = (performance.now() - t0) * 1000;
  check(out);
  await engine.close();
  return us;
}

const COLD_SAMPLES = Number(process.env['BENCH_JS_COLD_SAMPLES'] ?? 4);
const WARM_SAMPLES = Number(process.env['BENCH_JS_WARM_SAMPLES'] ?? 10);

for (const { name, input, check } of CASES) {
  const tool = await jsTool(name);
  const rows: Stats[] = [];
  // Our glue: nothing to transpile (parse + link + trampolines), the metering rewrite and compiles remain.
  const ours: number[] = [];
  for (let i = 0; i < WARM_SAMPLES; i++) ours.push(await coldOnce(tool, input, check, new MapCache(), true, 'airlock'));
  rows.push(summarize('cold, our glue: parse + link + meter + compile + first call', ours));
  const oursPlain: number[] = [];
  for (let i = 0; i < WARM_SAMPLES; i++) oursPlain.push(await coldOnce(tool, input, check, new MapCache(), false, 'airlock'));
  rows.push(summarize('cold, our glue, unmetered and unpooled', oursPlain));
  // Our glue with its cache warm: the metered core modules read back (a second process), no rewrite.
  const oursCache = new MapCache();
  await coldOnce(tool, input, check, oursCache, true, 'airlock');
  const oursWarm: number[] = [];
  for (let i = 0; i < WARM_SAMPLES; i++) oursWarm.push(await coldOnce(tool, input, check, oursCache, true, 'airlock'));
  rows.push(summarize('cold, our glue, rewrite cache warm (metered modules read back) + first call', oursWarm));
  // jco, transpile cache cold: every sample transpiles (a new, empty cache).
  const cold: number[] = [];
  for (let i = 0; i < COLD_SAMPLES; i++) cold.push(await coldOnce(tool, input, check, new MapCache()));
  rows.push(summarize('cold, jco glue: transpile cache cold (jco in-process) + first call', cold));
  // jco, transpile cache warm: one transpile fills it, outside the timing.
  const cache = new MapCache();
  await coldOnce(tool, input, check, cache);
  const warm: number[] = [];
  for (let i = 0; i < WARM_SAMPLES; i++) warm.push(await coldOnce(tool, input, check, cache));
  rows.push(summarize('cold, jco glue: transpile cache warm + first call', warm));
  // Reference: everything loaded (and, for http-get, a warm worker): a fresh instance + call, each glue.
  for (const glue of ['airlock', 'jco'] as const) {
    const engine = createComponentEngine({ cache, glue, workers: host.workers! });
    const prepared = await engine.prepare(tool);
    for (let i = 0; i < 3; i++) check(await prepared.run(request(input)));
    const fresh: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const out = await prepared.run(request(input));
      fresh.push((performance.now() - t0) * 1000);
      check(out);
    }
    await engine.close();
    rows.push(
      summarize(
        `loaded${name === 'http-get' ? ', warm worker' : ''}, ${glue === 'airlock' ? 'our' : 'jco'} glue: fresh instance + call`,
        fresh,
      ),
    );
  }
  report(`JS component cold start (${name}, componentize-js/StarlingMonkey, ${tool.artifact.length} bytes)`, rows, {
    'our glue (cache warm) vs jco (cache warm) cold start p50 ratio': (rows[2]?.p50us ?? 0) / (rows[4]?.p50us ?? 1),
    'our glue metered+pooled vs plain cold start p50 ratio': (rows[0]?.p50us ?? 0) / (rows[1]?.p50us ?? 1),
    'our glue vs jco fresh instance + call p50 ratio': (rows[5]?.p50us ?? 0) / (rows[6]?.p50us ?? 1),
  });
}
