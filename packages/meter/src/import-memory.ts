/**
 * `importMemory`: turn a module's one defined memory into an import, so that
 * the host can hand every fresh instance a pooled, zeroed memory instead of
 * the engine allocating a new one per instance.
 *
 * Why: an instance that defines its own memory allocates a fresh external
 * ArrayBuffer each time, and V8 answers that external-memory pressure with
 * frequent full (mark-compact) collections, which dominate a fresh-instance
 * call's tail latency. A memory passed in through an import is the host's to
 * reuse (docs/decisions/0010-memory-pooling.md).
 *
 * What changes, and why nothing else moves:
 *
 * - The memory section is dropped and one memory import with the same limits
 *   is appended at the END of the import section. Imported memories come
 *   first in the memory index space, but the module imports none (we refuse
 *   those), so the new import is memory 0, the index the defined memory had:
 *   exports, data segments and every memarg keep naming memory 0. Memory
 *   imports do not enter the function, table or global index spaces, so no
 *   other index shifts either, and every other section is copied verbatim.
 * - Only the import section is re-encoded; it is read strictly first (counts,
 *   names, descriptors, exact end), as is the memory section we drop, so the
 *   transform never turns an invalid module into a valid one through a field
 *   it rewrote. Everything it copies is left to the engine's validator.
 *
 * Modules it leaves alone (`pooled: false`, with the reason): ones with no
 * memory, an imported memory, several memories, or a shared memory. Those are
 * valid modules that simply cannot be pooled this way.
 */
import { readLimits } from './limits.js';
import { Reader } from './reader.js';
import { readSections, SECTION_CUSTOM, SECTION_IMPORT, SECTION_MEMORY, type Section, sectionRank } from './sections.js';
import { isRefType, isValType } from './types.js';
import { Writer } from './writer.js';

const encoder = new TextEncoder();

export interface ImportMemoryOptions {
  /** Import module name for the memory, e.g. `airlock`. */
  readonly module: string;
  /** Import field name for the memory, e.g. `memory`. */
  readonly name: string;
}

export type ImportMemoryResult =
  | {
      readonly pooled: true;
      readonly bytes: Uint8Array;
      /** The memory's declared minimum, in 64 KiB pages. */
      readonly initialPages: number;
      /** The memory's declared maximum in pages, or undefined when it has none. */
      readonly maximumPages: number | undefined;
    }
  | { readonly pooled: false; readonly reason: string };

interface ImportScan {
  count: number;
  /** Offset of the first entry (after the count). */
  body: number;
  memories: number;
  /** The module already imports something under the name we would use. */
  clash: boolean;
}

function sameBytes(a: Uint8Array, start: number, end: number, b: Uint8Array): boolean {
  if (end - start !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[start + i] !== b[i]) return false;
  return true;
}

function scanImports(r: Reader, module: Uint8Array, name: Uint8Array): ImportScan {
  const count = r.count('import', 4);
  const scan: ImportScan = { count, body: r.pos, memories: 0, clash: false };
  for (let i = 0; i < count; i++) {
    const m = r.name();
    const n = r.name();
    if (sameBytes(r.bytes, m.start, m.end, module) && sameBytes(r.bytes, n.start, n.end, name)) scan.clash = true;
    const kindAt = r.pos;
    const kind = r.u8();
    const at = r.pos;
    switch (kind) {
      case 0: // function: type index
        r.u32();
        break;
      case 1:
        if (!isRefType(r.u8())) r.fail('invalid table element type', at);
        readLimits(r, 'table');
        break;
      case 2:
        readLimits(r, 'memory');
        scan.memories++;
        break;
      case 3:
        if (!isValType(r.u8())) r.fail('invalid global type', at);
        if (r.u8() > 1) r.fail('invalid global mutability', r.pos - 1);
        break;
      default:
        r.fail(`unsupported import kind ${kind}`, kindAt);
    }
  }
  r.expectEnd('import section');
  return scan;
}

function nameBytes(w: Writer, b: Uint8Array): void {
  w.u32(b.length);
  w.bytes(b);
}

/**
 * Rewrite `bytes` so that its one defined memory is imported as
 * `options.module`.`options.name` with the same limits. Throws `AirlockError`
 * `WASM_INVALID` (with a byte offset) for malformed input; returns
 * `{ pooled: false, reason }` for a valid module that cannot be rewritten so.
 */
export function importMemory(bytes: Uint8Array, options: ImportMemoryOptions): ImportMemoryResult {
  const src = bytes;
  const module = encoder.encode(options.module);
  const name = encoder.encode(options.name);
  const sections = readSections(new Reader(src));
  const find = (id: number): Section | undefined => sections.find((s) => s.id === id);
  const win = (s: Section): Reader => new Reader(src, s.payload, s.end);

  const importSec = find(SECTION_IMPORT);
  const scan: ImportScan = importSec ? scanImports(win(importSec), module, name) : { count: 0, body: 0, memories: 0, clash: false };
  const memorySec = find(SECTION_MEMORY);
  let defined = 0;
  let limits: { flags: number; min: number; max: number | undefined } | undefined;
  if (memorySec) {
    const r = win(memorySec);
    defined = r.count('memory', 2);
    for (let i = 0; i < defined; i++) {
      const l = readLimits(r, 'memory');
      if (i === 0) limits = l;
    }
    r.expectEnd('memory section');
  }
  if (scan.memories > 0) return { pooled: false, reason: 'the module imports its memory' };
  if (defined === 0 || limits === undefined) return { pooled: false, reason: 'the module defines no memory' };
  if (defined > 1) return { pooled: false, reason: `the module defines ${defined} memories` };
  if (limits.flags & 2) return { pooled: false, reason: 'the memory is shared' };
  if (scan.clash) return { pooled: false, reason: `the module already imports "${options.module}"."${options.name}"` };

  const entry = new Writer(module.length + name.length + 16);
  nameBytes(entry, module);
  nameBytes(entry, name);
  entry.u8(2); // memory
  entry.u8(limits.flags);
  entry.u32(limits.min);
  if (limits.max !== undefined) entry.u32(limits.max);

  const out = new Writer(src.length + entry.len + 16);
  out.bytes(src, 0, 8);
  const writeImports = (): void => {
    const payload = new Writer(importSec ? importSec.end - importSec.payload + entry.len + 5 : entry.len + 1);
    payload.u32(scan.count + 1);
    if (importSec) payload.bytes(src, scan.body, importSec.end);
    payload.bytes(entry.buf, 0, entry.len);
    out.u8(SECTION_IMPORT);
    out.u32(payload.len);
    out.bytes(payload.buf, 0, payload.len);
  };
  let pending = true;
  for (const s of sections) {
    // A module without imports gets its import section before the first
    // known section that ranks after it (custom sections stay where they are).
    if (pending && !importSec && s.id !== SECTION_CUSTOM && sectionRank(s.id) > sectionRank(SECTION_IMPORT)) {
      writeImports();
      pending = false;
    }
    if (s.id === SECTION_IMPORT) {
      writeImports();
      pending = false;
      continue;
    }
    if (s.id === SECTION_MEMORY) continue;
    out.bytes(src, s.start, s.end);
  }
  if (pending) writeImports();
  return { pooled: true, bytes: out.finish(), initialPages: limits.min, maximumPages: limits.max };
}
