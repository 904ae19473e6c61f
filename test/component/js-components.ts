/**
 * The JavaScript example components (componentize-js, ~14 MB each) are
 * never committed: this builds them once into a cache directory keyed by
 * their sources and the componentize-js version, and later runs reuse them.
 * A build takes ~10 s per tool on these machines.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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

/** The bytes of JS example component `name`, built on first use. */
export async function jsComponent(name: 'json-query' | 'http-get'): Promise<Uint8Array> {
  const dir = cacheDir();
  const file = join(dir, `${name}.wasm`);
  if (!existsSync(file)) {
    const { buildJsTool } = (await import(pathToFileURL(BUILD).href)) as { buildJsTool(n: string, d: string): Promise<string> };
    await buildJsTool(name, dir);
  }
  return readFileSync(file);
}
