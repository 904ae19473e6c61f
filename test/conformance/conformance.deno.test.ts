// The conformance suite on the Deno runtime (run by `deno test`, see scripts/test.mjs).
import { createDenoHost } from '@airlock/runtime-deno';
import { conformanceCases } from './suite.js';

declare const Deno: {
  test(name: string, fn: () => Promise<void>): void;
  makeTempDirSync(opts: { prefix: string }): string;
  mkdirSync(path: string, opts: { recursive: boolean }): void;
  writeTextFileSync(path: string, text: string): void;
  readTextFileSync(path: string): string;
  readFileSync(path: string): Uint8Array;
  symlinkSync(target: string, path: string): void;
  readDirSync(path: string): Iterable<{ name: string }>;
};

const join = (...parts: string[]) => parts.join('/').replace(/\/+/g, '/');
const repoRoot = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');

for (const c of conformanceCases({
  host: createDenoHost(),
  repoRoot,
  tempDir: () => Deno.makeTempDirSync({ prefix: 'airlock-conf-' }),
  join,
  mkdir: (p) => Deno.mkdirSync(p, { recursive: true }),
  writeFile: (p, t) => Deno.writeTextFileSync(p, t),
  readFile: (p) => {
    try {
      return Deno.readTextFileSync(p);
    } catch {
      return undefined;
    }
  },
  readBytes: (p) => Deno.readFileSync(p),
  symlink: (target, p) => Deno.symlinkSync(target, p),
  list: (p) => [...Deno.readDirSync(p)].map((e) => e.name).sort(),
})) {
  Deno.test(`deno: ${c.name}`, () => c.run());
}
