/** Tools and the registry that resolves a name to one. */
import type { ToolManifest } from './manifest.js';

/** A manifest plus its artifact bytes (Wasm, or JS source as UTF-8). */
export interface Tool {
  readonly manifest: ToolManifest;
  readonly artifact: Uint8Array;
  /** Hex SHA-256 of the artifact: the cache key for compiled forms. */
  readonly digest: string;
}

export interface ToolRegistry {
  /** The tool of that name, or undefined. May load lazily. */
  resolve(name: string): Tool | undefined;
  list(): readonly ToolManifest[];
}

/** A registry over tools already loaded. */
export class StaticRegistry implements ToolRegistry {
  readonly #tools = new Map<string, Tool>();
  constructor(tools: Iterable<Tool> = []) {
    for (const t of tools) this.add(t);
  }
  add(tool: Tool): void {
    this.#tools.set(tool.manifest.name, tool);
  }
  resolve(name: string): Tool | undefined {
    return this.#tools.get(name);
  }
  list(): readonly ToolManifest[] {
    return [...this.#tools.values()].map((t) => t.manifest);
  }
}
