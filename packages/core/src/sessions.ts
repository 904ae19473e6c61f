/**
 * Per-session call counts, the part of a session the policy may condition
 * on (`session.calls`, `session.toolCalls.<tool>`). Kept by the gate in
 * memory; bounded so that an agent inventing session ids cannot grow it
 * without limit (least recently used sessions are forgotten first).
 */
import type { SessionContext } from './decision.js';

interface Counts {
  calls: number;
  toolCalls: Record<string, number>;
}

export class SessionTable {
  readonly #sessions = new Map<string, Counts>();
  constructor(readonly maxSessions = 10_000) {}

  /** The context for a new call, before it is counted. */
  context(id: string): SessionContext {
    const c = this.#sessions.get(id);
    return c ? { id, calls: c.calls, toolCalls: { ...c.toolCalls } } : { id, calls: 0, toolCalls: {} };
  }

  /** Count a decided call. */
  record(id: string, tool: string): void {
    let c = this.#sessions.get(id);
    if (c) this.#sessions.delete(id);
    else c = { calls: 0, toolCalls: {} };
    c.calls++;
    c.toolCalls[tool] = (c.toolCalls[tool] ?? 0) + 1;
    this.#sessions.set(id, c); // re-insert: Map order is recency order
    if (this.#sessions.size > this.maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
  }
}
