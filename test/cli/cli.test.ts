// The `airlock` command, end to end, as a user runs it.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { openAuditLog } from '@airlock/audit';
import { createNodeHost } from '@airlock/runtime-node';
import { airlock, concat, EXAMPLE_POLICY, frames } from './helpers.js';

const cwd = () => mkdtempSync(join(tmpdir(), 'airlock-cli-'));

describe('airlock policy check', () => {
  test('a malformed policy exits 2 and names file:line:column', () => {
    const dir = cwd();
    writeFileSync(
      join(dir, 'bad.yaml'),
      'version: 1\nrules:\n  - id: x\n    effect: allow\n    agent: a\n    tool: t\n    when:\n      input.p: { regex: "(" }\n',
    );
    const r = airlock(['policy', 'check', 'bad.yaml'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /bad\.yaml:8:\d+: /);
  });
  test('a YAML syntax error exits 2 with its position', () => {
    const dir = cwd();
    writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nrules: [\n');
    const r = airlock(['policy', 'check', 'broken.yaml'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /broken\.yaml:\d+:\d+: /);
  });
  test('the example policy is valid: exit 0', () => {
    const r = airlock(['policy', 'check', EXAMPLE_POLICY], cwd());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok/);
  });
  test('explain names the deciding rule and exits 3 for a denial', () => {
    const r = airlock(
      ['policy', 'explain', EXAMPLE_POLICY, '--agent', 'analyst', '--tool', 'grep', '--input', '{"path":"/etc/passwd","pattern":"x"}'],
      cwd(),
    );
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /analyst-searches-workspace/);
  });
});

describe('airlock run', () => {
  test('a granted call exits 0 and prints the tool output', () => {
    const dir = cwd();
    const r = airlock(
      ['run', 'grep', '--policy', EXAMPLE_POLICY, '--agent', 'analyst', '--input', '{"path":"/workspace/notes","pattern":"TODO"}'],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.matches.length > 0);
    assert.match(r.stderr, /allowed by rule analyst-searches-workspace/);
    assert.equal(airlock(['audit', 'verify'], dir).code, 0, 'the default audit log verifies');
  });
  test('a path outside the mount exits 3 and is audited', () => {
    const dir = cwd();
    const r = airlock(
      [
        'run',
        'grep',
        '--policy',
        EXAMPLE_POLICY,
        '--agent',
        'analyst',
        '--json',
        '--input',
        '{"path":"/workspace/../../etc/passwd","pattern":"root"}',
      ],
      dir,
    );
    assert.equal(r.code, 3, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 'denied');
    const show = airlock(['audit', 'show', '--json'], dir);
    const records = show.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      records.map((x) => [x.kind, x.decision?.effect ?? x.outcome?.status]),
      [
        ['decision', 'deny'],
        ['outcome', 'denied'],
      ],
    );
  });
  test('without a policy file every call is denied (exit 3)', () => {
    const r = airlock(['run', 'grep', '--input', '{"path":"/workspace","pattern":"x"}'], cwd());
    assert.equal(r.code, 3, r.stderr);
  });
  test('input that is not JSON exits 2', () => {
    const r = airlock(['run', 'grep', '--policy', EXAMPLE_POLICY, '--agent', 'analyst', '--input', '{nope'], cwd());
    assert.equal(r.code, 2);
  });
  test('an unknown option exits 2', () => {
    assert.equal(airlock(['run', 'grep', '--inptu', '{}'], cwd()).code, 2);
  });
  test('--help works on every command', () => {
    for (const c of [['run'], ['policy', 'check'], ['policy', 'explain'], ['audit', 'show'], ['audit', 'verify'], ['demo'], []]) {
      const r = airlock([...c, '--help'], cwd());
      assert.equal(r.code, 0, c.join(' '));
      assert.match(r.stdout, /Usage|airlock/);
    }
  });
});

describe('airlock audit verify', () => {
  let log: Uint8Array;
  before(() => {
    const dir = cwd();
    for (const p of ['TODO', 'Q3', 'budget']) {
      airlock(
        [
          'run',
          'grep',
          '--policy',
          EXAMPLE_POLICY,
          '--agent',
          'analyst',
          '--input',
          JSON.stringify({ path: '/workspace/notes', pattern: p }),
        ],
        dir,
      );
    }
    log = readFileSync(join(dir, '.airlock', 'audit.log'));
    assert.equal(frames(log).length, 6);
  });
  const verify = (bytes: Uint8Array) => {
    const dir = cwd();
    writeFileSync(join(dir, 'log'), bytes);
    return airlock(['audit', 'verify', '--audit', 'log'], dir);
  };

  test('an intact log exits 0', () => {
    assert.equal(verify(log).code, 0);
  });
  test('one byte changed in a middle record exits 6 naming that record', () => {
    const [start, end] = frames(log)[2]!;
    for (const at of [start + 2, start + 20, Math.floor((start + end) / 2), end - 3]) {
      const bad = Uint8Array.from(log);
      bad[at]! ^= 0x01;
      const r = verify(bad);
      assert.equal(r.code, 6, `byte ${at}`);
      assert.match(r.stdout, /record 2\b/, `byte ${at}: ${r.stdout}`);
    }
  });
  test('a removed record exits 6 naming where the chain breaks', () => {
    const f = frames(log);
    const bad = concat([log.subarray(0, f[3]![0]), log.subarray(f[3]![1])]);
    const r = verify(bad);
    assert.equal(r.code, 6);
    assert.match(r.stdout, /record 3\b/);
  });
  test('two swapped records exit 6 naming the first', () => {
    const f = frames(log);
    const [a, b] = [f[1]!, f[2]!];
    const bad = concat([log.subarray(0, a[0]), log.subarray(b[0], b[1]), log.subarray(a[0], a[1]), log.subarray(b[1])]);
    const r = verify(bad);
    assert.equal(r.code, 6);
    assert.match(r.stdout, /record 1\b/);
  });
  test('a log cut mid-record is recovered on open, and says so', () => {
    const dir = cwd();
    const last = frames(log).at(-1)!;
    writeFileSync(join(dir, 'log'), log.subarray(0, last[0] + 7));
    assert.equal(airlock(['audit', 'verify', '--audit', 'log'], dir).code, 6, 'a torn tail does not verify');
    const r = airlock(
      [
        'run',
        'grep',
        '--policy',
        EXAMPLE_POLICY,
        '--agent',
        'analyst',
        '--audit',
        'log',
        '--input',
        '{"path":"/workspace/notes","pattern":"x"}',
      ],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /recovered/);
    assert.equal(airlock(['audit', 'verify', '--audit', 'log'], dir).code, 0);
    const kinds = airlock(['audit', 'show', '--json', '--audit', 'log'], dir)
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l).kind);
    assert.ok(kinds.includes('recovery'), `the recovery is itself recorded: ${kinds}`);
  });
});

describe('one writer per audit log', () => {
  /** `log` (three calls' records) in a fresh directory, held open by a writer in this process. */
  async function held(): Promise<{ dir: string; close: () => Promise<void> }> {
    const dir = cwd();
    for (const p of ['TODO', 'Q3']) {
      const input = JSON.stringify({ path: '/workspace/notes', pattern: p });
      airlock(['run', 'grep', '--policy', EXAMPLE_POLICY, '--agent', 'analyst', '--audit', 'log', '--input', input], dir);
    }
    const sink = await openAuditLog(createNodeHost(), join(dir, 'log'));
    return { dir, close: () => sink.close() };
  }

  test('verify and show read a log a writer holds: exit 0', async () => {
    const { dir, close } = await held();
    try {
      const r = airlock(['audit', 'verify', '--audit', 'log'], dir);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(airlock(['audit', 'show', '--audit', 'log'], dir).code, 0);
    } finally {
      await close();
    }
  });

  test('a second writer is refused with AUDIT_LOCKED (exit 1) naming the holder, and the log is unchanged', async () => {
    const { dir, close } = await held();
    try {
      const before = readFileSync(join(dir, 'log'));
      const input = JSON.stringify({ path: '/workspace/notes', pattern: 'x' });
      const r = airlock(['run', 'grep', '--policy', EXAMPLE_POLICY, '--agent', 'analyst', '--audit', 'log', '--input', input], dir);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`AUDIT_LOCKED: .*pid ${process.pid} on host`));
      assert.deepEqual(readFileSync(join(dir, 'log')), before);
    } finally {
      await close();
    }
  });
});

describe('airlock demo', () => {
  test('runs to the end, stops every injected step, and verifies its log', () => {
    const dir = cwd();
    const r = airlock(['demo', '--json'], dir);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(0, 2000));
    const out = JSON.parse(r.stdout);
    assert.equal(out.unexpected, 0);
    assert.equal(out.verify.ok, true);
    for (const s of out.steps) if (s.injected) assert.notEqual(s.result.status, 'ok', s.say);
    assert.match(readFileSync(join(dir, '.airlock', 'demo', 'reports', 'summary.md'), 'utf8'), /total revenue/);
    copyFileSync(join(dir, '.airlock', 'demo', 'audit.log'), join(dir, 'copy.log'));
    assert.equal(airlock(['audit', 'verify', '--audit', 'copy.log'], dir).code, 0);
  });
});
