/**
 * `canon resource.drop` of an imported (host) resource: the guest lets go
 * of an `own` handle, so the host object leaves the instance's table and,
 * like jco's glue, is disposed if it knows how (`[Symbol.dispose]`, or
 * `Symbol.for('dispose')` where the runtime predates Symbol.dispose).
 */

import type { InstanceState } from '../types.js';

const symbolDispose: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('dispose');

export function resourceDrop(table: number): (st: InstanceState) => (handle: number) => void {
  return (st) => {
    const tbl = st.tables[table];
    if (tbl === undefined) throw new Error(`resource.drop: no handle table ${table}`);
    return (handle) => {
      const obj = tbl.remove(handle) as { [symbolDispose]?: () => void };
      const dispose = obj[symbolDispose];
      if (typeof dispose === 'function') dispose.call(obj);
    };
  };
}
