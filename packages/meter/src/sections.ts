/**
 * The module's outer layer: the 8-byte header, then sections, each
 * `id:u8 size:u32 payload[size]`.
 *
 * We split a module into sections without looking inside most of them; the
 * rewriter copies those verbatim. The order rule is enforced here (known
 * sections at most once, in canonical order; custom sections anywhere), so
 * that everything downstream can assume one type section, one code section,
 * and so on. Section ids we do not support (tags, for exception handling) are
 * rejected rather than copied past.
 */
import type { Reader } from './reader.js';

export const SECTION_CUSTOM = 0;
export const SECTION_TYPE = 1;
export const SECTION_IMPORT = 2;
export const SECTION_FUNCTION = 3;
export const SECTION_TABLE = 4;
export const SECTION_MEMORY = 5;
export const SECTION_GLOBAL = 6;
export const SECTION_EXPORT = 7;
export const SECTION_START = 8;
export const SECTION_ELEMENT = 9;
export const SECTION_CODE = 10;
export const SECTION_DATA = 11;
export const SECTION_DATA_COUNT = 12;

/** Canonical position of each known section id (data count sits before code). */
const RANK: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

export function sectionRank(id: number): number {
  return RANK[id] ?? 0;
}

export interface Section {
  readonly id: number;
  /** Offset of the id byte. */
  readonly start: number;
  /** Offset of the payload (after the size). */
  readonly payload: number;
  /** Offset just past the payload. */
  readonly end: number;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const VERSION = [0x01, 0x00, 0x00, 0x00];

export function readSections(r: Reader): Section[] {
  for (let i = 0; i < 4; i++) if (r.u8() !== MAGIC[i]) r.fail('not a WebAssembly module (bad magic number)', i);
  for (let i = 0; i < 4; i++) {
    if (r.u8() !== VERSION[i]) r.fail('unsupported binary version (a component, or a future core version?)', 4 + i);
  }
  const out: Section[] = [];
  let lastRank = 0;
  while (r.pos < r.end) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    if (size > r.left) r.fail(`section ${id} declares ${size} bytes but ${r.left} are left`, start);
    const payload = r.pos;
    const end = payload + size;
    if (id !== SECTION_CUSTOM) {
      const rank = RANK[id];
      if (rank === undefined) r.fail(`unknown or unsupported section id ${id}`, start);
      if (rank <= lastRank) r.fail(`section ${id} is out of order or repeated`, start);
      lastRank = rank;
    } else {
      // A custom section starts with its name; it must fit inside the section.
      const sub = r.end;
      r.end = end;
      r.name();
      r.end = sub;
    }
    out.push({ id, start, payload, end });
    r.pos = end;
  }
  return out;
}
