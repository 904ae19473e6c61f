/**
 * A tool registry over a directory on the host: `<dir>/<name>/manifest.json`
 * beside the artifact it names. Tools load on first use and are cached.
 *
 * A tool name comes from the agent, so it is checked against the manifest
 * name pattern before it touches a path: `../x` is just an unknown tool.
 * The artifact path in a manifest must stay inside the tool's directory.
 */
import { AirlockError } from './errors.js';
import type { HostCrypto, HostFs } from './host.js';
import { fromUtf8, toHex } from './json.js';
import { parseManifest, type ToolManifest } from './manifest.js';
import type { Tool, ToolRegistry } from './tool.js';

const TOOL_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const ARTIFACT = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._/-]+$/;

export class ToolDirectory implements ToolRegistry {
  readonly #cache = new Map<string, Tool | undefined>();

  constructor(
    readonly fs: HostFs,
    readonly crypto: HostCrypto,
    readonly dir: string,
  ) {}

  resolve(name: string): Tool | undefined {
    if (!TOOL_NAME.test(name)) return undefined;
    if (this.#cache.has(name)) return this.#cache.get(name);
    const tool = this.#load(name);
    this.#cache.set(name, tool);
    return tool;
  }

  list(): readonly ToolManifest[] {
    const out: ToolManifest[] = [];
    let entries: { name: string; type: string }[];
    try {
      entries = this.fs.root(this.dir).readdir([]);
    } catch {
      return out;
    }
    for (const e of entries.filter((x) => x.type === 'dir').sort((a, b) => a.name.localeCompare(b.name))) {
      const tool = this.resolve(e.name);
      if (tool) out.push(tool.manifest);
    }
    return out;
  }

  #load(name: string): Tool | undefined {
    const toolDir = this.fs.resolve(this.dir, name);
    const manifestPath = this.fs.resolve(toolDir, 'manifest.json');
    if (!this.fs.exists(manifestPath)) return undefined;
    const text = fromUtf8(this.fs.readFile(manifestPath));
    if (text === undefined) throw new AirlockError('MANIFEST_INVALID', `${manifestPath}: not UTF-8`);
    const manifest = parseManifest(text, manifestPath);
    if (manifest.name !== name)
      throw new AirlockError('MANIFEST_INVALID', `${manifestPath}: "name" is "${manifest.name}" but the directory is "${name}"`);
    if (!ARTIFACT.test(manifest.artifact)) {
      throw new AirlockError('MANIFEST_INVALID', `${manifestPath}: "artifact" must be a relative path inside the tool's directory`);
    }
    const artifactPath = this.fs.resolve(toolDir, manifest.artifact);
    if (!this.fs.exists(artifactPath))
      throw new AirlockError('MANIFEST_INVALID', `${manifestPath}: artifact ${manifest.artifact} not found`);
    const artifact = this.fs.readFile(artifactPath);
    return { manifest, artifact, digest: toHex(this.crypto.sha256(artifact)) };
  }
}
