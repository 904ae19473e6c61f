// `airlock tool inspect`: a component's WIT imports/exports, manifest and
// requested capabilities (--json), a preview1 module's imports; and our own
// component glue runs the examples with jco unloadable, caching the metered
// core modules for a second process (jco's transpile cache, used only for
// components outside our glue's subset, is covered in
// packages/engine-component/src/engine.test.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const cwd = mkdtempSync(join(tmpdir(), 'airlock-inspect-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

const airlock = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, AIRLOCK_CACHE_DIR: '' } });

test('tool inspect --json: a command component, its imports, exports, manifest and capabilities', () => {
  const r = airlock('tool', 'inspect', join(ROOT, 'examples/components/word-count/word-count.wasm'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(j['kind'], 'component (command)');
  assert.ok((j['imports'] as string[]).includes('wasi:filesystem/preopens'));
  assert.ok((j['exports'] as string[]).includes('wasi:cli/run@0.2.12'));
  assert.deepEqual(j['capabilities'], { fs: [{ mount: '/workspace', access: 'read' }] });
  assert.equal((j['manifest'] as { name: string }).name, 'word-count');
  assert.equal(r.stderr, '', 'quiet with --json');
});

test('tool inspect: a typed component describes itself; a preview1 module lists core imports', () => {
  const t = airlock('tool', 'inspect', join(ROOT, 'examples/components/call-counter/call-counter.wasm'), '--json');
  assert.equal(t.status, 0, t.stderr);
  const j = JSON.parse(t.stdout) as { kind: string; describe?: { name: string } };
  assert.equal(j.kind, 'component (typed)');
  assert.equal(j.describe?.name, 'call-counter');
  const p = airlock('tool', 'inspect', join(ROOT, 'examples/tools/grep/grep.wasm'));
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /core module \(WASI preview1\)/);
  assert.match(p.stdout, /wasi_snapshot_preview1\.fd_read/);
});

test('tool inspect: not WebAssembly is exit 2', () => {
  const r = airlock('tool', 'inspect', join(ROOT, 'examples/components/word-count/manifest.json'));
  assert.equal(r.status, 2);
});

test('our glue runs the example components without loading jco at all; a second process reads the metered modules from .airlock/cache', () => {
  const file = join(ROOT, 'examples/components/probe/probe.wasm');
  // With jco made unloadable, only our own glue can succeed.
  const inspect = () =>
    spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(NO_JCO)}`, BIN, 'tool', 'inspect', file, '--json'],
      {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, AIRLOCK_CACHE_DIR: '' },
      },
    );
  const entries = () => {
    try {
      return readdirSync(join(cwd, '.airlock', 'cache')).filter((f) => f.endsWith('.transpiled'));
    } catch {
      return [];
    }
  };
  const initially = entries().length; // earlier tests in this file cached their components
  const first = inspect();
  assert.equal(first.status, 0, first.stderr);
  const j = JSON.parse(first.stdout) as { kind: string; glue: string };
  assert.equal(j.kind, 'component (command)');
  assert.equal(j.glue, 'airlock');
  const before = entries();
  assert.equal(before.length, initially + 1, 'the metered core modules are cached');
  const second = inspect();
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(entries(), before, 'a second process adds nothing: it read the entry');
});

const NO_JCO = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`export async function resolve(s, c, n) { if (s.startsWith('@bytecodealliance/jco')) throw new Error('jco must not load'); return n(s, c); }\`));`;
