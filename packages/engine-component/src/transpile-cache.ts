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
const REWRITTEN_MAGIC = 'airlock-rewritten/1';
const utf8 = new TextEncoder();

/** One byte string: a little-endian u32 header length, a JSON header (with `files`: names and sizes), then the files. */
function pack(header: Record<string, unknown>, files: readonly (readonly [string, Uint8Array])[]): Uint8Array {
  const head = utf8.encode(JSON.stringify({ ...header, files: files.map(([n, b]) => [n, b.length]) }));
  const out = new Uint8Array(4 + head.length + files.reduce((n, [, b]) => n + b.length, 0));
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let at = 4 + head.length;
  for (const [, b] of files) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** The inverse of pack; undefined unless the header has `magic` and the sizes add up exactly. */
function unpack(bytes: Uint8Array, magic: string): { header: Record<string, unknown>; files: Map<string, Uint8Array> } | undefined {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const len = view.getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))) as Record<string, unknown> & {
      files: [string, number][];
    };
    if (header['magic'] !== magic || !Array.isArray(header.files)) return undefined;
    let at = 4 + len;
    const files = new Map<string, Uint8Array>();
    for (const [name, size] of header.files) {
      const b = bytes.subarray(at, at + size);
      if (b.length !== size) return undefined;
      at += size;
      files.set(name, b);
    }
    return at === bytes.length ? { header, files } : undefined;
  } catch {
    return undefined;
  }
}

/** Pack a Transpiled into one byte string: a JSON header, then the files. */
export function encodeTranspiled(t: Transpiled): Uint8Array {
  return pack({ magic: MAGIC, imports: t.imports, exports: t.exports }, [['component.js', utf8.encode(t.js)], ...t.cores]);
}

/** The inverse of encodeTranspiled; undefined for anything that is not one (a corrupt entry is a miss). */
export function decodeTranspiled(bytes: Uint8Array): Transpiled | undefined {
  const u = unpack(bytes, MAGIC);
  const js = u?.files.get('component.js');
  if (u === undefined || js === undefined) return undefined;
  u.files.delete('component.js');
  return {
    js: new TextDecoder().decode(js),
    cores: u.files,
    imports: u.header['imports'] as string[],
    exports: u.header['exports'] as [string, string][],
  };
}

/**
 * What our glue caches (it has nothing to transpile): the core modules after
 * the metering rewrite, which for a 14 MB StarlingMonkey core is most of a
 * cold start, with what the rewrite did to each (`shapes`, metering.ts).
 */
export interface Rewritten {
  readonly cores: ReadonlyMap<string, Uint8Array>;
  readonly shapes: ReadonlyMap<string, unknown>;
}

export function encodeRewritten(r: Rewritten): Uint8Array {
  return pack({ magic: REWRITTEN_MAGIC, shapes: [...r.shapes] }, [...r.cores]);
}

export function decodeRewritten(bytes: Uint8Array): Rewritten | undefined {
  const u = unpack(bytes, REWRITTEN_MAGIC);
  if (u === undefined || !Array.isArray(u.header['shapes'])) return undefined;
  return { cores: u.files, shapes: new Map(u.header['shapes'] as [string, unknown][]) };
}
