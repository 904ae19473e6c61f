/**
 * A tiny source builder for the generated trampolines: indented lines,
 * fresh temporary names, and constants hoisted to the compiled module's
 * top scope (built once per signature, shared by every instance).
 *
 * Names in generated code (all fixed, so the generators can refer to them):
 *   module scope:   the runtime helpers by name (`liftString`, `alloc`, …), `L` (the function's label for messages), hoisted `C<n>` constants
 *   instance scope: `st` (InstanceState), `host`, `view(memory)` (a cached DataView over the current buffer)
 *   call scope:     `a<n>` (core or JS arguments), `memory`, `dv` (current DataView), `realloc`, temporaries `t<n>`
 */

import type { ValType } from '../types.js';

export class Emitter {
  readonly lines: string[] = [];
  readonly hoisted: string[] = [];
  #n = 0;
  #depth = 0;

  tmp(prefix = 't'): string {
    return `${prefix}${this.#n++}`;
  }

  line(s: string): void {
    this.lines.push('  '.repeat(this.#depth) + s);
  }

  open(s: string): void {
    this.line(s);
    this.#depth++;
  }

  /** A line between two blocks at the outer level, e.g. `} else {`. */
  mid(s: string): void {
    this.#depth--;
    this.line(s);
    this.#depth++;
  }

  close(s = '}'): void {
    this.#depth--;
    this.line(s);
  }

  /** A module-level constant (e.g. an enum's names), evaluated once per compiled signature. */
  hoist(source: string): string {
    const name = `C${this.hoisted.length}`;
    this.hoisted.push(`const ${name} = ${source};`);
    return name;
  }

  /** Declares a temporary holding `expr` and returns its name. */
  let(expr: string, prefix = 't'): string {
    const name = this.tmp(prefix);
    this.line(`const ${name} = ${expr};`);
    return name;
  }

  source(): string {
    return this.lines.join('\n');
  }
}

/** A JS string literal for generated code. */
export function lit(s: string): string {
  return JSON.stringify(s);
}

/** `obj.name` when `name` is an identifier, else `obj["name"]`. */
export function member(obj: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${obj}.${name}` : `${obj}[${lit(name)}]`;
}

/** A JS object-literal key for `name`. */
export function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : lit(name);
}

/** Whether passing `t` touches linear memory even when passed flat (strings and lists live there). */
export function usesMemory(t: ValType): boolean {
  switch (t.kind) {
    case 'string':
    case 'list':
      return true;
    case 'record':
      return t.fields.some((f) => usesMemory(f.type));
    case 'tuple':
      return t.types.some(usesMemory);
    case 'variant':
      return t.cases.some((c) => c.type !== undefined && usesMemory(c.type));
    case 'option':
      return usesMemory(t.type);
    case 'result':
      return (t.ok !== undefined && usesMemory(t.ok)) || (t.err !== undefined && usesMemory(t.err));
    default:
      return false;
  }
}
