/**
 * Component type definitions (section 7, and `type` declarations nested in
 * instance and component types): value types, function types, resource
 * types, and the instance/component types whose declarations describe what
 * an import must provide or an export will offer.
 *
 * Types we never run (stream, future, map) are still parsed to their last
 * byte and kept as `unsupported`, so every later type index stays right.
 */

import type { Decl, DefValType, TypeDef, ValTypeRef } from './ast.js';
import { skipCoreType } from './parse-core-type.js';
import { hex, type Reader } from './parse-reader.js';
import { primOf, readAlias, readExternDesc, readExternName, readValType } from './parse-sort.js';

/** Shared by every core type a declaration list defines; it carries nothing. */
export const CORE_TYPE = Object.freeze({ tag: 'core-type' as const });

/** One `type` (a `deftype`). */
export function readType(r: Reader): TypeDef {
  const at = r.pos;
  const b = r.u8();
  switch (b) {
    case 0x40:
    case 0x43:
      return readFuncType(r, b === 0x43);
    case 0x41:
      return { tag: 'component', decls: readDecls(r, true) };
    case 0x42:
      return { tag: 'instance', decls: readDecls(r, false) };
    case 0x3f: {
      const rep = r.pos;
      const t = r.u8();
      if (t !== 0x7f) r.fail(`unsupported resource representation 0x${hex(t)} (only i32 is supported)`, rep);
      return r.optional('resource destructor') ? { tag: 'resource', rep: 'i32', dtor: r.u32() } : { tag: 'resource', rep: 'i32' };
    }
    case 0x3e:
      // A pre-release encoding (resource with an async destructor), since dropped from the spec.
      return r.fail('unsupported resource type with an async destructor (0x3e)', at);
    default:
      r.pos = at;
      return { tag: 'defined', type: readDefValType(r) };
  }
}

function readFuncType(r: Reader, async: boolean): TypeDef {
  const n = r.count('function parameter');
  const params: { name: string; type: ValTypeRef }[] = [];
  for (let i = 0; i < n; i++) {
    const name = r.name();
    params.push({ name, type: readValType(r) });
  }
  // resultlist: 0x00 valtype, or 0x01 0x00 for no result.
  const at = r.pos;
  const tag = r.u8();
  if (tag === 0x00) return { tag: 'func', async, params, result: readValType(r) };
  if (tag === 0x01) {
    r.expect(0x00, 'empty function result list');
    return { tag: 'func', async, params };
  }
  return r.fail(`unknown function result list 0x${hex(tag)}`, at);
}

/** `componentdecl`s (imports allowed) or `instancedecl`s. */
function readDecls(r: Reader, component: boolean): Decl[] {
  r.enter();
  const n = r.count('type declaration');
  const decls: Decl[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const tag = r.u8();
    switch (tag) {
      case 0x00: {
        const defined = skipCoreType(r);
        for (let k = 0; k < defined; k++) decls.push(CORE_TYPE);
        break;
      }
      case 0x01:
        decls.push({ tag: 'type', type: readType(r) });
        break;
      case 0x02:
        decls.push(readAlias(r));
        break;
      case 0x03:
        if (!component) r.fail('an instance type cannot declare an import', at);
        decls.push({ tag: 'import', name: readExternName(r), desc: readExternDesc(r) });
        break;
      case 0x04:
        decls.push({ tag: 'export', name: readExternName(r), desc: readExternDesc(r) });
        break;
      default:
        r.fail(`unknown ${component ? 'component' : 'instance'} type declaration 0x${hex(tag)}`, at);
    }
  }
  r.leave();
  return decls;
}

function readDefValType(r: Reader): DefValType {
  const at = r.pos;
  const b = r.u8();
  const prim = primOf(b);
  if (prim !== undefined && 'prim' in prim) return { kind: 'prim', prim: prim.prim };
  switch (b) {
    case 0x72: {
      const n = r.count('record field');
      const fields: { name: string; type: ValTypeRef }[] = [];
      for (let i = 0; i < n; i++) {
        const name = r.name();
        fields.push({ name, type: readValType(r) });
      }
      return { kind: 'record', fields };
    }
    case 0x71: {
      const n = r.count('variant case');
      const cases: { name: string; type?: ValTypeRef }[] = [];
      for (let i = 0; i < n; i++) {
        const name = r.name();
        cases.push(r.optional('variant case type') ? { name, type: readValType(r) } : { name });
        // The `refines` slot: 0x00 today; pre-release binaries wrote 0x01 and a case index.
        if (r.optional('variant case refines')) r.u32();
      }
      return { kind: 'variant', cases };
    }
    case 0x70:
      return { kind: 'list', elem: readValType(r) };
    case 0x67: {
      const elem = readValType(r);
      return { kind: 'list', elem, length: r.u32() };
    }
    case 0x6f: {
      const n = r.count('tuple element');
      const types: ValTypeRef[] = [];
      for (let i = 0; i < n; i++) types.push(readValType(r));
      return { kind: 'tuple', types };
    }
    case 0x6e:
    case 0x6d: {
      const n = r.count(b === 0x6e ? 'flag' : 'enum case');
      const names: string[] = [];
      for (let i = 0; i < n; i++) names.push(r.name());
      return { kind: b === 0x6e ? 'flags' : 'enum', names };
    }
    case 0x6b:
      return { kind: 'option', type: readValType(r) };
    case 0x6a: {
      // Absent parts are left out (not `undefined`), so `'ok' in t` is a safe test.
      const t: { kind: 'result'; ok?: ValTypeRef; err?: ValTypeRef } = { kind: 'result' };
      if (r.optional('result ok type')) t.ok = readValType(r);
      if (r.optional('result error type')) t.err = readValType(r);
      return t;
    }
    case 0x69:
      return { kind: 'own', type: r.u32() };
    case 0x68:
      return { kind: 'borrow', type: r.u32() };
    case 0x66: // stream t?
    case 0x65: // future t?
      if (r.optional(b === 0x66 ? 'stream element type' : 'future value type')) readValType(r);
      return { kind: 'unsupported', opcode: b };
    case 0x63: // map k v
      readValType(r);
      readValType(r);
      return { kind: 'unsupported', opcode: b };
    default:
      return r.fail(`unknown type opcode 0x${hex(b)}`, at);
  }
}
