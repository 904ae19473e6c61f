// The single writer lock of a durable log, on Node: across processes, after
// a crash, and with lock files we cannot trust. (The same-process refusal is
// a Host contract case, run on Node and Deno alike.)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isAirlockError } from '@airlock/core';
import { createNodeHost } from './index.js';
import { acquireLogLock, type LockHost, parseHolder } from './log-lock.js';

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function logPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-lock-'));
  temps.push(dir);
  return join(dir, 'audit.log');
}

const storage = createNodeHost().storage!;
const index = new URL('./index.js', import.meta.url).href;
const enc = new TextEncoder();
const locked = (e: unknown) => isAirlockError(e, 'AUDIT_LOCKED');

/** Node running `body` as an ES module, with the log path in AIRLOCK_LOG. */
function child(body: string): [string, string[], { env: NodeJS.ProcessEnv }] {
  const script = `const { createNodeHost } = await import(${JSON.stringify(index)});\nconst storage = createNodeHost().storage;\n${body}`;
  return [process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env } }];
}
const TRY_OPEN = `
try { const log = await storage.openLog(process.env.AIRLOCK_LOG); await log.close(); console.log('opened'); }
catch (e) { console.log(e.code ?? String(e)); }`;

/** A pid that ran a moment ago and no longer does. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

test('lock_second_process_is_refused_while_the_first_holds_the_log_and_the_log_is_unchanged', async () => {
  const path = logPath();
  const log = await storage.openLog(path);
  try {
    await log.append(enc.encode('held;'));
    await log.sync();
    const before = readFileSync(path);
    const [cmd, args, opts] = child(TRY_OPEN);
    const r = spawnSync(cmd, args, { ...opts, env: { ...opts.env, AIRLOCK_LOG: path }, encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'AUDIT_LOCKED', r.stderr);
    assert.deepEqual(readFileSync(path), before);
  } finally {
    await log.close();
  }
  const [cmd, args, opts] = child(TRY_OPEN);
  const r = spawnSync(cmd, args, { ...opts, env: { ...opts.env, AIRLOCK_LOG: path }, encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'opened', `after close another process opens it: ${r.stderr}`);
});

test('lock_left_by_a_sigkilled_writer_is_stale_and_the_next_opener_takes_it', async () => {
  const path = logPath();
  const [cmd, args, opts] = child(`await storage.openLog(process.env.AIRLOCK_LOG); console.log('held'); setInterval(() => {}, 1000);`);
  const holder = spawn(cmd, args, { ...opts, env: { ...opts.env, AIRLOCK_LOG: path }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => holder.on('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      holder.on('exit', (code) => reject(new Error(`holder exited early (${code})`)));
    });
    await assert.rejects(storage.openLog(path), locked, 'refused while the holder runs');
  } finally {
    holder.kill('SIGKILL');
    await exited;
  }
  assert.equal(parseHolder(readFileSync(`${path}.lock`, 'utf8'))?.pid, holder.pid, 'SIGKILL left the lock behind');

  const log = await storage.openLog(path);
  try {
    assert.equal(parseHolder(readFileSync(`${path}.lock`, 'utf8'))?.pid, process.pid, 'the lock is ours now');
  } finally {
    await log.close();
  }
  assert.equal(existsSync(`${path}.lock`), false);
});

test('lock_is_removed_when_its_process_exits_without_closing_the_log', () => {
  const path = logPath();
  const [cmd, args, opts] = child(`await storage.openLog(process.env.AIRLOCK_LOG); process.exit(0);`);
  const r = spawnSync(cmd, args, { ...opts, env: { ...opts.env, AIRLOCK_LOG: path }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(path), true, 'the child opened the log');
  assert.equal(existsSync(`${path}.lock`), false, 'the exit hook removed the lock');
});

// Garbage has no pid to check, so it is refused, never taken over: guessing
// "stale" wrongly would put two writers on one chain. The operator is told
// which file to remove.
test('lock_file_with_garbage_is_refused_with_the_file_to_remove', async () => {
  const path = logPath();
  writeFileSync(`${path}.lock`, 'not a lock\n');
  await assert.rejects(storage.openLog(path), (e) => locked(e) && /remove .*audit\.log\.lock/.test((e as Error).message));
  assert.equal(existsSync(path), false, 'the log was not even created');
  assert.equal(readFileSync(`${path}.lock`, 'utf8'), 'not a lock\n', 'the lock file is left for the operator');
});

test('lock_from_another_host_is_refused_even_with_a_dead_pid', async () => {
  const path = logPath();
  const lock = JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, since: Date.now(), token: 'x' });
  writeFileSync(`${path}.lock`, lock);
  await assert.rejects(storage.openLog(path), (e) => locked(e) && /another host/.test((e as Error).message));
  assert.equal(readFileSync(`${path}.lock`, 'utf8'), lock);
});

test('lock_with_a_dead_pid_on_this_host_is_stale', async () => {
  const path = logPath();
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), since: Date.now(), token: 'x' }));
  const log = await storage.openLog(path);
  await log.close();
});

test('lock_with_our_pid_from_before_this_process_started_is_stale', async () => {
  // A container restart: the crashed writer had the pid we have now.
  const path = logPath();
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), since: 0, token: 'x' }));
  const log = await storage.openLog(path);
  await log.close();
});

// Two openers judge the same stale lock. The other one moved it aside and
// took the lock first, so our rename moves *its live lock*: we must notice,
// put it back and refuse, not take the log too.
test('lock_takeover_race_gives_back_a_lock_another_opener_just_took', () => {
  const files = new Map<string, string>();
  const stale = `${JSON.stringify({ pid: 111, host: 'h', since: 1, token: 'stale' })}\n`;
  const theirs = `${JSON.stringify({ pid: 222, host: 'h', since: 2, token: 'theirs' })}\n`;
  files.set('log.lock', stale);
  let raced = false;
  const create = (p: string, t: string) => {
    if (files.has(p)) return false;
    files.set(p, t);
    return true;
  };
  const host: LockHost = {
    createExclusive: create,
    read: (p) => files.get(p),
    rename(from, to) {
      if (!raced) {
        raced = true;
        files.set('log.lock', theirs); // the other opener's rename-aside and create, in between
      }
      const t = files.get(from);
      if (t === undefined) return false;
      files.delete(from);
      files.set(to, t);
      return true;
    },
    link: (existing, p) => create(p, files.get(existing)!),
    remove: (p) => void files.delete(p),
    processState: (pid) => (pid === 111 ? 'dead' : 'alive'),
    onExit: () => () => undefined,
    pid: 333,
    hostname: 'h',
    processStart: 0,
    now: () => 3,
    token: () => 'ours',
  };
  assert.throws(
    () => acquireLogLock(host, 'log'),
    (e) => locked(e) && /pid 222/.test((e as Error).message),
  );
  assert.equal(files.get('log.lock'), theirs, 'their lock is back in place');
  assert.deepEqual([...files.keys()], ['log.lock'], 'nothing left aside');
});
