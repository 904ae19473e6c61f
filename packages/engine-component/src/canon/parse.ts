/**
 * The binary parser of the WebAssembly Component Model
 * (component-model design/mvp/Binary.md): bytes in, `Component` (ast.ts)
 * out, one `Definition` per section item in file order. It resolves nothing
 * and validates only what it must to read the next byte; the linker and
 * WebAssembly.Module do the rest.
 *
 * It runs at every component load, on files of up to ~15 MB that are mostly
 * embedded core modules, so core modules are kept as views into the input
 * (never copied) and the cost is proportional to the component's own
 * sections, not to its size. Any malformed input throws WASM_INVALID with
 * the byte offset; nothing else escapes.
 */

import type { Component, CoreSort, Definition, Sort } from './ast.js';
import { readCanon } from './parse-canon.js';
import { skipCoreType } from './parse-core-type.js';
import { hex, Reader } from './parse-reader.js';
import { readAlias, readCoreSort, readExternDesc, readExternName, readSort } from './parse-sort.js';
import { CORE_TYPE, readType } from './parse-type.js';

/** `\0asm`, version 0x0d (pre-standard components), layer 0x01 (component, not module). */
const COMPONENT_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00] as const;
/** `\0asm`, version 1, layer 0: a core module. */
const MODULE_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00] as const;

const START: Definition = Object.freeze({ tag: 'start' });

/** Parses a component binary. Throws AirlockError WASM_INVALID on anything malformed or unsupported. */
export function parseComponent(bytes: Uint8Array): Component {
  const r = new Reader(bytes);
  return readComponent(r);
}

/** A component from `r.pos` to `r.end`: the whole file, or the body of a nested component section. */
function readComponent(r: Reader): Component {
  r.enter();
  checkPreamble(r, COMPONENT_PREAMBLE, 'component');
  const definitions: Definition[] = [];
  const end = r.end;
  while (r.pos < end) {
    const at = r.pos;
    const id = r.u8();
    const size = r.u32();
    r.need(size);
    const sectionEnd = r.pos + size;
    r.end = sectionEnd;
    readSection(r, id, at, definitions);
    if (r.pos !== sectionEnd) r.fail(`section ${id} is ${size} byte(s) but its contents end at byte offset ${r.pos}`, at);
    r.end = end;
  }
  r.leave();
  return { definitions };
}

function checkPreamble(r: Reader, preamble: readonly number[], what: string): void {
  const at = r.pos;
  r.need(preamble.length);
  for (let i = 0; i < preamble.length; i++) {
    if (r.bytes[at + i] !== preamble[i]) {
      const got = Array.from(r.bytes.subarray(at, at + preamble.length), hex).join(' ');
      r.fail(`not a ${what}: the preamble is ${got}, expected ${preamble.map(hex).join(' ')}`, at);
    }
  }
  r.pos += preamble.length;
}

function readSection(r: Reader, id: number, at: number, out: Definition[]): void {
  switch (id) {
    case 0: // custom: a name, then anything (names, producers, component-type metadata)
      r.name();
      r.pos = r.end;
      return;
    case 1: {
      const start = r.pos;
      checkPreamble(r, MODULE_PREAMBLE, 'core module');
      r.pos = r.end;
      out.push({ tag: 'core-module', bytes: r.bytes.subarray(start, r.end) });
      return;
    }
    case 2:
      vec(r, 'core instance', out, readCoreInstance);
      return;
    case 3: {
      const n = r.count('core type');
      for (let i = 0; i < n; i++) {
        const defined = skipCoreType(r);
        for (let k = 0; k < defined; k++) out.push(CORE_TYPE);
      }
      return;
    }
    case 4:
      out.push({ tag: 'component', component: readComponent(r) });
      return;
    case 5:
      vec(r, 'instance', out, readInstance);
      return;
    case 6:
      vec(r, 'alias', out, readAlias);
      return;
    case 7:
      vec(r, 'type', out, (r) => ({ tag: 'type', type: readType(r) }));
      return;
    case 8:
      vec(r, 'canon', out, readCanon);
      return;
    case 9: {
      // start: funcidx, argument value indices, result count. One per section, not a vector.
      r.u32();
      const n = r.count('start argument');
      for (let i = 0; i < n; i++) r.u32();
      r.u32();
      out.push(START);
      return;
    }
    case 10:
      vec(r, 'import', out, (r) => ({ tag: 'import', name: readExternName(r), desc: readExternDesc(r) }));
      return;
    case 11:
      vec(r, 'export', out, readExport);
      return;
    default: // 12 is the value section (🪙, not implemented by any toolchain we load)
      r.fail(id === 12 ? 'unsupported value section (component values are not supported)' : `unknown section id ${id}`, at);
  }
}

function vec(r: Reader, what: string, out: Definition[], item: (r: Reader) => Definition): void {
  const n = r.count(what);
  for (let i = 0; i < n; i++) out.push(item(r));
}

function readCoreInstance(r: Reader): Definition {
  const at = r.pos;
  const kind = r.u8();
  if (kind === 0x00) {
    const module = r.u32();
    const n = r.count('core instantiate argument');
    const args: { name: string; instance: number }[] = [];
    for (let i = 0; i < n; i++) {
      const name = r.name();
      r.expect(0x12, 'core instantiate argument sort (instance)');
      args.push({ name, instance: r.u32() });
    }
    return { tag: 'core-instance-instantiate', module, args };
  }
  if (kind === 0x01) {
    const n = r.count('core inline export');
    const exports: { name: string; sort: CoreSort; index: number }[] = [];
    for (let i = 0; i < n; i++) {
      const name = r.name();
      const sort = readCoreSort(r);
      exports.push({ name, sort, index: r.u32() });
    }
    return { tag: 'core-instance-exports', exports };
  }
  return r.fail(`unknown core instance kind 0x${hex(kind)}`, at);
}

function readInstance(r: Reader): Definition {
  const at = r.pos;
  const kind = r.u8();
  if (kind === 0x00) {
    const component = r.u32();
    const n = r.count('instantiate argument');
    const args: { name: string; sort: Sort; index: number }[] = [];
    for (let i = 0; i < n; i++) {
      const name = r.name();
      const sort = readSort(r);
      args.push({ name, sort, index: r.u32() });
    }
    return { tag: 'instance-instantiate', component, args };
  }
  if (kind === 0x01) {
    const n = r.count('inline export');
    const exports: { name: string; sort: Sort; index: number }[] = [];
    for (let i = 0; i < n; i++) {
      const name = readExternName(r);
      const sort = readSort(r);
      exports.push({ name, sort, index: r.u32() });
    }
    return { tag: 'instance-exports', exports };
  }
  return r.fail(`unknown instance kind 0x${hex(kind)}`, at);
}

/** `export`: name, what is exported (sort + index), and an optional type ascription. */
function readExport(r: Reader): Definition {
  const name = readExternName(r);
  const sort = readSort(r);
  const index = r.u32();
  if (r.optional('export type ascription')) return { tag: 'export', name, sort, index, desc: readExternDesc(r) };
  return { tag: 'export', name, sort, index };
}
