/**
 * The Host conformance cases: written once, registered by every runtime's
 * test (node:test on Node, Deno.test on Deno). Host-neutral on purpose: no
 * `node:*` import, no assertion library; whatever a case needs from the host
 * beyond the Host itself (a temp directory, a symlink, a file written
 * without the Vfs) comes from the caller as `HostContractHelpers`.
 */
import { type Host, type Vfs, VfsError, type VfsErrorCode } from '@airlock/core';

export interface HostContractHelpers {
  /** A fresh, empty directory; returns its host path. */
  makeTempDir(): string;
  /** Create a symlink at `path` pointing to `target` (both host paths; target may be relative). */
  makeSymlink(target: string, path: string): void;
  /** Write a host file directly, not through a Vfs. */
  writeFile(path: string, text: string): void;
  /** Read a host file directly; undefined when it does not exist. */
  readFile(path: string): string | undefined;
}

export interface HostContractCase {
  readonly name: string;
  readonly fn: () => void | Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function fail(message: string): never {
  throw new Error(message);
}

function equal(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  const e = JSON.stringify(expected, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

function throwsVfs(fn: () => unknown, code: VfsErrorCode, what: string): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof VfsError)) fail(`${what}: expected VfsError ${code}, got ${String(error)}`);
    if (error.code !== code) fail(`${what}: expected ${code}, got ${error.code} (${error.message})`);
    return;
  }
  fail(`${what}: expected ${code}, but it succeeded`);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function writeText(vfs: Vfs, path: string[], text: string): void {
  const f = vfs.open(path, { read: false, write: true, create: true, truncate: true });
  try {
    f.write(enc.encode(text), 0);
  } finally {
    f.close();
  }
}

function readText(vfs: Vfs, path: string[]): string {
  const f = vfs.open(path, { read: true, write: false });
  try {
    const buf = new Uint8Array(f.size());
    const n = f.read(buf, 0);
    return dec.decode(buf.subarray(0, n));
  } finally {
    f.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The cases. `makeHost` is called once per case, so a case never sees
 * another's state.
 */
export function hostContractCases(makeHost: () => Host, helpers: HostContractHelpers): HostContractCase[] {
  const need = <K extends 'fs' | 'storage' | 'workers'>(host: Host, key: K): NonNullable<Host[K]> =>
    host[key] ?? fail(`this host has no ${key}`);

  /** A temp dir with a root Vfs over `<tmp>/root` and a sibling `<tmp>/outside/secret`. */
  const sandbox = () => {
    const host = makeHost();
    const fs = need(host, 'fs');
    const tmp = helpers.makeTempDir();
    const rootDir = fs.resolve(tmp, 'root');
    const outside = fs.resolve(tmp, 'outside');
    helpers.writeFile(fs.resolve(outside, 'secret'), 'outside secret');
    helpers.writeFile(fs.resolve(rootDir, 'inside.txt'), 'inside');
    return { host, fs, tmp, rootDir, outside, vfs: fs.root(rootDir) };
  };

  return [
    {
      name: 'clock_now_is_epoch_ms_and_monotonic_increases',
      fn() {
        const { clock } = makeHost();
        const now = clock.now();
        if (Math.abs(now - Date.now()) > 1000) fail(`now() is ${now}, not epoch ms`);
        const a = clock.monotonic();
        let b = clock.monotonic();
        const deadline = Date.now() + 1000;
        while (b <= a && Date.now() < deadline) b = clock.monotonic();
        if (!(b > a)) fail(`monotonic() did not increase: ${a} then ${b}`);
      },
    },
    {
      name: 'crypto_sha256_matches_the_abc_vector',
      fn() {
        const { crypto } = makeHost();
        equal(hex(crypto.sha256(enc.encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'sha256("abc")');
        equal(hex(crypto.sha256(new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256("")');
      },
    },
    {
      name: 'crypto_random_bytes_have_the_length_asked_and_differ',
      fn() {
        const { crypto } = makeHost();
        const a = crypto.randomBytes(32);
        const b = crypto.randomBytes(32);
        equal(a.length, 32, 'length');
        if (hex(a) === hex(b)) fail('two random draws are equal');
      },
    },
    {
      name: 'fs_read_file_resolve_dirname_exists',
      fn() {
        const host = makeHost();
        const fs = need(host, 'fs');
        const tmp = helpers.makeTempDir();
        const file = fs.resolve(tmp, 'policy.yaml');
        equal(fs.exists(file), false, 'exists before');
        helpers.writeFile(file, 'rules: []');
        equal(fs.exists(file), true, 'exists after');
        equal(dec.decode(fs.readFile(file)), 'rules: []', 'readFile');
        equal(fs.dirname(file), fs.resolve(tmp, '.'), 'dirname');
        equal(fs.resolve(fs.resolve(tmp, 'a'), '../b'), fs.resolve(tmp, 'b'), 'resolve ..');
      },
    },
    {
      name: 'vfs_write_read_lstat_inside_the_root',
      fn() {
        const { vfs, rootDir } = sandbox();
        vfs.mkdir(['dir']);
        writeText(vfs, ['dir', 'a.txt'], 'hello');
        equal(readText(vfs, ['dir', 'a.txt']), 'hello', 'read back');
        equal(helpers.readFile(`${rootDir}/dir/a.txt`), 'hello', 'on the host');
        const st = vfs.lstat(['dir', 'a.txt']);
        equal([st.type, st.size, typeof st.ino, st.mtimeMs > 0], ['file', 5, 'bigint', true], 'lstat file');
        equal(vfs.lstat(['dir']).type, 'dir', 'lstat dir');
        equal(vfs.lstat([]).type, 'dir', 'lstat root');
        throwsVfs(() => vfs.lstat(['missing']), 'ENOENT', 'lstat missing');
        throwsVfs(() => vfs.lstat(['inside.txt', 'x']), 'ENOTDIR', 'lstat through a file');
      },
    },
    {
      name: 'vfs_file_positional_read_write_truncate',
      fn() {
        const { vfs } = sandbox();
        const f = vfs.open(['f.bin'], { read: true, write: true, create: true });
        equal(f.write(enc.encode('abcdef'), 0), 6, 'write');
        equal(f.write(enc.encode('XY'), 2), 2, 'overwrite');
        const buf = new Uint8Array(4);
        equal(f.read(buf, 1), 4, 'read count');
        equal(dec.decode(buf), 'bXYe', 'read at 1');
        equal(f.read(buf, 6), 0, 'read at end');
        f.truncate(3);
        equal(f.size(), 3, 'size after truncate');
        f.sync();
        f.close();
        throwsVfs(() => f.size(), 'EBADF', 'use after close');
        f.close(); // twice is fine
      },
    },
    {
      name: 'vfs_open_flags_create_exclusive_truncate',
      fn() {
        const { vfs } = sandbox();
        throwsVfs(() => vfs.open(['nope'], { read: true, write: false }), 'ENOENT', 'open missing');
        throwsVfs(() => vfs.open(['inside.txt'], { read: true, write: true, create: true, exclusive: true }), 'EEXIST', 'exclusive');
        const created = vfs.open(['made'], { read: true, write: false, create: true });
        equal(created.read(new Uint8Array(4), 0), 0, 'create for reading makes an empty file');
        created.close();
        equal(vfs.lstat(['made']).type, 'file', 'created');
        vfs.open(['inside.txt'], { read: false, write: true, truncate: true }).close();
        equal(vfs.lstat(['inside.txt']).size, 0, 'truncated');
        vfs.mkdir(['d']);
        throwsVfs(() => vfs.open(['d'], { read: true, write: false }), 'EISDIR', 'open a dir');
        throwsVfs(() => vfs.open([], { read: true, write: false }), 'EISDIR', 'open the root');
        const ro = vfs.open(['inside.txt'], { read: true, write: false });
        try {
          throwsVfs(() => ro.write(enc.encode('x'), 0), 'EBADF', 'write on a read-only file');
        } finally {
          ro.close();
        }
      },
    },
    {
      name: 'vfs_readdir_mkdir_unlink_rmdir_rename',
      fn() {
        const { vfs, rootDir } = sandbox();
        vfs.mkdir(['b']);
        writeText(vfs, ['a'], '1');
        helpers.makeSymlink('a', `${rootDir}/c`);
        equal(
          vfs.readdir([]),
          [
            { name: 'a', type: 'file' },
            { name: 'b', type: 'dir' },
            { name: 'c', type: 'symlink' },
            { name: 'inside.txt', type: 'file' },
          ],
          'readdir sorted with types',
        );
        throwsVfs(() => vfs.mkdir(['b']), 'EEXIST', 'mkdir existing');
        throwsVfs(() => vfs.mkdir(['c']), 'EEXIST', 'mkdir over a symlink');
        vfs.rename(['a'], ['b', 'a2']);
        equal(readText(vfs, ['b', 'a2']), '1', 'renamed');
        throwsVfs(() => vfs.lstat(['a']), 'ENOENT', 'old name gone');
        throwsVfs(() => vfs.rmdir(['b']), 'ENOTEMPTY', 'rmdir non-empty');
        throwsVfs(() => vfs.unlink(['b']), 'EISDIR', 'unlink a dir');
        throwsVfs(() => vfs.rmdir(['inside.txt']), 'ENOTDIR', 'rmdir a file');
        vfs.unlink(['b', 'a2']);
        vfs.rmdir(['b']);
        vfs.unlink(['c']); // removes the link, not its target
        equal(
          vfs.readdir([]).map((e) => e.name),
          ['inside.txt'],
          'after removals',
        );
        throwsVfs(() => vfs.rmdir([]), 'EPERM', 'rmdir the root');
        throwsVfs(() => vfs.readdir(['inside.txt']), 'ENOTDIR', 'readdir a file');
      },
    },
    {
      name: 'vfs_lstat_of_a_symlink_reports_symlink_and_readlink_reads_it',
      fn() {
        const { vfs, rootDir } = sandbox();
        helpers.makeSymlink('inside.txt', `${rootDir}/link`);
        equal(vfs.lstat(['link']).type, 'symlink', 'lstat type');
        equal(vfs.readlink(['link']), 'inside.txt', 'readlink');
        throwsVfs(() => vfs.readlink(['inside.txt']), 'EINVAL', 'readlink of a file');
      },
    },
    {
      name: 'escape_open_of_a_symlink_to_a_file_inside_is_eloop',
      fn() {
        const { vfs, rootDir } = sandbox();
        helpers.makeSymlink('inside.txt', `${rootDir}/link`);
        throwsVfs(() => vfs.open(['link'], { read: true, write: false }), 'ELOOP', 'open for read');
        throwsVfs(() => vfs.open(['link'], { read: false, write: true, truncate: true }), 'ELOOP', 'open for write');
        equal(helpers.readFile(`${rootDir}/inside.txt`), 'inside', 'target untouched');
      },
    },
    {
      name: 'escape_open_of_a_symlink_to_a_file_outside_is_eloop',
      fn() {
        const { vfs, rootDir, outside } = sandbox();
        helpers.makeSymlink(`${outside}/secret`, `${rootDir}/abs`);
        helpers.makeSymlink('../outside/secret', `${rootDir}/rel`);
        for (const name of ['abs', 'rel']) {
          throwsVfs(() => vfs.open([name], { read: true, write: false }), 'ELOOP', `open ${name} for read`);
          throwsVfs(() => vfs.open([name], { read: true, write: true, create: true, truncate: true }), 'ELOOP', `open ${name} to write`);
        }
        helpers.makeSymlink(`${outside}/new-file`, `${rootDir}/dangling`);
        throwsVfs(() => vfs.open(['dangling'], { read: false, write: true, create: true }), 'ELOOP', 'create through a dangling link');
        equal(helpers.readFile(`${outside}/new-file`), undefined, 'nothing created outside');
        equal(helpers.readFile(`${outside}/secret`), 'outside secret', 'secret untouched');
      },
    },
    {
      name: 'escape_a_directory_symlink_in_the_middle_of_a_path_is_refused',
      fn() {
        const { vfs, rootDir, outside } = sandbox();
        helpers.makeSymlink(outside, `${rootDir}/linkdir`);
        const through = ['linkdir', 'secret'];
        throwsVfs(() => vfs.open(through, { read: true, write: false }), 'ELOOP', 'open');
        throwsVfs(() => vfs.lstat(through), 'ELOOP', 'lstat');
        throwsVfs(() => vfs.readlink(through), 'ELOOP', 'readlink');
        throwsVfs(() => vfs.readdir(['linkdir']), 'ELOOP', 'readdir of the link');
        throwsVfs(() => vfs.mkdir(['linkdir', 'made']), 'ELOOP', 'mkdir');
        throwsVfs(() => vfs.unlink(through), 'ELOOP', 'unlink');
        throwsVfs(() => vfs.rename(through, ['stolen']), 'ELOOP', 'rename out');
        throwsVfs(() => vfs.rename(['inside.txt'], ['linkdir', 'planted']), 'ELOOP', 'rename in');
        vfs.mkdir(['real']);
        helpers.makeSymlink(outside, `${rootDir}/real/deeper`);
        throwsVfs(() => vfs.open(['real', 'deeper', 'secret'], { read: true, write: false }), 'ELOOP', 'open two levels down');
        equal(helpers.readFile(`${outside}/secret`), 'outside secret', 'secret still there');
        equal(helpers.readFile(`${outside}/made`), undefined, 'no dir made outside');
        equal(helpers.readFile(`${outside}/planted`), undefined, 'nothing planted outside');
      },
    },
    {
      name: 'vfs_assert_components_rejects_dotdot_slash_nul_empty',
      fn() {
        const { vfs } = sandbox();
        for (const bad of [['..'], ['.'], [''], ['/'], ['a/b'], ['..', 'outside', 'secret'], ['inside.txt\0'], ['a\\b']]) {
          const what = JSON.stringify(bad);
          throwsVfs(() => vfs.lstat(bad), 'EINVAL', `lstat ${what}`);
          throwsVfs(() => vfs.open(bad, { read: true, write: false }), 'EINVAL', `open ${what}`);
          throwsVfs(() => vfs.mkdir(bad), 'EINVAL', `mkdir ${what}`);
          throwsVfs(() => vfs.readdir(bad), 'EINVAL', `readdir ${what}`);
          throwsVfs(() => vfs.rename(['inside.txt'], bad), 'EINVAL', `rename to ${what}`);
        }
        throwsVfs(() => vfs.lstat(['x'.repeat(256)]), 'ENAMETOOLONG', 'long component');
      },
    },
    {
      name: 'vfs_errors_do_not_reveal_the_host_path',
      fn() {
        const { vfs, rootDir } = sandbox();
        try {
          vfs.open(['missing', 'file'], { read: true, write: false });
          fail('open succeeded');
        } catch (error) {
          if (!(error instanceof VfsError)) throw error;
          if (error.message.includes(rootDir)) fail(`message shows the host path: ${error.message}`);
        }
      },
    },
    {
      name: 'log_append_sync_read_all_round_trip',
      async fn() {
        const host = makeHost();
        const fs = need(host, 'fs');
        const storage = need(host, 'storage');
        const path = fs.resolve(helpers.makeTempDir(), 'deep/er/audit.log');
        const log = await storage.openLog(path);
        try {
          equal((await log.readAll()).length, 0, 'new log is empty');
          const buf = enc.encode('one;');
          const pending = log.append(buf);
          buf.fill(0); // the log must have copied it
          await pending;
          await log.append(enc.encode('two;'));
          await log.sync();
          equal(dec.decode(await log.readAll()), 'one;two;', 'readAll');
          await log.truncate(4);
          equal(dec.decode(await log.readAll()), 'one;', 'after truncate');
          await log.append(enc.encode('three;'));
          await log.sync();
        } finally {
          await log.close();
        }
        await log.close(); // twice is fine
        const again = await storage.openLog(path);
        try {
          equal(dec.decode(await again.readAll()), 'one;three;', 'reopened');
          await again.append(enc.encode('four;'));
          equal(dec.decode(await again.readAll()), 'one;three;four;', 'appends at the end after reopen');
        } finally {
          await again.close();
        }
      },
    },
    {
      name: 'log_second_writer_is_refused_until_the_first_closes',
      async fn() {
        const host = makeHost();
        const storage = need(host, 'storage');
        const path = need(host, 'fs').resolve(helpers.makeTempDir(), 'audit.log');
        const first = await storage.openLog(path);
        try {
          await first.append(enc.encode('first;'));
          await first.sync();
          let refused: unknown;
          try {
            const second = await storage.openLog(path);
            await second.close();
          } catch (error) {
            refused = error;
          }
          const code = (refused as { code?: unknown } | undefined)?.code;
          if (code !== 'AUDIT_LOCKED') fail(`second open: expected AUDIT_LOCKED, got ${String(refused ?? 'success')}`);
          const message = String((refused as Error).message);
          if (!message.includes(path) || !/pid \d+ on host/.test(message)) fail(`message should name the log and holder: ${message}`);
          equal(helpers.readFile(path), 'first;', 'the refused open left the log as it was');
        } finally {
          await first.close();
        }
        equal(helpers.readFile(`${path}.lock`), undefined, 'close removes the lock file');
        const again = await storage.openLog(path);
        try {
          equal(dec.decode(await again.readAll()), 'first;', 'opens once the first writer closed');
        } finally {
          await again.close();
        }
      },
    },
    {
      name: 'worker_echoes_a_message',
      async fn() {
        const workers = need(makeHost(), 'workers');
        const w = workers.spawn(new URL('./fixtures/echo-worker.js', import.meta.url));
        try {
          const reply = new Promise<unknown>((resolve, reject) => {
            w.onMessage(resolve);
            w.onError(reject);
          });
          w.postMessage({ hello: 'world' });
          equal(await withTimeout(reply, 5000, 'echo'), { echo: { hello: 'world' } }, 'echo');
        } finally {
          await w.terminate();
        }
      },
    },
    {
      name: 'worker_terminate_kills_a_spinning_worker_within_a_second',
      async fn() {
        const workers = need(makeHost(), 'workers');
        const w = workers.spawn(new URL('./fixtures/spin-worker.js', import.meta.url));
        const started = new Promise<unknown>((resolve, reject) => {
          w.onMessage(resolve);
          w.onError(reject);
        });
        equal(await withTimeout(started, 5000, 'spin start'), 'spinning', 'started');
        const t0 = Date.now();
        await withTimeout(w.terminate(), 1000, 'terminate');
        const ms = Date.now() - t0;
        if (ms > 1000) fail(`terminate took ${ms} ms`);
      },
    },
  ];
}
