/**
 * The Gate: one tool call, end to end (DESIGN.md §1).
 *
 *   resolve tool → check input (size, JSON, schema) → decide (policy)
 *   → audit the decision (durable before anything runs)
 *   → run on the tool's engine with grants ∩ and limits min
 *   → audit the outcome → return the result.
 *
 * Every call writes exactly two audit records, a `decision` and an
 * `outcome`, whatever happens: an unknown tool or a bad input is audited
 * like a denial, because an agent probing for tools is exactly what a
 * security team wants to see. A call never returns before both records are
 * durable. Denials and limits are values in the result; only a failing
 * audit sink throws (AUDIT_IO), since then nothing can be recorded.
 */
import type { AuditEntry, AuditSink } from './audit-record.js';
import type { Decision, PolicyDecider } from './decision.js';
import type { EgressContext, Engine, Mount, PreparedTool, RunOutcome } from './engine.js';
import { AirlockError, type ErrorCode, isAirlockError } from './errors.js';
import { type Grants, intersectGrants } from './grants.js';
import type { HostClock, HostCrypto, HostNet, HostSecrets } from './host.js';
import { interpret } from './interpret.js';
import { fromUtf8, toHex, utf8 } from './json.js';
import { DEFAULT_LIMITS, egressLimits, type Limits, resolveLimits } from './limits.js';
import type { EngineKind } from './manifest.js';
import { redactInput } from './redact.js';
import type { CallRequest, CallResult } from './result.js';
import { checkSchema } from './schema.js';
import { SessionTable } from './sessions.js';
import type { Tool, ToolRegistry } from './tool.js';
import { type Usage, ZERO_USAGE } from './usage.js';
import type { Vfs } from './vfs.js';

export interface GateOptions {
  readonly policy: PolicyDecider;
  readonly tools: ToolRegistry;
  readonly engines: readonly Engine[];
  readonly audit: AuditSink;
  /** `net` and `secrets` are only used by calls that are granted `net` (a whole Host fits here). */
  readonly host: {
    readonly clock: HostClock;
    readonly crypto: HostCrypto;
    readonly net?: HostNet;
    readonly secrets?: HostSecrets;
  };
  /** The Vfs behind a policy volume name, or undefined if this host has none. */
  readonly volume: (name: string) => Vfs | undefined;
  /**
   * Inputs larger than this are refused before they are parsed, whatever the
   * policy allows (a rule can only lower it). Default: DEFAULT_LIMITS.inputBytes × 8.
   */
  readonly maxInputBytes?: number;
}

type Summary = CallResult['decision'];

/** How deep tool calls made by tools (`RunRequest.callTool`) may nest. */
export const MAX_CALL_DEPTH = 4;

/** A snippet for the `js` tool (see `Gate.eval`). */
export interface EvalRequest {
  readonly agent: string;
  readonly session: string;
  /** JavaScript source: a script (its completion value, or what a top-level `return` gives) or an ES module (`export default`). */
  readonly code: string;
  /** The value the snippet sees as `input`. */
  readonly input?: unknown;
  /** `ts`: TypeScript, stripped of types before it runs (same lines). Default `js`. */
  readonly lang?: 'js' | 'ts';
  /** The tool name snippets are governed by; default `js`. */
  readonly tool?: string;
  readonly parentId?: string;
}

export class Gate {
  readonly #o: GateOptions;
  readonly #engines = new Map<EngineKind, Engine>();
  readonly #prepared = new Map<string, Promise<PreparedTool>>();
  readonly #sessions = new SessionTable();
  readonly #maxInput: number;
  #counter = 0;
  readonly #idPrefix: string;

  constructor(options: GateOptions) {
    this.#o = options;
    for (const e of options.engines) this.#engines.set(e.kind, e);
    this.#maxInput = options.maxInputBytes ?? DEFAULT_LIMITS.inputBytes * 8;
    this.#idPrefix = toHex(options.host.crypto.randomBytes(6));
  }

  /** Take one call through the gate. Resolves after both audit records are durable. */
  call(request: CallRequest): Promise<CallResult> {
    return this.#call(request, 0);
  }

  /**
   * Run a JavaScript snippet: a call to the snippet tool (`js` unless named),
   * with input `{ code, input?, lang? }`, decided, sandboxed and audited like any call.
   */
  eval(request: EvalRequest): Promise<CallResult> {
    const input = {
      code: request.code,
      ...(request.input === undefined ? {} : { input: request.input }),
      ...(request.lang === undefined ? {} : { lang: request.lang }),
    };
    return this.call({
      agent: request.agent,
      session: request.session,
      tool: request.tool ?? 'js',
      input,
      ...(request.parentId ? { parentId: request.parentId } : {}),
    });
  }

  async #call(request: CallRequest, depth: number): Promise<CallResult> {
    const { host } = this.#o;
    const id = `${this.#idPrefix}-${(this.#counter++).toString(36)}`;
    const base = {
      callId: id,
      agent: request.agent,
      session: request.session,
      tool: request.tool,
      ...(request.parentId ? { parentId: request.parentId } : {}),
    };

    // 1. The input as bytes: its size is checked before anything parses it.
    const text = request.inputIsText ? String(request.input) : safeStringify(request.input);
    const bytes = utf8(text ?? '');
    const inputDigest = toHex(host.crypto.sha256(bytes));
    const reject = (code: ErrorCode, reason: string, input?: unknown) =>
      this.#rejected({ ...base, inputDigest, ...(input === undefined ? {} : { input }) }, code, reason, bytes.length);

    if (text === undefined) return reject('INPUT_INVALID', 'the input is not JSON-serialisable');
    if (bytes.length > this.#maxInput)
      return reject('INPUT_TOO_LARGE', `the input is ${bytes.length} bytes, over the gate's cap of ${this.#maxInput}`);
    let input: unknown = request.input;
    if (request.inputIsText) {
      try {
        input = JSON.parse(text);
      } catch (e) {
        return reject('INPUT_INVALID', `the input is not JSON: ${(e as Error).message}`);
      }
    }

    // 2. The tool, and the input against its schema.
    let tool: Tool | undefined;
    try {
      tool = this.#o.tools.resolve(request.tool);
    } catch (e) {
      if (!isAirlockError(e)) throw e;
      return reject(e.code, e.message, input);
    }
    if (!tool) return reject('TOOL_NOT_FOUND', `no tool named "${request.tool}" is registered`, input);
    const check = checkSchema(tool.manifest.inputSchema, input);
    if (!check.valid)
      return reject('INPUT_INVALID', `the input does not match ${tool.manifest.name}'s input schema: ${check.errors.join('; ')}`, input);

    // 3. Decide.
    const session = this.#sessions.context(request.session);
    const decision = this.#o.policy.decide({ agent: request.agent, tool: request.tool, input, session });
    this.#sessions.record(request.session, request.tool);
    const summary: Summary = { effect: decision.effect, rule: decision.rule?.id ?? null, reason: decision.reason };
    if (decision.effect === 'deny' || decision.effect === 'ask') {
      await this.#write({ kind: 'decision', time: host.clock.now(), ...base, inputDigest, input, decision: summary });
      const usage = { ...ZERO_USAGE, inputBytes: bytes.length };
      await this.#write({
        kind: 'outcome',
        time: host.clock.now(),
        ...base,
        outcome: { status: 'denied', message: decision.reason },
        usage,
      });
      return { id, status: 'denied', decision: summary, usage };
    }
    return this.#runAllowed(id, base, tool, decision, input, bytes, inputDigest, summary, depth);
  }

  async #runAllowed(
    id: string,
    base: Omit<AuditEntry, 'kind' | 'time'>,
    tool: Tool,
    decision: Extract<Decision, { effect: 'allow' | 'modify' }>,
    received: unknown,
    receivedBytes: Uint8Array,
    inputDigest: string,
    summary: Summary,
    depth: number,
  ): Promise<CallResult> {
    const { host } = this.#o;
    const input = decision.effect === 'modify' ? decision.input : received;
    const inputBytes = decision.effect === 'modify' ? utf8(JSON.stringify(input)) : receivedBytes;
    const grants = intersectGrants(tool.manifest.capabilities, decision.grants);
    const limits = resolveLimits(decision.limits, tool.manifest.limits);
    const auditedInput = redactInput(received, decision.redact);
    const decided = (s: Summary): AuditEntry => ({
      kind: 'decision',
      time: host.clock.now(),
      ...base,
      inputDigest,
      input: auditedInput,
      decision: s,
      grants,
      limits,
    });

    // The rule's own input cap, now that we know the rule.
    if (inputBytes.length > limits.inputBytes) {
      const reason = `the input is ${inputBytes.length} bytes, over the limit of ${limits.inputBytes}`;
      return this.#refuseAfterDecision(id, decided({ ...summary, effect: 'deny', reason }), 'INPUT_TOO_LARGE', reason, inputBytes.length);
    }
    let mounts: Mount[];
    try {
      mounts = this.#mounts(grants);
    } catch (e) {
      const err = e as AirlockError;
      return this.#refuseAfterDecision(
        id,
        decided({ ...summary, effect: 'deny', reason: err.message }),
        err.code,
        err.message,
        inputBytes.length,
      );
    }

    // 4. Write-ahead: the decision is durable before the tool runs.
    await this.#write(decided(summary));

    // 5. Run.
    let outcome: RunOutcome;
    try {
      const prepared = await this.#prepare(tool);
      const egress = this.#egress(grants, limits);
      const callTool =
        depth < MAX_CALL_DEPTH
          ? (name: string, child: unknown) =>
              this.#call(
                { agent: base.agent as string, session: base.session as string, tool: name, input: child, parentId: id },
                depth + 1,
              )
          : undefined;
      outcome = await prepared.run({
        callId: id,
        input: inputBytes,
        args: tool.manifest.args,
        env: grants.env,
        mounts,
        limits,
        ...(egress ? { egress } : {}),
        ...(callTool ? { callTool } : {}),
      });
    } catch (e) {
      const code: ErrorCode = isAirlockError(e) ? e.code : 'INTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      const usage = { ...ZERO_USAGE, inputBytes: inputBytes.length };
      await this.#write({ kind: 'outcome', time: host.clock.now(), ...base, outcome: { status: 'error', code, message }, usage });
      return { id, status: 'error', decision: summary, usage, error: { code, message } };
    }

    // 6. Interpret, audit the outcome, return.
    const result = interpret(tool, outcome);
    const stderr = outcome.stderr.length > 0 ? (fromUtf8(outcome.stderr) ?? '[stderr is not UTF-8]') : undefined;
    await this.#write({
      kind: 'outcome',
      time: host.clock.now(),
      ...base,
      usage: outcome.usage,
      resultDigest: toHex(host.crypto.sha256(outcome.stdout)),
      outcome: {
        status: result.status,
        exitCode: outcome.exitCode,
        ...(result.error ? { code: result.error.code, message: result.error.message } : {}),
        ...(outcome.limit ? { limit: outcome.limit } : {}),
        ...(outcome.denials && outcome.denials.length > 0 ? { denials: outcome.denials } : {}),
        ...(outcome.egress && outcome.egress.length > 0 ? { egress: outcome.egress } : {}),
      },
    });
    return {
      id,
      status: result.status,
      decision: summary,
      usage: outcome.usage,
      exitCode: outcome.exitCode,
      ...(result.output === undefined ? {} : { output: result.output }),
      ...(stderr === undefined ? {} : { stderr }),
      ...(result.error ? { error: result.error } : {}),
      ...(outcome.limit ? { limit: outcome.limit } : {}),
      ...(outcome.denials && outcome.denials.length > 0 ? { denials: outcome.denials } : {}),
      ...(outcome.egress && outcome.egress.length > 0 ? { egress: outcome.egress } : {}),
    };
  }

  /** A call stopped before policy (unknown tool, bad or huge input): still two records. */
  async #rejected(entry: Omit<AuditEntry, 'kind' | 'time'>, code: ErrorCode, reason: string, inputBytes: number): Promise<CallResult> {
    const decision: Summary = { effect: 'deny', rule: null, reason };
    return this.#refuseAfterDecision(
      entry.callId!,
      { kind: 'decision', time: this.#o.host.clock.now(), ...entry, decision },
      code,
      reason,
      inputBytes,
    );
  }

  async #refuseAfterDecision(id: string, decided: AuditEntry, code: ErrorCode, message: string, inputBytes: number): Promise<CallResult> {
    const { clock } = this.#o.host;
    await this.#write(decided);
    const usage: Usage = { ...ZERO_USAGE, inputBytes };
    const { callId, agent, session, tool, parentId } = decided;
    await this.#write({
      kind: 'outcome',
      time: clock.now(),
      callId,
      agent,
      session,
      tool,
      ...(parentId ? { parentId } : {}),
      outcome: { status: 'error', code, message },
      usage,
    });
    return { id, status: 'error', decision: decided.decision!, usage, error: { code, message } };
  }

  #mounts(grants: Grants): Mount[] {
    return grants.fs.map((g) => {
      const vfs = this.#o.volume(g.volume);
      if (!vfs) throw new AirlockError('HOST_UNSUPPORTED', `volume "${g.volume}" (for mount ${g.mount}) is not available on this host`);
      return { path: g.mount, vfs, access: g.access };
    });
  }

  /**
   * The call's network, when it is granted any. The secret reader only
   * resolves the names this call's grants refer to, so an engine cannot use
   * it to read other host variables. Its caps are the call's own `net*`
   * limits (policy and manifest, the minimum), like every other limit.
   */
  #egress(grants: Grants, limits: Limits): EgressContext | undefined {
    if (grants.net.length === 0) return undefined;
    const { net, secrets } = this.#o.host;
    const refs = grants.secrets ?? {};
    return {
      grants: grants.net,
      secrets: (name) => (secrets && Object.hasOwn(refs, name) ? secrets.read(refs[name]!) : undefined),
      ...(net ? { net } : {}),
      limits: egressLimits(limits),
    };
  }

  #prepare(tool: Tool): Promise<PreparedTool> {
    let p = this.#prepared.get(tool.digest);
    if (!p) {
      const engine = this.#engines.get(tool.manifest.engine);
      if (!engine)
        return Promise.reject(
          new AirlockError('HOST_UNSUPPORTED', `no ${tool.manifest.engine} engine is configured for tool "${tool.manifest.name}"`),
        );
      p = engine.prepare(tool);
      this.#prepared.set(tool.digest, p);
      p.catch(() => this.#prepared.delete(tool.digest)); // a failed load is retried next time
    }
    return p;
  }

  async #write(entry: AuditEntry): Promise<void> {
    try {
      await this.#o.audit.append(entry);
    } catch (e) {
      if (isAirlockError(e)) throw e;
      throw new AirlockError('AUDIT_IO', `the audit log could not be written: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Flush and close the audit sink. */
  async close(): Promise<void> {
    await this.#o.audit.close();
  }
}

function safeStringify(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}
