/**
 * Canonical definitions (section 8): `canon lift` turns a core function into
 * a component function, `canon lower` the reverse, and the built-ins give
 * the guest core functions for resources, tasks, streams and threads.
 *
 * Each built-in defines one core function whether or not we can run it, so
 * the async and thread ones are skipped byte-exactly (their immediates vary:
 * see IMMEDIATES) and kept as `canon-unsupported` to keep core func indices
 * right. `0x07` (resource.drop async) is one of them: dropping a resource
 * asynchronously is not the synchronous drop we implement.
 */

import type { CanonOpt, Definition } from './ast.js';
import { skipValType } from './parse-core-type.js';
import { hex, type Reader } from './parse-reader.js';
import { readValType } from './parse-sort.js';

/** The immediates a built-in may take, in the order they appear. */
type Immediate = 'type' | 'opts' | 'flag' | 'results' | 'core-valtype' | 'u32';

/**
 * Built-ins we parse but never run, by opcode (Binary.md `canon`). 'type' is
 * any one u32 index (a type, core type, memory or table); 'flag' is a one-byte
 * `async?`/`cancel?`/`shared?` (0x00 or 0x01).
 */
const IMMEDIATES: ReadonlyMap<number, readonly Immediate[]> = new Map<number, readonly Immediate[]>([
  [0x05, []], // task.cancel
  [0x06, ['flag']], // subtask.cancel async?
  [0x07, ['type']], // resource.drop rt async (pre-release)
  [0x08, []], // backpressure.set (pre-release, replaced by inc/dec)
  [0x09, ['results', 'opts']], // task.return
  [0x0a, ['core-valtype', 'u32']], // context.get
  [0x0b, ['core-valtype', 'u32']], // context.set
  [0x0c, ['flag']], // thread.yield cancel?
  [0x0d, []], // subtask.drop
  [0x0e, ['type']], // stream.new
  [0x0f, ['type', 'opts']], // stream.read
  [0x10, ['type', 'opts']], // stream.write
  [0x11, ['type', 'flag']], // stream.cancel-read
  [0x12, ['type', 'flag']], // stream.cancel-write
  [0x13, ['type']], // stream.drop-readable
  [0x14, ['type']], // stream.drop-writable
  [0x15, ['type']], // future.new
  [0x16, ['type', 'opts']], // future.read
  [0x17, ['type', 'opts']], // future.write
  [0x18, ['type', 'flag']], // future.cancel-read
  [0x19, ['type', 'flag']], // future.cancel-write
  [0x1a, ['type']], // future.drop-readable
  [0x1b, ['type']], // future.drop-writable
  [0x1c, ['opts']], // error-context.new
  [0x1d, ['opts']], // error-context.debug-message
  [0x1e, []], // error-context.drop
  [0x1f, []], // waitable-set.new
  [0x20, ['flag', 'type']], // waitable-set.wait cancel? memory
  [0x21, ['flag', 'type']], // waitable-set.poll cancel? memory
  [0x22, []], // waitable-set.drop
  [0x23, []], // waitable.join
  [0x24, []], // backpressure.inc
  [0x25, []], // backpressure.dec
  [0x26, []], // thread.index
  [0x27, ['type', 'type']], // thread.new-indirect core-type table
  [0x28, []], // thread.resume-later
  [0x29, ['flag']], // thread.suspend
  [0x2a, ['flag']], // thread.suspend-then-resume
  [0x2b, ['flag']], // thread.yield-then-resume
  [0x2c, ['flag']], // thread.suspend-then-promote
  [0x2d, ['flag']], // thread.yield-then-promote
  [0x40, ['flag', 'type']], // thread.spawn-ref shared? core-type
  [0x41, ['flag', 'type', 'type']], // thread.spawn-indirect shared? core-type table
  [0x42, ['flag']], // thread.available-parallelism shared?
]);

export function readCanon(r: Reader): Definition {
  const at = r.pos;
  const op = r.u8();
  switch (op) {
    case 0x00: {
      r.expect(0x00, 'canon lift sort (core func)');
      const coreFunc = r.u32();
      const opts = readOpts(r);
      return { tag: 'canon-lift', coreFunc, opts, type: r.u32() };
    }
    case 0x01: {
      r.expect(0x00, 'canon lower sort (func)');
      const func = r.u32();
      return { tag: 'canon-lower', func, opts: readOpts(r) };
    }
    case 0x02:
      return { tag: 'canon-resource-new', type: r.u32() };
    case 0x03:
      return { tag: 'canon-resource-drop', type: r.u32() };
    case 0x04:
      return { tag: 'canon-resource-rep', type: r.u32() };
  }
  const immediates = IMMEDIATES.get(op);
  if (immediates === undefined) return r.fail(`unknown canon opcode 0x${hex(op)}`, at);
  for (const imm of immediates) skipImmediate(r, imm);
  return { tag: 'canon-unsupported', opcode: op };
}

function skipImmediate(r: Reader, imm: Immediate): void {
  switch (imm) {
    case 'type':
    case 'u32':
      r.u32();
      return;
    case 'opts':
      readOpts(r);
      return;
    case 'flag':
      r.optional('canon flag');
      return;
    case 'core-valtype':
      skipValType(r);
      return;
    case 'results': // resultlist: 0x00 valtype, or 0x01 0x00
      if (r.optional('task.return result list')) r.expect(0x00, 'empty task.return result list');
      else readValType(r);
      return;
  }
}

/** The options without an immediate, shared by every definition that uses them. */
const UTF8: CanonOpt = Object.freeze({ tag: 'utf8' });
const UTF16: CanonOpt = Object.freeze({ tag: 'utf16' });
const LATIN1_UTF16: CanonOpt = Object.freeze({ tag: 'latin1+utf16' });
const ASYNC: CanonOpt = Object.freeze({ tag: 'async' });
const NO_OPTS: readonly CanonOpt[] = Object.freeze([]);

/** `vec(canonopt)`. Unknown options cannot be skipped (their size is unknown), so they are errors. */
function readOpts(r: Reader): readonly CanonOpt[] {
  const n = r.count('canon option');
  if (n === 0) return NO_OPTS;
  const opts: CanonOpt[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const op = r.u8();
    switch (op) {
      case 0x00:
        opts.push(UTF8);
        break;
      case 0x01:
        opts.push(UTF16);
        break;
      case 0x02:
        opts.push(LATIN1_UTF16);
        break;
      case 0x03:
        opts.push({ tag: 'memory', index: r.u32() });
        break;
      case 0x04:
        opts.push({ tag: 'realloc', index: r.u32() });
        break;
      case 0x05:
        opts.push({ tag: 'post-return', index: r.u32() });
        break;
      case 0x06:
        opts.push(ASYNC);
        break;
      case 0x07:
        opts.push({ tag: 'callback', index: r.u32() });
        break;
      case 0x08: // core-type (GC lowering, wasm-tools): a core type index
        r.u32();
        opts.push({ tag: 'other', opcode: op });
        break;
      case 0x09: // gc (wasm-tools): no immediate
        opts.push({ tag: 'other', opcode: op });
        break;
      default:
        r.fail(`unknown canon option 0x${hex(op)}`, at);
    }
  }
  return opts;
}
