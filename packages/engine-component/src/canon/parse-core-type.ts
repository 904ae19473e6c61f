/**
 * Core types inside a component (section 3, and `core:type` declarations in
 * instance and component types). We never use them: the linker compiles core
 * modules with WebAssembly.Module, which checks their types itself. But they
 * take space in the core type index space, so each must be skipped byte-exactly
 * and counted: a rec group of n subtypes defines n types, everything else one.
 *
 * Encodings: Binary.md `core:deftype` (module types, and the `0x00 0x50`
 * prefix that keeps a non-final subtype apart from a module type), with the
 * core spec's rectype/subtype/comptype (WebAssembly 3.0: GC, exceptions,
 * stack switching, shared-everything's `0x65` prefix).
 */

import { hex, type Reader } from './parse-reader.js';

/** Skips one `core:type`; returns how many core types it defines. */
export function skipCoreType(r: Reader): number {
  const at = r.pos;
  const b = r.u8();
  switch (b) {
    case 0x50:
      skipModuleType(r);
      return 1;
    case 0x00:
      r.expect(0x50, 'core non-final subtype');
      skipSubtypeBody(r);
      return 1;
    case 0x4e: {
      const n = r.count('core rec group');
      for (let i = 0; i < n; i++) skipSubtype(r);
      return n;
    }
    default:
      r.pos = at;
      skipSubtype(r);
      return 1;
  }
}

/** `0x50 vec(moduledecl)`, the 0x50 already read. */
function skipModuleType(r: Reader): void {
  r.enter();
  const n = r.count('core module type declaration');
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const tag = r.u8();
    switch (tag) {
      case 0x00: // import: module name, field name, type
        r.name();
        r.name();
        skipCoreExternType(r);
        break;
      case 0x01:
        skipCoreType(r);
        break;
      case 0x02: // alias outer (type): 0x10 0x01 count index
        r.expect(0x10, 'core alias sort');
        r.expect(0x01, 'core alias kind');
        r.u32();
        r.u32();
        break;
      case 0x03: // export
        r.name();
        skipCoreExternType(r);
        break;
      default:
        r.fail(`unknown core module type declaration 0x${hex(tag)}`, at);
    }
  }
  r.leave();
}

function skipCoreExternType(r: Reader): void {
  const at = r.pos;
  const tag = r.u8();
  switch (tag) {
    case 0x00: // func
      r.u32();
      return;
    case 0x01: // table: reftype, limits
      skipValType(r);
      skipLimits(r);
      return;
    case 0x02: // memory
      skipLimits(r);
      return;
    case 0x03: // global: valtype, mutability (bit 1: shared)
      skipValType(r);
      if (r.u8() > 0x03) r.fail('invalid core global mutability', r.pos - 1);
      return;
    case 0x04: // tag: attribute 0x00 (exception), type index
      r.expect(0x00, 'core tag attribute');
      r.u32();
      return;
    default:
      r.fail(`unknown core extern type 0x${hex(tag)}`, at);
  }
}

/** Flags (bit 0: max, 1: shared, 2: 64-bit, 3: custom page size), min, max?, page size log2?. */
function skipLimits(r: Reader): void {
  const at = r.pos;
  const flags = r.u8();
  if (flags > 0x0f) r.fail(`invalid core limits flags 0x${hex(flags)}`, at);
  r.skipU64();
  if (flags & 0x01) r.skipU64();
  if (flags & 0x08) r.u32();
}

function skipSubtype(r: Reader): void {
  const at = r.pos;
  const b = r.u8();
  if (b === 0x50 || b === 0x4f) {
    skipSubtypeBody(r);
    return;
  }
  r.pos = at;
  skipCompType(r);
}

/** `vec(typeidx) comptype`, after the 0x50/0x4f. */
function skipSubtypeBody(r: Reader): void {
  const n = r.count('core supertype');
  for (let i = 0; i < n; i++) r.u32();
  skipCompType(r);
}

function skipCompType(r: Reader): void {
  const at = r.pos;
  const b = r.u8();
  switch (b) {
    case 0x60: {
      // func: params, results
      for (let k = 0; k < 2; k++) {
        const n = r.count('core func type value');
        for (let i = 0; i < n; i++) skipValType(r);
      }
      return;
    }
    case 0x5f: {
      const n = r.count('core struct field');
      for (let i = 0; i < n; i++) skipFieldType(r);
      return;
    }
    case 0x5e:
      skipFieldType(r);
      return;
    case 0x5d: // cont (stack switching): func type index
      r.u32();
      return;
    case 0x65: // shared
      r.enter();
      skipCompType(r);
      r.leave();
      return;
    default:
      r.fail(`unknown core composite type 0x${hex(b)}`, at);
  }
}

/** Storage type (i8 0x78, i16 0x77, or a valtype), then mutability. */
function skipFieldType(r: Reader): void {
  const b = r.bytes[r.pos];
  if (r.pos < r.end && (b === 0x78 || b === 0x77)) r.pos++;
  else skipValType(r);
  if (r.u8() > 0x01) r.fail('invalid core field mutability', r.pos - 1);
}

/**
 * A core valtype: i32..i64/f32/f64 (0x7f..0x7c), v128 (0x7b), an abstract
 * reference shorthand (0x75..0x68: nocont, noexn, nofunc, noextern, none,
 * func, extern, any, eq, i31, struct, array, exn, cont), or `ref`/`ref null`
 * (0x64/0x63) with a heap type.
 */
export function skipValType(r: Reader): void {
  const at = r.pos;
  const b = r.u8();
  if (b >= 0x7b && b <= 0x7f) return;
  if (b >= 0x68 && b <= 0x75) return;
  if (b === 0x63 || b === 0x64) {
    skipHeapType(r);
    return;
  }
  r.fail(`unknown core value type 0x${hex(b)}`, at);
}

/** An abstract heap type (optionally `0x65` shared) or a type index (an s33 that must be >= 0). */
function skipHeapType(r: Reader): void {
  const at = r.pos;
  let b = r.u8();
  if (b === 0x65) b = r.u8();
  else if (b >= 0x80 || b < 0x40) {
    r.pos = at;
    r.u32();
    if ((r.bytes[r.pos - 1] as number) & 0x40) r.fail('negative core type index', at);
    return;
  }
  if (b < 0x68 || b > 0x75) r.fail(`unknown core heap type 0x${hex(b)}`, at);
}
