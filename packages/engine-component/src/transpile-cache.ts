/**
 * Where transpiled components are kept between processes.
 *
 * A cache is a content-addressed byte store: `key` is derived from the
 * component's SHA-256 and the transpiler's version and options (see
 * `transpileKey`), so an entry never goes stale, only unused. The engine
 * keeps its own in-memory cache in front of it; this one is for a second
 * process that should not transpile again. The CLI and runtimes pass one
 * backed by a directory through the Host; the package itself never touches
 * a disk.
 */
export interface TranspileCache {
  get(key: string): Promise<Uint8Array | undefined> | Uint8Array | undefined;
  set(key: string, value: Uint8Array): Promise<void> | void;
}

/** What jco's transpiler produced for one component. */
export interface Transpiled {
  /** The generated ES module (instantiation mode `async`, no WASI shim). */
  readonly js: string;
  /** Core Wasm modules by the file name the generated code asks for. */
  readonly cores: ReadonlyMap<string, Uint8Array>;
  /** Interfaces the component imports, unversioned (`wasi:cli/stdin`). */
  readonly imports: readonly string[];
  /** Exports: a function name, or an interface name for instances. */
  readonly exports: readonly (readonly [string, string])[];
}

const MAGIC = 'airlock-transpiled/1';
const utf8 = new TextEncoder();

/** Pack a Transpiled into one byte string: a JSON header, then the files. */
export function encodeTranspiled(t: Transpiled): Uint8Array {
  const files: [string, Uint8Array][] = [['component.js', utf8.encode(t.js)], ...t.cores];
  const header = utf8.encode(
    JSON.stringify({ magic: MAGIC, imports: t.imports, exports: t.exports, files: files.map(([n, b]) => [n, b.length]) }),
  );
  const out = new Uint8Array(4 + header.length + files.reduce((n, [, b]) => n + b.length, 0));
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let at = 4 + header.length;
  for (const [, b] of files) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** The inverse of encodeTranspiled; undefined for anything that is not one (a corrupt entry is a miss). */
export function decodeTranspiled(bytes: Uint8Array): Transpiled | undefined {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const len = view.getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))) as {
      magic: string;
      imports: string[];
      exports: [string, string][];
      files: [string, number][];
    };
    if (header.magic !== MAGIC) return undefined;
    let at = 4 + len;
    let js: string | undefined;
    const cores = new Map<string, Uint8Array>();
    for (const [name, size] of header.files) {
      const b = bytes.subarray(at, at + size);
      if (b.length !== size) return undefined;
      at += size;
      if (name === 'component.js') js = new TextDecoder().decode(b);
      else cores.set(name, b);
    }
    if (js === undefined || at !== bytes.length) return undefined;
    return { js, cores, imports: header.imports, exports: header.exports };
  } catch {
    return undefined;
  }
}
