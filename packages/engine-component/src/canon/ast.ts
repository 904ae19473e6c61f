/**
 * The binary component format, as read by parse.ts: one `Definition` per
 * item of every section, in file order. Nothing is resolved here; indices
 * are the binary's own, into the index space of the enclosing component
 * (or of the enclosing instance/component *type* for `Decl`s).
 *
 * Index spaces (Component Model Binary.md): every definition below except
 * `start` and `custom` appends exactly one entry to one index space:
 *
 *   core-module                         → core module space
 *   core-instance-*                     → core instance space
 *   core-type                           → core type space
 *   component                           → component space
 *   instance-*                          → (component) instance space
 *   alias-*  (by its `sort`)            → that sort's space (core or not)
 *   type                                → type space
 *   canon-lift                          → func space
 *   canon-lower, canon-resource-*       → core func space
 *   import (by `desc.sort`)             → that sort's space
 *   export (by `sort`)                  → that sort's space (an export is a new index)
 */

export type CoreSort = 'func' | 'table' | 'memory' | 'global' | 'tag' | 'type' | 'module' | 'instance';
export type ComponentSort = 'func' | 'value' | 'type' | 'component' | 'instance';
/** `core` sorts are written `{ core: 'func' }` to keep the two apart. */
export type Sort = ComponentSort | { readonly core: CoreSort };

export type Prim =
  | 'bool'
  | 's8'
  | 'u8'
  | 's16'
  | 'u16'
  | 's32'
  | 'u32'
  | 's64'
  | 'u64'
  | 'f32'
  | 'f64'
  | 'char'
  | 'string'
  | 'error-context';

/** A value type in the binary: a primitive, or an index into the type space. */
export type ValTypeRef = { readonly prim: Prim } | { readonly type: number };

export type DefValType =
  | { readonly kind: 'prim'; readonly prim: Prim }
  | { readonly kind: 'record'; readonly fields: readonly { readonly name: string; readonly type: ValTypeRef }[] }
  | { readonly kind: 'variant'; readonly cases: readonly { readonly name: string; readonly type?: ValTypeRef }[] }
  | { readonly kind: 'list'; readonly elem: ValTypeRef; readonly length?: number }
  | { readonly kind: 'tuple'; readonly types: readonly ValTypeRef[] }
  | { readonly kind: 'flags'; readonly names: readonly string[] }
  | { readonly kind: 'enum'; readonly names: readonly string[] }
  | { readonly kind: 'option'; readonly type: ValTypeRef }
  | { readonly kind: 'result'; readonly ok?: ValTypeRef; readonly err?: ValTypeRef }
  | { readonly kind: 'own' | 'borrow'; readonly type: number }
  /** stream / future and anything newer: parsed so indices stay right, never run. */
  | { readonly kind: 'unsupported'; readonly opcode: number };

export type TypeDef =
  | { readonly tag: 'defined'; readonly type: DefValType }
  | {
      readonly tag: 'func';
      readonly async: boolean;
      readonly params: readonly { readonly name: string; readonly type: ValTypeRef }[];
      readonly result?: ValTypeRef;
    }
  | { readonly tag: 'component'; readonly decls: readonly Decl[] }
  | { readonly tag: 'instance'; readonly decls: readonly Decl[] }
  | { readonly tag: 'resource'; readonly rep: 'i32'; readonly dtor?: number };

export type TypeBound = { readonly eq: number } | { readonly subResource: true };

export type ExternDesc =
  | { readonly sort: 'module'; readonly type: number }
  | { readonly sort: 'func'; readonly type: number }
  | { readonly sort: 'value'; readonly raw: true }
  | { readonly sort: 'type'; readonly bound: TypeBound }
  | { readonly sort: 'component'; readonly type: number }
  | { readonly sort: 'instance'; readonly type: number };

export type Alias =
  /** An export of a component instance. */
  | { readonly tag: 'alias-export'; readonly sort: Sort; readonly instance: number; readonly name: string }
  /** An export of a core instance. */
  | { readonly tag: 'alias-core-export'; readonly sort: CoreSort; readonly instance: number; readonly name: string }
  /** An item of an enclosing component (`count` levels out). */
  | { readonly tag: 'alias-outer'; readonly sort: Sort; readonly count: number; readonly index: number };

/** A declaration inside an instance or component type. */
export type Decl =
  | { readonly tag: 'core-type' }
  | { readonly tag: 'type'; readonly type: TypeDef }
  | Alias
  | { readonly tag: 'export'; readonly name: string; readonly desc: ExternDesc }
  | { readonly tag: 'import'; readonly name: string; readonly desc: ExternDesc };

export type CanonOpt =
  | { readonly tag: 'utf8' | 'utf16' | 'latin1+utf16' | 'async' }
  | { readonly tag: 'memory'; readonly index: number }
  | { readonly tag: 'realloc' | 'post-return' | 'callback'; readonly index: number }
  | { readonly tag: 'other'; readonly opcode: number };

export type Definition =
  | { readonly tag: 'core-module'; readonly bytes: Uint8Array }
  | {
      readonly tag: 'core-instance-instantiate';
      readonly module: number;
      readonly args: readonly { readonly name: string; readonly instance: number }[];
    }
  | {
      readonly tag: 'core-instance-exports';
      readonly exports: readonly { readonly name: string; readonly sort: CoreSort; readonly index: number }[];
    }
  | { readonly tag: 'core-type' }
  | { readonly tag: 'component'; readonly component: Component }
  | {
      readonly tag: 'instance-instantiate';
      readonly component: number;
      readonly args: readonly { readonly name: string; readonly sort: Sort; readonly index: number }[];
    }
  | {
      readonly tag: 'instance-exports';
      readonly exports: readonly { readonly name: string; readonly sort: Sort; readonly index: number }[];
    }
  | Alias
  | { readonly tag: 'type'; readonly type: TypeDef }
  | { readonly tag: 'canon-lift'; readonly coreFunc: number; readonly opts: readonly CanonOpt[]; readonly type: number }
  | { readonly tag: 'canon-lower'; readonly func: number; readonly opts: readonly CanonOpt[] }
  | { readonly tag: 'canon-resource-new' | 'canon-resource-drop' | 'canon-resource-rep'; readonly type: number }
  /** Async and thread built-ins: each defines one core func; we never run them. */
  | { readonly tag: 'canon-unsupported'; readonly opcode: number }
  | { readonly tag: 'start' }
  | { readonly tag: 'import'; readonly name: string; readonly desc: ExternDesc }
  | { readonly tag: 'export'; readonly name: string; readonly sort: Sort; readonly index: number; readonly desc?: ExternDesc };

export interface Component {
  readonly definitions: readonly Definition[];
}
