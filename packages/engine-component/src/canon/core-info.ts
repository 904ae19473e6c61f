/**
 * A minimal core-module reader: only the sections the plan rewrites
 * (fixup.ts, prune.ts) and the signature check (signature.ts) look at.
 *
 * It is not a validator: V8 validates every module when it compiles it.
 * It reads just enough to answer "what does this module import and export,
 * and with which function types", and gives up quietly (undefined, never a
 * throw) on anything it does not understand, so each caller can fall back
 * to doing nothing.
 */

export interface CoreImport {
  readonly module: string;
  readonly name: string;
  /** 0 function, 1 table, 2 memory, 3 global, 4 tag (the binary's externkind). */
  readonly kind: number;
  /** A function's type index. */
  readonly type?: number;
}

/** A core function type, each value type spelled as in the text format (`i32`, `externref`). */
export interface CoreFuncType {
  readonly params: readonly string[];
  readonly results: readonly string[];
}

export interface CoreInfo {
  readonly imports: CoreImport[];
  /** Defined functions (function section entries). */
  definedFuncs: number;
  /**
   * The type index of every function in the function index space (imported
   * functions first, then defined ones); undefined if the function section
   * could not be read.
   */
  funcTypes: number[] | undefined;
  /**
   * The type section by type index: a plain function type, or undefined for
   * one this reader does not model (GC rec groups, subtypes, structs, arrays).
   * Shorter than the section if it stopped reading at something unknown.
   */
  readonly types: (CoreFuncType | undefined)[];
  readonly exports: Map<string, { kind: number; index: number }>;
  start: number | undefined;
  /** Active segments as (table, offset, function indices); undefined if any segment has another shape. */
  elems: { table: number; offset: number; funcs: number[] }[] | undefined;
  /** Per defined function: the slot K of a pure `call_indirect` forwarder, or undefined. */
  readonly forwarders: (number | undefined)[];
  /** Any section besides types, imports, functions, exports, start, elements and code. */
  other: boolean;
}

/** The type of function `index`, or undefined where the module does not say (or we cannot read it). */
export function funcTypeOf(info: CoreInfo, index: number): CoreFuncType | undefined {
  const t = info.funcTypes?.[index];
  return t === undefined ? undefined : info.types[t];
}

const utf8 = new TextDecoder();

class Reader {
  at = 0;
  constructor(readonly b: Uint8Array) {}
  byte(): number {
    if (this.at >= this.b.length) throw new RangeError('eof');
    return this.b[this.at++] as number;
  }
  u32(): number {
    let r = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      r += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return r;
      shift += 7;
      if (shift > 35) throw new RangeError('leb');
    }
  }
  s32(): number {
    let r = 0;
    let shift = 0;
    let x: number;
    do {
      x = this.byte();
      r |= (x & 0x7f) << shift;
      shift += 7;
    } while (x & 0x80 && shift < 35);
    if (shift < 32 && x & 0x40) r |= -1 << shift;
    return r;
  }
  name(): string {
    const n = this.u32();
    const end = this.at + n;
    if (end > this.b.length) throw new RangeError('eof');
    const s = utf8.decode(this.b.subarray(this.at, end));
    this.at = end;
    return s;
  }
}

/**
 * Module bytes already read. A plan's modules go unchanged through the
 * signature check, fixup elision and export pruning, which each read the
 * same facts, so each module is read once per load, not once per pass
 * (measured: on a process's first load V8 still interprets this reader,
 * ~0.1-1 ms a module; warm, ~10-40 µs).
 * Keyed by the bytes themselves: an entry goes when they do.
 */
const read = new WeakMap<Uint8Array, CoreInfo | undefined>();

/**
 * What the plan rewrites and the signature check need; undefined for a
 * module this does not understand. Shared between callers: read only.
 */
export function coreInfo(bytes: Uint8Array): CoreInfo | undefined {
  if (read.has(bytes)) return read.get(bytes);
  const info = readCoreInfo(bytes);
  read.set(bytes, info);
  return info;
}

function readCoreInfo(bytes: Uint8Array): CoreInfo | undefined {
  try {
    const r = new Reader(bytes);
    r.at = 8;
    const info: CoreInfo = {
      imports: [],
      definedFuncs: 0,
      funcTypes: undefined,
      types: [],
      exports: new Map(),
      start: undefined,
      elems: [],
      forwarders: [],
      other: false,
    };
    let defined: number[] | undefined = [];
    while (r.at < bytes.length) {
      const id = r.byte();
      const size = r.u32();
      const end = r.at + size;
      if (end > bytes.length) return undefined; // truncated
      const s = new Reader(bytes.subarray(0, end));
      s.at = r.at;
      switch (id) {
        case 1:
          readTypes(s, info.types);
          break;
        case 2:
          for (let n = s.u32(); n > 0; n--) {
            const module = s.name();
            const name = s.name();
            const kind = s.byte();
            if (kind === 0) info.imports.push({ module, name, kind, type: s.u32() });
            else if (kind === 1) {
              refType(s);
              limits(s);
              info.imports.push({ module, name, kind });
            } else if (kind === 2) {
              limits(s);
              info.imports.push({ module, name, kind });
            } else if (kind === 3) {
              valType(s);
              s.byte(); // mutability
              info.imports.push({ module, name, kind });
            } else if (kind === 4) {
              s.byte(); // attribute: exception
              info.imports.push({ module, name, kind, type: s.u32() });
            } else return undefined;
          }
          break;
        case 3:
          info.definedFuncs = s.u32();
          try {
            for (let n = info.definedFuncs; n > 0; n--) defined?.push(s.u32());
          } catch {
            defined = undefined;
          }
          break;
        case 7:
          for (let n = s.u32(); n > 0; n--) {
            const name = s.name();
            const kind = s.byte();
            info.exports.set(name, { kind, index: s.u32() });
          }
          break;
        case 8:
          info.start = s.u32();
          break;
        case 9:
          for (let n = s.u32(); n > 0; n--) {
            const flags = s.u32();
            if (flags !== 0 && flags !== 2) {
              info.elems = undefined;
              break;
            }
            const table = flags === 2 ? s.u32() : 0;
            if (s.byte() !== 0x41) return undefined;
            const offset = s.s32();
            if (s.byte() !== 0x0b) return undefined;
            if (flags === 2 && s.byte() !== 0x00) return undefined;
            const funcs: number[] = [];
            for (let k = s.u32(); k > 0; k--) funcs.push(s.u32());
            info.elems?.push({ table, offset, funcs });
          }
          break;
        case 10:
          for (let n = s.u32(); n > 0; n--) {
            const bodyEnd = s.u32() + s.at;
            info.forwarders.push(forwarderSlot(s, bodyEnd));
            s.at = bodyEnd;
          }
          break;
        case 0:
          break;
        default:
          info.other = true; // tables, memories, globals, data…
      }
      r.at = end;
    }
    if (defined !== undefined) {
      const imported = info.imports.flatMap((i) => (i.kind === 0 ? [i.type as number] : []));
      info.funcTypes = [...imported, ...defined];
    }
    return info;
  } catch {
    return undefined;
  }
}

/**
 * The type section into `out`. Plain function types (`0x60`) are read;
 * the GC proposal's other forms are skipped as unknown (undefined) while
 * keeping the type indices right; anything unreadable stops the reading,
 * leaving later types unknown rather than failing the whole module.
 */
function readTypes(s: Reader, out: (CoreFuncType | undefined)[]): void {
  try {
    for (let n = s.u32(); n > 0; n--) {
      const form = s.byte();
      if (form === 0x4e) {
        // A rec group: its members are types too, but not plain ones.
        for (let m = s.u32(); m > 0; m--) {
          subType(s, s.byte());
          out.push(undefined);
        }
      } else if (form === 0x60) out.push(funcType(s));
      else {
        subType(s, form);
        out.push(undefined);
      }
    }
  } catch {
    // Types from here on stay unknown.
  }
}

/** Skips a subtype (`0x50`/`0x4f` supertypes, then a composite type) or a bare composite type. */
function subType(s: Reader, form: number): void {
  if (form === 0x50 || form === 0x4f) {
    for (let k = s.u32(); k > 0; k--) s.u32();
    form = s.byte();
  }
  if (form === 0x60) funcType(s);
  else if (form === 0x5f) for (let k = s.u32(); k > 0; k--) fieldType(s);
  else if (form === 0x5e) fieldType(s);
  else throw new RangeError('type form');
}

function funcType(s: Reader): CoreFuncType {
  const params: string[] = [];
  for (let k = s.u32(); k > 0; k--) params.push(valType(s));
  const results: string[] = [];
  for (let k = s.u32(); k > 0; k--) results.push(valType(s));
  return { params, results };
}

function fieldType(s: Reader): void {
  const b = s.b[s.at];
  if (b === 0x78 || b === 0x77)
    s.at++; // i8, i16
  else valType(s);
  s.byte(); // mutability
}

/** A value type: a number type or a reference type. */
function valType(s: Reader): string {
  switch (s.byte()) {
    case 0x7f:
      return 'i32';
    case 0x7e:
      return 'i64';
    case 0x7d:
      return 'f32';
    case 0x7c:
      return 'f64';
    case 0x7b:
      return 'v128';
    default:
      s.at--;
      return refType(s);
  }
}

/** `funcref`, `(ref null 3)`…: a shorthand byte, or `0x63`/`0x64` (nullable or not) and a heap type. */
function refType(s: Reader): string {
  const b = s.byte();
  const short = heapType(b);
  if (short !== undefined) return `${short}ref`;
  if (b !== 0x63 && b !== 0x64) throw new RangeError('value type');
  // A heap type: an abstract one (one negative s33 byte) or a type index.
  const abstract = heapType(s.b[s.at] as number);
  if (abstract !== undefined) s.at++;
  return `(ref ${b === 0x63 ? 'null ' : ''}${abstract ?? s.u32()})`;
}

/** An abstract heap type by its one-byte code. */
function heapType(b: number): string | undefined {
  switch (b) {
    case 0x70:
      return 'func';
    case 0x6f:
      return 'extern';
    case 0x6e:
      return 'any';
    case 0x6d:
      return 'eq';
    case 0x6c:
      return 'i31';
    case 0x6b:
      return 'struct';
    case 0x6a:
      return 'array';
    case 0x69:
      return 'exn';
    case 0x71:
      return 'none';
    case 0x72:
      return 'noextern';
    case 0x73:
      return 'nofunc';
    case 0x74:
      return 'noexn';
    default:
      return undefined;
  }
}

/** Table and memory limits: flags (bit 0 a maximum, bit 3 a custom page size), minimum, [maximum], [page size]. */
function limits(s: Reader): void {
  const flags = s.byte();
  s.u32();
  if (flags & 1) s.u32();
  if (flags & 8) s.u32();
}

/** `local.get 0..n-1; i32.const K; call_indirect (type t) 0; end` → K. */
function forwarderSlot(s: Reader, end: number): number | undefined {
  if (s.u32() !== 0) return undefined; // locals
  let expect = 0;
  while (s.at < end) {
    const op = s.byte();
    if (op === 0x20) {
      if (s.u32() !== expect++) return undefined;
    } else if (op === 0x41) {
      const k = s.s32();
      if (s.byte() !== 0x11) return undefined;
      s.u32();
      if (s.byte() !== 0x00 || s.byte() !== 0x0b || s.at !== end) return undefined;
      return k;
    } else return undefined;
  }
  return undefined;
}
