#!/usr/bin/env node
// Build the example components from source, reproducibly.
//
//   node examples/components/build.mjs           rebuild the committed binaries in place
//   node examples/components/build.mjs --check   rebuild into a temp dir and compare
//   node examples/components/build.mjs --js DIR  also build the JavaScript tool(s) into DIR
//
// C tools: clang (wasm32-wasi, the flags of examples/build.sh) → a preview1
// core module → a component with jco's preview1 adapter (`command` for
// command tools; `reactor` plus the embedded airlock:tool world for typed
// tools). The probe component wraps the committed preview1 probe fixture.
// JavaScript tools: componentize-js against wit/ (~12 MB with the
// StarlingMonkey engine, so never committed: tests build it into a cache).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const wit = join(root, 'wit');
const require = createRequire(join(root, 'package.json'));
const jcoApi = require.resolve('@bytecodealliance/jco');
const jcoLib = resolve(dirname(jcoApi), '..', 'lib');

/** jco's wasm-tools run on preview2-shim, which preopens nothing by default (FIELD-NOTES). */
async function jco() {
  const shim = createRequire(jcoApi).resolve('@bytecodealliance/preview2-shim/filesystem');
  const { _setPreopens } = await import(pathToFileURL(shim).href);
  _setPreopens({ '/': '/' });
  return import(pathToFileURL(jcoApi).href);
}

const CFLAGS = ['--target=wasm32-wasi', '-std=c11', '-O2', '-Wall', '-Wextra', '-fno-ident', `-ffile-prefix-map=${root}=.`];
const LDFLAGS = ['-Wl,--strip-all'];

function clang(out, sources, extra = []) {
  execFileSync(process.env.CC ?? 'clang', [...CFLAGS, ...extra, ...LDFLAGS, '-o', out, ...sources], { cwd: root, stdio: 'inherit' });
}

/** name → how to build it into `out` (a file path). */
const C_TOOLS = {
  'word-count': async (api, out, tmp) => {
    const core = join(tmp, 'word-count.core.wasm');
    clang(core, ['examples/components/word-count/word-count.c', 'examples/tools/common/json.c', 'examples/tools/common/tool.c']);
    writeFileSync(out, await adapt(api, readFileSync(core), 'command'));
  },
  'call-counter': async (api, out, tmp) => {
    const core = join(tmp, 'call-counter.core.wasm');
    clang(core, ['examples/components/call-counter/call-counter.c'], ['-mexec-model=reactor']);
    const embedded = await api.componentEmbed({ binary: readFileSync(core), witPath: wit, world: 'airlock:tool/tool' });
    writeFileSync(out, await adapt(api, embedded, 'reactor'));
  },
  runaway: async (api, out, tmp) => {
    const core = join(tmp, 'runaway.core.wasm');
    // bulk memory, so its memset/memmove are memory.fill/memory.copy ("fill", "copy")
    clang(core, ['examples/components/runaway/runaway.c'], ['-mbulk-memory']);
    writeFileSync(out, await adapt(api, readFileSync(core), 'command'));
  },
  probe: async (api, out) => {
    writeFileSync(out, await adapt(api, readFileSync(join(root, 'examples/tools/probe/probe.wasm')), 'command'));
  },
};

async function adapt(api, core, kind) {
  const adapter = readFileSync(join(jcoLib, `wasi_snapshot_preview1.${kind}.wasm`));
  return api.componentNew(core, [['wasi_snapshot_preview1', adapter]]);
}

/**
 * componentize-js imports weval (the AOT compiler) at load time, and weval's
 * native lzma binding is an optional dependency that is not installed
 * everywhere. We never ask for AOT, so a stub stands in for it.
 */
function stubWeval() {
  const hooks = `export async function resolve(spec, ctx, next) {
    if (spec === '@bytecodealliance/weval') return { url: 'data:text/javascript,export default async () => { throw new Error("weval (AOT) is not available in this build"); }', shortCircuit: true };
    return next(spec, ctx);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

/**
 * JavaScript typed tools: name → the componentize-js features it keeps.
 * json-query needs nothing; http-get needs `http` (fetch over
 * wasi:http/outgoing-handler). StarlingMonkey imports wasi:http either way.
 */
export const JS_TOOLS = {
  'json-query': { disableFeatures: ['random', 'stdio', 'clocks', 'http', 'fetch-event'] },
  'http-get': { disableFeatures: ['random', 'stdio', 'clocks', 'fetch-event'] },
};

/** Build the JavaScript typed tool `name` into `dir`; returns its path. */
export async function buildJsTool(name, dir) {
  const spec = JS_TOOLS[name];
  if (!spec) throw new Error(`unknown JS tool ${name}`);
  await jco(); // sets the preopens componentize-js's own wasm-tools need
  stubWeval();
  const { componentize } = await import('@bytecodealliance/componentize-js');
  const { component } = await componentize({
    sourcePath: join(here, name, `${name}.js`),
    witPath: wit,
    worldName: 'tool',
    disableFeatures: spec.disableFeatures,
  });
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}.wasm`);
  writeFileSync(out, component);
  return out;
}

/** Build the JavaScript typed tool json-query into `dir`; returns its path. */
export const buildJsonQuery = (dir) => buildJsTool('json-query', dir);

const sha = (b) => createHash('sha256').update(b).digest('hex').slice(0, 16);

async function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const jsDir = args.includes('--js') ? args[args.indexOf('--js') + 1] : undefined;
  const api = await jco();
  const tmp = mkdtempSync(join(tmpdir(), 'airlock-components-'));
  let bad = 0;
  try {
    for (const [name, build] of Object.entries(C_TOOLS)) {
      const committed = join(here, name, `${name}.wasm`);
      const out = check ? join(tmp, `${name}.wasm`) : committed;
      await build(api, out, tmp);
      const bytes = readFileSync(out);
      let note = '';
      if (check) {
        const same = Buffer.compare(bytes, readFileSync(committed)) === 0;
        note = same ? 'same as committed' : 'DIFFERS from committed';
        if (!same) bad++;
      }
      console.log(`${name.padEnd(14)} ${String(bytes.length).padStart(7)} bytes  ${sha(bytes)}  ${note}`);
    }
    if (jsDir) {
      for (const name of Object.keys(JS_TOOLS)) {
        const t0 = performance.now();
        const out = await buildJsTool(name, resolve(jsDir));
        console.log(`${name.padEnd(14)} ${readFileSync(out).length} bytes  (${Math.round(performance.now() - t0)} ms)`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(bad ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
