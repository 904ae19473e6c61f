/**
 * The JavaScript example components (componentize-js, ~14 MB each) are
 * never committed: this builds them once into a cache directory keyed by
 * their sources and the componentize-js version, and later runs reuse them.
 * A build takes ~10 s per tool on these machines.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILD = join(ROOT, 'examples', 'components', 'build.mjs');

function cacheDir(): string {
  const h = createHash('sha256');
  h.update(readFileSync(BUILD));
  for (const name of ['json-query', 'http-get']) h.update(readFileSync(join(ROOT, 'examples', 'components', name, `${name}.js`)));
  h.update(readFileSync(join(ROOT, 'wit', 'tool.wit')));
  const dir = process.env['AIRLOCK_COMPONENT_CACHE'] ?? join(tmpdir(), 'airlock-js-components', h.digest('hex').slice(0, 16));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The path of JS example component `name`, built on first use. The build
 * goes to a private directory and is renamed into place, so a test file
 * running in parallel (or the Deno conformance run) never reads half a file.
 */
export async function jsComponentFile(name: 'json-query' | 'http-get'): Promise<string> {
  const dir = cacheDir();
  const file = join(dir, `${name}.wasm`);
  if (!existsSync(file)) {
    const { buildJsTool } = (await import(pathToFileURL(BUILD).href)) as { buildJsTool(n: string, d: string): Promise<string> };
    const tmp = mkdtempSync(join(dir, `.${name}-`));
    try {
      renameSync(await buildJsTool(name, tmp), file);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return file;
}

/** The bytes of JS example component `name`, built on first use. */
export async function jsComponent(name: 'json-query' | 'http-get'): Promise<Uint8Array> {
  return readFileSync(await jsComponentFile(name));
}
