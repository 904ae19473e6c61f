/**
 * Value and function types after resolution (link.ts): no indices, every
 * type spelled out, resources named by the handle table that holds them.
 * This is what the canonical ABI code generator (abi/) works from.
 *
 * Names are the WIT kebab-case names (`descriptor-flags`, `read-via-stream`);
 * the JS conventions (camelCase fields, PascalCase classes) are applied by
 * the code generator, as jco's generated glue does, so our WASI host
 * (preview2/) reads the same values it read under jco.
 */

export type PrimType = 'bool' | 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32' | 's64' | 'u64' | 'f32' | 'f64' | 'char' | 'string';

/** An imported (host-implemented) resource type, by the instance's handle table that holds its handles. */
export interface ResourceRef {
  /** Index into `InstanceState.tables`. */
  readonly table: number;
  /** The WIT name, e.g. `descriptor`. */
  readonly name: string;
}

export type ValType =
  | { readonly kind: PrimType }
  | { readonly kind: 'list'; readonly elem: ValType }
  | { readonly kind: 'record'; readonly fields: readonly { readonly name: string; readonly type: ValType }[] }
  | { readonly kind: 'tuple'; readonly types: readonly ValType[] }
  | { readonly kind: 'variant'; readonly cases: readonly { readonly name: string; readonly type?: ValType }[] }
  | { readonly kind: 'enum'; readonly names: readonly string[] }
  | { readonly kind: 'option'; readonly type: ValType }
  | { readonly kind: 'result'; readonly ok?: ValType; readonly err?: ValType }
  | { readonly kind: 'flags'; readonly names: readonly string[] }
  | { readonly kind: 'own' | 'borrow'; readonly resource: ResourceRef };

export interface FuncType {
  readonly params: readonly { readonly name: string; readonly type: ValType }[];
  readonly result?: ValType;
}

/**
 * Canonical options of one `canon lift` / `canon lower`, as indices into
 * the instance state (`memories`, `funcs`), assigned by link.ts. Only
 * UTF-8 is supported: a component using another encoding does not link.
 */
export interface CanonOptions {
  readonly memory?: number;
  readonly realloc?: number;
  readonly postReturn?: number;
}

/**
 * How a lowered import reaches the host (from its WIT name):
 *   `get-directories`               → function: `host(...args)`
 *   `[method]descriptor.read-via-stream` → method: `self.readViaStream(...rest)`, self = the first (borrow) param
 *   `[static]fields.from-list`      → static: `host.fromList(...args)` (host = the class)
 *   `[constructor]fields`           → constructor: `new host(...args)`
 */
export type HostCall =
  | { readonly kind: 'function' }
  | { readonly kind: 'method'; readonly name: string }
  | { readonly kind: 'static'; readonly name: string }
  | { readonly kind: 'constructor' };

/** Per-instance state the generated trampolines read. Filled by instance.ts as core instances appear. */
export interface InstanceState {
  readonly memories: (WebAssemblyMemoryLike | undefined)[];
  /** Core functions used as realloc, post-return or lifted callee. */
  readonly funcs: (((...args: never[]) => unknown) | undefined)[];
  /** One handle table per imported resource type. */
  readonly tables: HandleTableLike[];
  /**
   * Called by every lowered import before it reaches the host (the engine
   * syncs the call's shared fuel budget there: metering.ts CallBudget).
   */
  readonly onHostCall?: (() => void) | undefined;
}

export interface WebAssemblyMemoryLike {
  readonly buffer: ArrayBuffer;
}

export interface HandleTableLike {
  /** A new handle (≥ 1) for `value`. */
  insert(value: object): number;
  /** The value behind `handle`; traps (throws) if there is none. */
  get(handle: number): object;
  /** Removes and returns the value behind `handle`; traps (throws) if there is none. */
  remove(handle: number): object;
}
