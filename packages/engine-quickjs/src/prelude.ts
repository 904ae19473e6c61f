/**
 * The guest prelude: plain JavaScript evaluated inside each fresh QuickJS
 * context before the snippet. It is the only code that sees the two raw host
 * functions, and it removes them from the global object before the snippet
 * runs, keeping them in its closure.
 *
 *   __airlock_log(level, text)   synchronous, appends to the capped console
 *   __airlock_call(op, json)     returns a promise of JSON text:
 *                                {"ok":true,"value":…} or {"ok":false,"error":{name,message,…}}
 *   __airlock_input, __airlock_env   the call's input and granted env, as JSON text
 *
 * Everything crosses as a string, so nothing but copies ever crosses: the
 * guest never holds a host object, and a host error reaches the guest as a
 * fresh guest `Error` built here from a name and a message. The prelude is
 * trusted only for convenience: a snippet that breaks it (by patching
 * `JSON`, say) breaks its own console and capabilities, nothing else; the
 * host checks every op and argument again.
 *
 * The prelude evaluates to the `finish(value)` function the runner calls to
 * serialise the snippet's result with the JSON.stringify it captured first.
 */

/** Which capability namespaces this call gets; each is absent unless granted. */
export interface PreludeGrants {
  readonly fs: boolean;
  readonly tools: boolean;
  readonly fetch: boolean;
}

export function preludeSource(grants: PreludeGrants): string {
  return `(() => {
  'use strict';
  const log = globalThis.__airlock_log;
  const call = globalThis.__airlock_call;
  const inputText = globalThis.__airlock_input;
  const envText = globalThis.__airlock_env;
  delete globalThis.__airlock_log;
  delete globalThis.__airlock_call;
  delete globalThis.__airlock_input;
  delete globalThis.__airlock_env;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const freeze = Object.freeze;
  const define = (name, value) =>
    Object.defineProperty(globalThis, name, { value, writable: false, enumerable: false, configurable: false });
  // The input is the guest's own copy: mutating it changes nothing outside.
  define('input', parse(inputText));
  define('env', freeze(parse(envText)));

  const show = (v) => {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return (v.name || 'Error') + ': ' + v.message;
    if (typeof v === 'function') return '[function ' + (v.name || 'anonymous') + ']';
    if (typeof v === 'bigint') return String(v) + 'n';
    if (v === undefined || typeof v === 'symbol') return String(v);
    try { const s = stringify(v); return s === undefined ? String(v) : s; } catch { return String(v); }
  };
  const logger = (level) => (...args) => { log(level, args.map(show).join(' ')); };
  define('console', freeze({
    log: logger('log'), info: logger('info'), debug: logger('debug'),
    warn: logger('warn'), error: logger('error'),
  }));

  const invoke = async (op, args) => {
    const reply = parse(await call(op, stringify(args)));
    if (reply.ok) return reply.value;
    const e = new Error(String(reply.error.message));
    if (reply.error.name && reply.error.name !== 'Error') e.name = String(reply.error.name);
    for (const k of ['code', 'status', 'callId', 'limit']) if (reply.error[k] !== undefined) e[k] = reply.error[k];
    throw e;
  };

  ${
    grants.fs
      ? `define('fs', freeze({
    readFile: (path) => invoke('fs.readFile', [path]),
    writeFile: (path, text) => invoke('fs.writeFile', [path, String(text)]),
    appendFile: (path, text) => invoke('fs.appendFile', [path, String(text)]),
    readdir: (path) => invoke('fs.readdir', [path]),
    stat: (path) => invoke('fs.stat', [path]),
    mkdir: (path, options) => invoke('fs.mkdir', [path, !!(options && options.recursive)]),
    unlink: (path) => invoke('fs.unlink', [path]),
  }));`
      : ''
  }
  ${grants.tools ? `define('tools', freeze({ call: (name, input) => invoke('tools.call', [String(name), input === undefined ? null : input]) }));` : ''}
  ${
    grants.fetch
      ? `define('fetch', async (url, init) => {
    const r = await invoke('fetch', [String(url), init === undefined ? {} : init]);
    return freeze({
      ok: r.status >= 200 && r.status < 300, status: r.status, statusText: r.statusText, url: r.url,
      headers: freeze({ get: (n) => { const v = r.headers[String(n).toLowerCase()]; return v === undefined ? null : v; } }),
      text: async () => r.body,
      json: async () => parse(r.body),
    });
  });`
      : ''
  }

  return (value) => {
    const text = stringify(value === undefined ? null : value);
    return text === undefined ? 'null' : text;
  };
})()`;
}
