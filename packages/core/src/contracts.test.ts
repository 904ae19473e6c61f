import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AirlockError, exitCodeFor } from './errors.js';
import { intersectGrants } from './grants.js';
import { parseJsonText } from './json.js';
import { DEFAULT_EGRESS_LIMITS, DEFAULT_LIMITS, egressLimits, resolveLimits } from './limits.js';
import { parseManifest } from './manifest.js';
import { redactInput } from './redact.js';
import { assertComponents, VfsError } from './vfs.js';

describe('limits', () => {
  test('each field is the minimum of the values set, the default where none is', () => {
    const l = resolveLimits({ wallMs: 100, fuel: 9 }, { wallMs: 50 }, undefined);
    assert.equal(l.wallMs, 50);
    assert.equal(l.fuel, 9);
    assert.equal(l.memoryBytes, DEFAULT_LIMITS.memoryBytes);
  });
  test('a manifest asking for smaller egress caps than the policy gets them; asking for more does not', () => {
    const policy = { netResponseBytes: 4 * 1024 * 1024, netTimeoutMs: 2000, netRedirects: 3 };
    const manifest = parseManifest(
      JSON.stringify({
        name: 'net',
        engine: 'wasip1',
        artifact: 'n.wasm',
        inputSchema: true,
        limits: { netResponseBytes: 65536, netTimeoutMs: 60_000, netRedirects: 0 },
      }),
    ).limits;
    const l = resolveLimits(policy, manifest);
    assert.deepEqual([l.netResponseBytes, l.netTimeoutMs, l.netRedirects], [65536, 2000, 0]);
    assert.deepEqual(egressLimits(l), { responseBytes: 65536, timeoutMs: 2000, maxRedirects: 0 });
  });
  test('the default egress caps are the net* defaults, so the two cannot drift', () => {
    assert.deepEqual(DEFAULT_EGRESS_LIMITS, egressLimits(DEFAULT_LIMITS));
    assert.deepEqual(egressLimits(resolveLimits()), { responseBytes: 1024 * 1024, timeoutMs: 10_000, maxRedirects: 5 });
  });
});

describe('grants', () => {
  test('a mount is granted only when requested and given, with the weaker access', () => {
    const g = intersectGrants(
      {
        fs: [
          { mount: '/w', access: 'read-write' },
          { mount: '/x', access: 'read' },
        ],
      },
      {
        fs: [
          { mount: '/w', volume: 'v', access: 'read' },
          { mount: '/y', volume: 'v', access: 'read-write' },
        ],
        env: {},
        net: [],
      },
    );
    assert.deepEqual(g.fs, [{ mount: '/w', volume: 'v', access: 'read' }]);
  });
  test('env is granted by name only when the policy gives a value', () => {
    const g = intersectGrants({ env: ['A', 'B'] }, { fs: [], env: { A: '1', C: '3' }, net: [] });
    assert.deepEqual(g.env, { A: '1' });
  });
  test('an empty request gets nothing, whatever the policy gives', () => {
    const g = intersectGrants(
      {},
      { fs: [{ mount: '/w', volume: 'v', access: 'read-write' }], env: { A: '1' }, net: [{ url: 'https://x/*', methods: ['GET'] }] },
    );
    assert.deepEqual(g, { fs: [], env: {}, net: [] });
  });
});

describe('manifest', () => {
  const good = { name: 'grep', engine: 'wasip1', artifact: 'grep.wasm', inputSchema: { type: 'object' } };
  test('a minimal manifest validates with defaults filled in', () => {
    const m = parseManifest(JSON.stringify(good));
    assert.equal(m.version, '0.0.0');
    assert.deepEqual(m.args, []);
  });
  for (const [what, bad] of [
    ['an unknown engine', { ...good, engine: 'docker' }],
    ['a bad name', { ...good, name: '../x' }],
    ['an unknown field', { ...good, extra: 1 }],
    ['a relative mount', { ...good, capabilities: { fs: [{ mount: 'w' }] } }],
    ['an unknown limit', { ...good, limits: { cpu: 1 } }],
    ['a negative limit', { ...good, limits: { wallMs: -1 } }],
    ['a fractional egress limit', { ...good, limits: { netResponseBytes: 10.5 } }],
    ['a negative redirect count', { ...good, limits: { netRedirects: -1 } }],
  ] as const) {
    test(`${what} is MANIFEST_INVALID`, () => {
      assert.throws(
        () => parseManifest(JSON.stringify(bad), 'm.json'),
        (e: unknown) => e instanceof AirlockError && e.code === 'MANIFEST_INVALID',
      );
    });
  }
  test('malformed JSON names the line and column', () => {
    try {
      parseJsonText('{\n  "a": 1,\n  oops\n}', 'MANIFEST_INVALID', 'm.json');
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof AirlockError);
      assert.equal(e.position?.line, 3);
      assert.match(String(e), /^m\.json:3:\d+: MANIFEST_INVALID/);
      assert.equal(exitCodeFor(e.code), 2);
    }
  });
});

describe('vfs paths', () => {
  for (const bad of [[''], ['.'], ['..'], ['a/b'], ['a\0b']]) {
    test(`component ${JSON.stringify(bad[0])} is rejected`, () => {
      assert.throws(() => assertComponents(bad), VfsError);
    });
  }
});

describe('redaction', () => {
  test('named fields are replaced, the original is untouched', () => {
    const input = { a: { token: 's' }, b: 1 };
    assert.deepEqual(redactInput(input, ['input.a.token']), { a: { token: '[redacted]' }, b: 1 });
    assert.equal(input.a.token, 's');
  });
});

describe('host errno translation', () => {
  test('a known errno passes through, an alias maps, anything else is EIO; no host path leaks', async () => {
    const { vfsErrorFromErrno } = await import('./vfs.js');
    assert.equal(vfsErrorFromErrno('ENOENT', 'a/b').code, 'ENOENT');
    assert.equal(vfsErrorFromErrno('ENOSPC', 'a').code, 'EDQUOT');
    const odd = vfsErrorFromErrno('EWEIRD', 'a');
    assert.equal(odd.code, 'EIO');
    assert.equal(odd.message, 'EIO (host EWEIRD): /a');
  });
});
