/**
 * `meter`: rewrite a core WebAssembly module so that it runs on fuel and
 * within capped memories and tables.
 *
 * What changes, and why nothing else moves:
 *
 * - One mutable i64 global is defined, holding the fuel remaining. It is the
 *   last global: imported globals come first in the index space and defined
 *   ones follow in order, so appending one shifts no existing index. Guest
 *   code was compiled before it existed and every `global.*` index is checked
 *   to be below the original count, so the guest cannot read, reset or export
 *   it. It is exported under the host's name and nothing else.
 * - Each function body gets charges and checks (function-body.ts), an i64
 *   local caching the fuel and, when it has bulk operations, an i32 scratch
 *   local, appended after its existing locals (params come first, so no local
 *   index shifts either).
 * - Memory and table maxima are lowered to the caps (limits.ts).
 * - No function, type, table, memory, element or data index changes, so calls,
 *   element segments, exports and the start function are copied as they are.
 *   All other sections (names, custom sections, data count) are copied byte
 *   for byte; only code, global, export and (when capping) import, table and
 *   memory sections are re-encoded, with recomputed sizes.
 *
 * The rewriter never turns an invalid module into a valid one: whatever it
 * re-encodes it first reads strictly (and errs as `WASM_INVALID` with a byte
 * offset), and whatever it copies is left for the engine's validator.
 */
import { skipConstExpr } from './const-expr.js';
import { BodyMeter } from './function-body.js';
import { readLimits, writeCapped } from './limits.js';
import { type CheckedOptions, checkOptions, type MeterOptions, type MeterResult } from './options.js';
import { Reader } from './reader.js';
import {
  readSections,
  SECTION_CODE,
  SECTION_CUSTOM,
  SECTION_DATA,
  SECTION_ELEMENT,
  SECTION_EXPORT,
  SECTION_FUNCTION,
  SECTION_GLOBAL,
  SECTION_IMPORT,
  SECTION_MEMORY,
  SECTION_TABLE,
  SECTION_TYPE,
  type Section,
  sectionRank,
} from './sections.js';
import { checkData, checkElements } from './segments.js';
import { I64, isRefType, isValType } from './types.js';
import { Writer } from './writer.js';

const encoder = new TextEncoder();

/** What we learn about the module before rewriting it. */
interface Shape {
  /** Param count of each type. */
  params: number[];
  /** Type index of each defined function. */
  funcTypes: number[];
  importedGlobals: number;
  definedGlobals: number;
}

function readTypes(r: Reader): number[] {
  const n = r.count('type', 3);
  const params: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    if (r.u8() !== 0x60) r.fail('unsupported type form (only function types are supported)', at);
    const p = r.count('parameter');
    for (let j = 0; j < p; j++) if (!isValType(r.u8())) r.fail('invalid value type', r.pos - 1);
    const q = r.count('result');
    for (let j = 0; j < q; j++) if (!isValType(r.u8())) r.fail('invalid value type', r.pos - 1);
    params.push(p);
  }
  r.expectEnd('type section');
  return params;
}

function readGlobalType(r: Reader): void {
  if (!isValType(r.u8())) r.fail('invalid global type', r.pos - 1);
  const m = r.u8();
  if (m > 1) r.fail('invalid global mutability', r.pos - 1);
}

/** Read the import section; when `w` is given, write it back with capped limits. */
function importSection(r: Reader, o: CheckedOptions, w: Writer | undefined, capped: { memories: number; tables: number }): number {
  const n = r.count('import', 4);
  w?.u32(n);
  let globals = 0;
  for (let i = 0; i < n; i++) {
    const entry = r.pos;
    r.name();
    r.name();
    const kindAt = r.pos;
    const kind = r.u8();
    w?.bytes(r.bytes, entry, r.pos);
    const at = r.pos;
    switch (kind) {
      case 0: // function: type index
        r.u32();
        w?.bytes(r.bytes, at, r.pos);
        break;
      case 1: {
        if (!isRefType(r.u8())) r.fail('invalid table element type', at);
        w?.u8(r.bytes[at]!);
        const l = readLimits(r, 'table');
        if (w && writeCapped(w, r, at, l, o.maxTablesElements, `imported table ${i}`)) capped.tables++;
        break;
      }
      case 2: {
        const l = readLimits(r, 'memory');
        if (w && writeCapped(w, r, at, l, o.maxMemoryPages, `imported memory ${i}`)) capped.memories++;
        break;
      }
      case 3:
        readGlobalType(r);
        w?.bytes(r.bytes, at, r.pos);
        globals++;
        break;
      default:
        r.fail(`unsupported import kind ${kind}`, kindAt);
    }
  }
  r.expectEnd('import section');
  return globals;
}

function readFunctions(r: Reader): number[] {
  const n = r.count('function');
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = r.u32();
  r.expectEnd('function section');
  return out;
}

function tableSection(r: Reader, cap: number | undefined, w: Writer): number {
  const n = r.count('table', 2);
  w.u32(n);
  let capped = 0;
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const t = r.u8();
    if (!isRefType(t)) r.fail('invalid table element type', at);
    w.u8(t);
    if (writeCapped(w, r, at, readLimits(r, 'table'), cap, `table ${i}`)) capped++;
  }
  r.expectEnd('table section');
  return capped;
}

function memorySection(r: Reader, cap: number | undefined, w: Writer): number {
  const n = r.count('memory', 2);
  w.u32(n);
  let capped = 0;
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    if (writeCapped(w, r, at, readLimits(r, 'memory'), cap, `memory ${i}`)) capped++;
  }
  r.expectEnd('memory section');
  return capped;
}

/** Count and check the defined globals (initialisers may only name original globals). */
function countGlobals(r: Reader, imported: number): number {
  const n = r.count('global', 3);
  for (let i = 0; i < n; i++) {
    readGlobalType(r);
    skipConstExpr(r, imported + n);
  }
  r.expectEnd('global section');
  return n;
}

/** Write the global section with the fuel global appended. */
function writeGlobals(w: Writer, src: Uint8Array, s: Section | undefined, defined: number, initialFuel: bigint): void {
  w.u32(defined + 1);
  if (s) {
    const r = new Reader(src, s.payload, s.end);
    r.u32();
    w.bytes(src, r.pos, s.end);
  }
  w.u8(I64);
  w.u8(1); // mutable
  w.u8(0x42); // i64.const
  w.slebBig(initialFuel);
  w.u8(0x0b); // end
}

function sameBytes(a: Uint8Array, start: number, end: number, b: Uint8Array): boolean {
  if (end - start !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[start + i] !== b[i]) return false;
  return true;
}

/** Write the export section with the fuel export appended, checking the name is free. */
function writeExports(w: Writer, src: Uint8Array, s: Section | undefined, name: Uint8Array, fuelIndex: number): void {
  let n = 0;
  let body = 0;
  let end = 0;
  if (s) {
    const r = new Reader(src, s.payload, s.end);
    n = r.count('export', 3);
    body = r.pos;
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const nm = r.name();
      const kind = r.u8();
      const index = r.u32();
      if (kind > 3) r.fail(`invalid export kind ${kind}`, at);
      if (kind === 3 && index >= fuelIndex) r.fail(`export of global ${index} out of range (${fuelIndex} globals)`, at);
      if (sameBytes(src, nm.start, nm.end, name))
        r.fail(`the module already exports the fuel export name "${new TextDecoder().decode(name)}"`, at);
    }
    r.expectEnd('export section');
    end = s.end;
  }
  w.u32(n + 1);
  if (s) w.bytes(src, body, end);
  w.u32(name.length);
  w.bytes(name);
  w.u8(3); // global
  w.u32(fuelIndex);
}

function writeSection(out: Writer, id: number, payload: Writer): void {
  out.u8(id);
  out.u32(payload.len);
  out.bytes(payload.buf, 0, payload.len);
}

/**
 * Rewrite `bytes` (a core module) with fuel metering and capped limits.
 * Throws `AirlockError` `WASM_INVALID` for malformed or unsupported modules,
 * `ARGS_INVALID` for bad options.
 */
export function meter(bytes: Uint8Array, options: MeterOptions = {}): MeterResult {
  const o = checkOptions(options);
  const src = bytes;
  const sections = readSections(new Reader(src));
  const find = (id: number): Section | undefined => sections.find((s) => s.id === id);
  const win = (s: Section): Reader => new Reader(src, s.payload, s.end);

  // 1. Read the shape: types, function types, global counts.
  const capped = { memories: 0, tables: 0 };
  const types = find(SECTION_TYPE);
  const imports = find(SECTION_IMPORT);
  const funcs = find(SECTION_FUNCTION);
  const globalsSec = find(SECTION_GLOBAL);
  const shape: Shape = {
    params: types ? readTypes(win(types)) : [],
    funcTypes: funcs ? readFunctions(win(funcs)) : [],
    importedGlobals: imports ? importSection(win(imports), o, undefined, capped) : 0,
    definedGlobals: 0,
  };
  shape.definedGlobals = globalsSec ? countGlobals(win(globalsSec), shape.importedGlobals) : 0;
  const fuelIndex = shape.importedGlobals + shape.definedGlobals;
  const elements = find(SECTION_ELEMENT);
  if (elements) checkElements(win(elements), fuelIndex);
  const data = find(SECTION_DATA);
  if (data) checkData(win(data), fuelIndex);
  const name = encoder.encode(o.fuelExport);

  // 2. Write, section by section, inserting a global or export section where
  //    the module has none.
  const out = new Writer(Math.ceil(src.length * 1.5) + 64);
  out.bytes(src, 0, 8);
  const payload = new Writer(1024);
  let pendingGlobal = !globalsSec;
  let pendingExport = !find(SECTION_EXPORT);
  const flushPending = (rank: number): void => {
    if (pendingGlobal && rank > sectionRank(SECTION_GLOBAL)) {
      payload.len = 0;
      writeGlobals(payload, src, undefined, 0, o.initialFuel);
      writeSection(out, SECTION_GLOBAL, payload);
      pendingGlobal = false;
    }
    if (pendingExport && rank > sectionRank(SECTION_EXPORT)) {
      payload.len = 0;
      writeExports(payload, src, undefined, name, fuelIndex);
      writeSection(out, SECTION_EXPORT, payload);
      pendingExport = false;
    }
  };
  const cap = o.maxMemoryPages !== undefined || o.maxTablesElements !== undefined;
  let bodies = 0;
  const body = new BodyMeter(fuelIndex, fuelIndex);
  for (const s of sections) {
    if (s.id !== SECTION_CUSTOM) flushPending(sectionRank(s.id));
    payload.len = 0;
    switch (s.id) {
      case SECTION_IMPORT:
        if (!cap) break;
        importSection(win(s), o, payload, capped);
        writeSection(out, s.id, payload);
        continue;
      case SECTION_TABLE:
        if (o.maxTablesElements === undefined) break;
        capped.tables += tableSection(win(s), o.maxTablesElements, payload);
        writeSection(out, s.id, payload);
        continue;
      case SECTION_MEMORY:
        if (o.maxMemoryPages === undefined) break;
        capped.memories += memorySection(win(s), o.maxMemoryPages, payload);
        writeSection(out, s.id, payload);
        continue;
      case SECTION_GLOBAL:
        writeGlobals(payload, src, s, shape.definedGlobals, o.initialFuel);
        writeSection(out, s.id, payload);
        continue;
      case SECTION_EXPORT:
        writeExports(payload, src, s, name, fuelIndex);
        writeSection(out, s.id, payload);
        continue;
      case SECTION_CODE: {
        // Metered code is typically 1.2-1.4× the original; size for it once.
        const code = new Writer(Math.ceil((s.end - s.payload) * 1.5) + 16);
        bodies = codeSection(win(s), shape, body, code);
        writeSection(out, s.id, code);
        continue;
      }
    }
    out.bytes(src, s.start, s.end);
  }
  flushPending(Number.POSITIVE_INFINITY);
  if (bodies !== shape.funcTypes.length) {
    throw new Reader(src).fail(`${shape.funcTypes.length} functions declared but ${bodies} bodies given`, src.length);
  }

  const result = out.finish();
  const st = body.stats;
  return {
    bytes: result,
    fuelGlobalExport: o.fuelExport,
    stats: {
      inputBytes: src.length,
      outputBytes: result.length,
      functions: bodies,
      instructions: st.instructions,
      charges: st.charges,
      syncs: st.syncs,
      checks: st.checks,
      bulk: st.bulk,
      memoriesCapped: capped.memories,
      tablesCapped: capped.tables,
      fuelGlobalIndex: fuelIndex,
    },
  };
}

function codeSection(r: Reader, shape: Shape, body: BodyMeter, w: Writer): number {
  const n = r.count('function body', 2);
  if (n !== shape.funcTypes.length) r.fail(`${shape.funcTypes.length} functions declared but ${n} bodies given`);
  w.u32(n);
  const one = new Writer(4096);
  const sectionEnd = r.end;
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const size = r.u32();
    if (size > r.left) r.fail(`function body ${i} declares ${size} bytes but ${r.left} are left`, at);
    const type = shape.funcTypes[i]!;
    const params = shape.params[type];
    if (params === undefined) r.fail(`function ${i} has type index ${type}, out of range`, at);
    const bodyEnd = r.pos + size;
    r.end = bodyEnd;
    one.len = 0;
    body.meter(r, params, one);
    r.end = sectionEnd;
    w.u32(one.len);
    w.bytes(one.buf, 0, one.len);
  }
  r.expectEnd('code section');
  return n;
}
