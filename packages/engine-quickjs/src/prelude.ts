/**
 * The guest's API, installed from the host side into each fresh QuickJS
 * context before the snippet runs: `input`, `env`, `console`, `fs`,
 * `tools.call` and `fetch`, as read-only, non-enumerable globals.
 *
 * There is no guest-side prelude script. QuickJS-in-Wasm compiles code
 * slowly (a ~1 KB prelude of closures cost 0.25–0.35 ms per context, more
 * than the fresh runtime and context together) and quickjs-emscripten
 * exposes no way to run cached bytecode (`compileOnly` gives a bytecode
 * object but there is no `JS_EvalFunction`). Host functions cost ~4 µs
 * each to create, so the API is made of them, with intrinsics (JSON.parse,
 * JSON.stringify, Object.freeze, the error constructors, Function) captured
 * before any guest code runs. The one piece that needs guest code, `fetch`'s
 * request and Response wrapping, is compiled on the first `fetch` of a call.
 *
 * Everything crosses as a string, so nothing but copies ever crosses:
 * arguments are JSON.stringify'd in the guest (by the captured intrinsic)
 * and read as text; replies are JSON text parsed by the guest's captured
 * JSON.parse; a host error reaches the guest as a fresh guest `Error` (or
 * `TypeError`/`RangeError`) built from a name and a message, never a host
 * object or stack. A host function never throws into QuickJS: a failure in
 * one becomes a guest error saying only that the host call failed.
 */
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle } from 'quickjs-emscripten';

/** Which capability namespaces this call gets; each is absent unless granted. `fetch` always exists (without net grants it rejects, audited, with a TypeError). */
export interface PreludeGrants {
  readonly fs: boolean;
  readonly tools: boolean;
}

/** The names `fs` offers; each is `fs.<name>(...args)` → host op `fs.<name>` with the arguments as given. */
export const FS_OPS = ['readFile', 'writeFile', 'appendFile', 'readdir', 'stat', 'mkdir', 'unlink'] as const;

/** A guest capability call: op name and JSON arguments in, JSON reply text out. Never rejects. */
export type Bridge = (op: string, argsJson: string) => Promise<string>;

/** Where the installed API reports to the runner. */
export interface GuestHooks {
  /** One console line (already formatted). */
  log(line: string): void;
  /** A host call started / settled (the runner waits for these and frees what is left at the end). */
  started(d: QuickJSDeferredPromise): void;
  settled(d: QuickJSDeferredPromise): void;
  /** False once the context is being disposed: late replies are dropped. */
  alive(): boolean;
  /**
   * True once the call's deadline has passed (and from then on). Every host
   * function checks it first and throws: QuickJS calls its interrupt handler
   * only every ~10,000 ticks, and in a loop of host calls (a console flood)
   * those ticks take µs each, so the handler alone overshot a 500 ms limit
   * by 10–30 ms.
   */
  expired(): boolean;
}

/**
 * `fetch(url, init)` proper, compiled in the guest on first use: the request
 * as plain data for the host, the answer as a frozen Response-like object
 * whose body is already whole (the host read it under the egress caps).
 * Bodies cross as text when they are UTF-8, else as a Latin-1 "byte
 * string"; `escape`/`unescape` convert between UTF-8 bytes and text natively.
 */
export const FETCH_HELPER = `'use strict';
const bytesOf = (v) => {
  const u = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = '';
  for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
  return s;
};
const headerPairs = (h) => {
  const out = [];
  if (h == null) return out;
  if (typeof h.entries === 'function' && !Array.isArray(h)) { for (const [k, v] of h.entries()) out.push([String(k), String(v)]); return out; }
  if (Array.isArray(h)) { for (const p of h) out.push([String(p[0]), String(p[1])]); return out; }
  for (const k of Object.keys(h)) out.push([k, String(h[k])]);
  return out;
};
const headersOf = (pairs) => {
  const m = new Map();
  for (const [k, v] of pairs) { const n = k.toLowerCase(); m.set(n, m.has(n) ? m.get(n) + ', ' + v : v); }
  return freeze({
    get: (n) => { const v = m.get(String(n).toLowerCase()); return v === undefined ? null : v; },
    has: (n) => m.has(String(n).toLowerCase()),
    entries: () => m.entries(), keys: () => m.keys(), values: () => m.values(),
    forEach: (f) => m.forEach((v, k) => f(v, k)), [Symbol.iterator]: () => m.entries(),
  });
};
return async (url, init) => {
  init = init == null ? {} : init;
  const req = { url: String(url), method: init.method === undefined ? 'GET' : String(init.method), headers: headerPairs(init.headers),
    redirect: init.redirect === undefined ? 'follow' : String(init.redirect) };
  const b = init.body;
  if (b != null) {
    if (typeof b === 'string') req.text = b;
    else if (b instanceof ArrayBuffer || ArrayBuffer.isView(b)) req.latin1 = bytesOf(b);
    else req.text = String(b);
  }
  const r = await invoke('fetch', [req]);
  let used = false;
  const take = () => { if (used) throw new TE('the body has already been read'); used = true; };
  const text = () => r.text !== undefined && r.latin1 === undefined ? r.text : decodeURIComponent(escape(r.latin1));
  const bytes = () => {
    const s = r.latin1 !== undefined ? r.latin1 : unescape(encodeURIComponent(r.text));
    const u = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
    return u;
  };
  return freeze({
    ok: r.status >= 200 && r.status < 300, status: r.status, statusText: r.statusText, url: r.url,
    redirected: r.redirected, type: 'basic', headers: headersOf(r.headers),
    get bodyUsed() { return used; },
    text: async () => { take(); return r.latin1 === undefined ? r.text : text(); },
    json: async () => { take(); return parse(r.latin1 === undefined ? r.text : text()); },
    arrayBuffer: async () => { take(); return bytes().buffer; },
    bytes: async () => { take(); return bytes(); },
  });
};`;

/** What the runner keeps: the result serialiser. */
export interface GuestApi {
  /** JSON text of a guest value with the captured JSON.stringify: a string, or an error handle (the caller disposes it). */
  finish(value: QuickJSHandle): { text: string } | { error: QuickJSHandle };
  dispose(): void;
}

const HOST_FAILED = 'the host call failed';
/** How capabilities.ts starts every success reply: `{"ok":true,"value":<json>}`. */
const OK_PREFIX = '{"ok":true,"value":';

/** One guest error from a host error description: `{ name, message, code?, status?, callId?, limit? }`. */
interface GuestErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly [k: string]: unknown;
}

export function installGuestApi(
  ctx: QuickJSContext,
  grants: PreludeGrants,
  inputJson: string,
  envJson: string,
  bridge: Bridge,
  hooks: GuestHooks,
): GuestApi {
  const keep: QuickJSHandle[] = [];
  const held = <T extends QuickJSHandle>(h: T): T => {
    // Handles the API keeps for the whole call; disposed before the context.
    keep.push(h);
    return h;
  };
  const g = ctx.global;
  const JSONh = held(ctx.getProp(g, 'JSON'));
  const stringify = held(ctx.getProp(JSONh, 'stringify'));
  const parse = held(ctx.getProp(JSONh, 'parse'));
  const ObjectH = held(ctx.getProp(g, 'Object'));
  const freeze = held(ctx.getProp(ObjectH, 'freeze'));
  // Captured on first use (each getProp costs ~4.5 µs, and most calls never
  // need them): a guest that replaced one by then gets its own replacement.
  const ctorCache = new Map<string, QuickJSHandle>();
  const ctor = (name: 'Error' | 'TypeError' | 'RangeError' | 'Function'): QuickJSHandle => {
    let h = ctorCache.get(name);
    if (!h) {
      h = held(ctx.getProp(g, name));
      ctorCache.set(name, h);
    }
    return h;
  };
  const ERROR_NAMES = new Set(['Error', 'TypeError', 'RangeError']);

  const define = (target: QuickJSHandle, name: string, value: QuickJSHandle): void =>
    ctx.defineProp(target, name, { value, configurable: false, enumerable: false });

  /** Call a captured function; a guest exception comes back as `{ error }`. */
  const call = (fn: QuickJSHandle, ...args: QuickJSHandle[]) => ctx.callFunction(fn, ctx.undefined, ...args);

  const parseText = (text: string): QuickJSHandle => {
    const s = ctx.newString(text);
    try {
      return ctx.unwrapResult(call(parse, s));
    } finally {
      s.dispose();
    }
  };

  /** A fresh guest error: the constructor by name (Error for any other), a message, and the listed extra fields. */
  const guestError = (shape: GuestErrorShape): QuickJSHandle => {
    const name = typeof shape.name === 'string' ? shape.name : 'Error';
    const known = ERROR_NAMES.has(name);
    const msg = ctx.newString(String(shape.message ?? ''));
    const e = ctx.unwrapResult(call(ctor(known ? (name as 'Error') : 'Error'), msg));
    msg.dispose();
    const extra: Array<[string, unknown]> = [];
    if (!known) extra.push(['name', name]);
    for (const k of ['code', 'status', 'callId', 'limit']) if (shape[k] !== undefined) extra.push([k, shape[k]]);
    for (const [k, v] of extra) {
      const h = typeof v === 'number' ? ctx.newNumber(v) : ctx.newString(String(v));
      ctx.setProp(e, k, h);
      h.dispose();
    }
    return e;
  };

  /** A host function that never throws into the guest. */
  const hostFn = (name: string, impl: (args: QuickJSHandle[]) => QuickJSHandle | { error: QuickJSHandle } | undefined): QuickJSHandle =>
    held(
      ctx.newFunction(name, (...args) => {
        try {
          if (hooks.expired()) return { error: guestError({ name: 'Error', message: 'interrupted' }) };
          return impl(args);
        } catch {
          return { error: guestError({ name: 'Error', message: HOST_FAILED }) };
        }
      }),
    );

  /** `invoke(op, argsArrayHandle)`: a promise of the op's value, or a rejection with a fresh guest error. */
  const invoke = (op: string, argsArray: QuickJSHandle): QuickJSHandle => {
    const json = call(stringify, argsArray);
    if (json.error) {
      // Arguments JSON cannot express (a BigInt, a cycle): the promise rejects with the guest's own error.
      const deferred = ctx.newPromise();
      deferred.reject(json.error);
      json.error.dispose();
      const p = deferred.handle.dup();
      deferred.dispose();
      return p;
    }
    const argsJson = ctx.typeof(json.value) === 'string' ? ctx.getString(json.value) : '[]';
    json.value.dispose();
    return invokeJson(op, argsJson);
  };

  /** `invoke` with the arguments already JSON text. */
  const invokeJson = (op: string, argsJson: string): QuickJSHandle => {
    const deferred = ctx.newPromise();
    hooks.started(deferred);
    bridge(op, argsJson)
      .then(
        (reply) => {
          if (!hooks.alive()) return;
          if (reply.startsWith(OK_PREFIX) && reply.endsWith('}')) {
            // The value's own JSON text, parsed once by the guest (no getProp round trip).
            const v = parseText(reply.slice(OK_PREFIX.length, -1));
            deferred.resolve(v);
            v.dispose();
          } else {
            const e = guestError(((JSON.parse(reply) as { error?: GuestErrorShape }).error ?? {}) as GuestErrorShape);
            deferred.reject(e);
            e.dispose();
          }
        },
        () => undefined,
      )
      .catch(() => {
        if (hooks.alive() && deferred.alive) {
          const e = guestError({ name: 'Error', message: HOST_FAILED });
          deferred.reject(e);
          e.dispose();
        }
      })
      .finally(() => {
        if (hooks.alive() && deferred.alive) deferred.dispose();
        hooks.settled(deferred);
      });
    return deferred.handle;
  };

  /** The guest's arguments as one guest array (for JSON.stringify). */
  const arrayOf = (args: QuickJSHandle[]): QuickJSHandle => {
    const a = ctx.newArray();
    for (let i = 0; i < args.length; i++) ctx.setProp(a, i, args[i]!);
    return a;
  };

  const op = (name: string) =>
    hostFn(name, (args) => {
      // Arguments are JSON-encoded by the guest's JSON.stringify, never read
      // with getString: quickjs-emscripten reads strings as C strings, so a
      // NUL would cut '/work/a\0b' to '/work/a' (the escape corpus checks it).
      const a = arrayOf(args);
      try {
        return invoke(name, a);
      } finally {
        a.dispose();
      }
    });

  /**
   * A read-only global built on first access (a getter; the property is not
   * configurable, so the guest cannot replace it): most snippets use one or
   * two of these, and building each costs 10–60 µs.
   */
  const lazyGlobal = (name: string, build: () => QuickJSHandle): void => {
    let built: QuickJSHandle | undefined;
    ctx.defineProp(g, name, {
      configurable: false,
      enumerable: false,
      get: () => {
        try {
          built ??= held(build());
          return built.dup();
        } catch {
          return ctx.undefined;
        }
      },
    });
  };
  const frozen = (h: QuickJSHandle): QuickJSHandle => {
    ctx.unwrapResult(call(freeze, h)).dispose();
    return h;
  };

  // input: the guest's own copy (parsed now, so that a bad input fails before the snippet runs).
  const input = parseText(inputJson);
  define(g, 'input', input);
  input.dispose();
  lazyGlobal('env', () => frozen(parseText(envJson)));

  // console: one function for every level (the levels share one capped stream).
  const show = (h: QuickJSHandle): string => {
    const t = ctx.typeof(h);
    if (t === 'string') return ctx.getString(h); // console text only: a NUL may cut it, nothing else
    if (t === 'number') return String(ctx.getNumber(h));
    if (t === 'undefined') return 'undefined';
    if (t === 'function') {
      const n = ctx.getProp(h, 'name');
      const name = ctx.typeof(n) === 'string' ? ctx.getString(n) : '';
      n.dispose();
      return `[function ${name || 'anonymous'}]`;
    }
    if (t === 'symbol' || t === 'bigint' || t === 'boolean') {
      const d = ctx.dump(h) as unknown;
      return t === 'bigint' ? `${String(d)}n` : t === 'symbol' ? `Symbol(${String(d)})` : String(d);
    }
    const json = call(stringify, h);
    if (json.error) {
      json.error.dispose();
      return '[object]';
    }
    const text = ctx.typeof(json.value) === 'string' ? ctx.getString(json.value) : 'undefined';
    json.value.dispose();
    if (text === '{}') {
      // An Error stringifies to {}: show "name: message" instead.
      const m = ctx.getProp(h, 'message');
      const n = ctx.getProp(h, 'name');
      const line = ctx.typeof(m) === 'string' ? `${ctx.typeof(n) === 'string' ? ctx.getString(n) : 'Error'}: ${ctx.getString(m)}` : text;
      m.dispose();
      n.dispose();
      return line;
    }
    return text;
  };
  const namespace = (name: string, members: () => Record<string, QuickJSHandle>): void =>
    lazyGlobal(name, () => {
      const o = ctx.newObject();
      for (const [k, v] of Object.entries(members())) ctx.setProp(o, k, v);
      return frozen(o);
    });
  namespace('console', () => {
    const log = hostFn('log', (args) => {
      hooks.log(args.map(show).join(' '));
      return undefined;
    });
    return { log, info: log, debug: log, warn: log, error: log };
  });
  if (grants.fs) namespace('fs', () => Object.fromEntries(FS_OPS.map((n) => [n, op(`fs.${n}`)])));
  if (grants.tools) namespace('tools', () => ({ call: op('tools.call') }));

  // fetch: the guest helper, compiled on the first call with the Function captured above.
  let fetcher: QuickJSHandle | undefined;
  lazyGlobal('fetch', () =>
    hostFn('fetch', (args) => {
      if (!fetcher) {
        const invokeForHelper = hostFn('invoke', ([opH, argsH]) => {
          const name = opH && ctx.typeof(opH) === 'string' ? ctx.getString(opH) : '';
          if (name !== 'fetch' || !argsH) return { error: guestError({ name: 'TypeError', message: 'bad host call' }) };
          return invoke(name, argsH);
        });
        const params = ['invoke', 'freeze', 'parse', 'TE', FETCH_HELPER].map((s) => ctx.newString(s));
        const factory = ctx.unwrapResult(call(ctor('Function'), ...params));
        for (const p of params) p.dispose();
        fetcher = held(ctx.unwrapResult(call(factory, invokeForHelper, freeze, parse, ctor('TypeError'))));
        factory.dispose();
      }
      const r = call(fetcher, ...args);
      return r.error ? { error: r.error } : r.value;
    }),
  );

  return {
    finish(value) {
      const r = call(stringify, value);
      if (r.error) return { error: r.error };
      const text = ctx.typeof(r.value) === 'string' ? ctx.getString(r.value) : 'null';
      r.value.dispose();
      return { text };
    },
    dispose() {
      for (const h of keep.splice(0)) if (h.alive) h.dispose();
    },
  };
}
