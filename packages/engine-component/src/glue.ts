/**
 * A source transform of jco 1.35's generated module, applied when it is
 * imported (the transpile cache keeps jco's original output).
 *
 * Per instance, the generated `instantiate` feature-detects JSPI like this:
 *
 *     try {
 *       realloc0Async = WebAssembly.promising(exports2.cabi_import_realloc);
 *     } catch(err) {
 *       realloc0Async = exports2.cabi_import_realloc;
 *     }
 *
 * Where `WebAssembly.promising` does not exist (Node 20), that is a
 * `TypeError: WebAssembly.promising is not a function`, and V8 builds the
 * message by re-parsing the enclosing function to print the callee — here
 * jco's ~130 KB `_initGenerator`. That re-parse was ~1.4 ms per occurrence
 * and ~85% of a fresh call-counter instance (ADR 0008, "Fresh instances").
 *
 * Each such `try`/`catch` is replaced by one call to a module-level helper
 * with exactly the same result: `WebAssembly.promising(f)` where it exists
 * and does not throw, `f` otherwise. Nothing else is touched, and the
 * helper holds no state (it reads `WebAssembly.promising` once, at import).
 * Anything that does not match the pattern exactly is left as jco wrote it.
 *
 * Per call, the glue logs through
 *
 *     const _debugLog = (...args) => {
 *       if (!globalThis?.process?.env?.JCO_DEBUG) { return; }
 *       ...
 *
 * several times, and on Node `process.env` is an interceptor that calls
 * getenv for every read: ~40% of a scalar call. The condition is replaced
 * by a constant read once when the module is imported (JCO_DEBUG set after
 * that no longer turns jco's debug log on; nothing else changes).
 */

const HELPER = '__airlockPromising';
const DEBUG_FLAG = '__airlockJcoDebug';
const DEBUG_TEST = 'if (!globalThis?.process?.env?.JCO_DEBUG) { return; }';

const PROMISING_TRY =
  /try\s*\{\s*([A-Za-z_$][\w$]*)\s*=\s*WebAssembly\.promising\(([A-Za-z_$][\w$.]*)\);\s*\}\s*catch\s*\(\s*[A-Za-z_$][\w$]*\s*\)\s*\{\s*\1\s*=\s*\2;\s*\}/g;

const HELPER_SOURCE = `
const ${HELPER} = typeof WebAssembly.promising === 'function'
  ? (f) => { try { return WebAssembly.promising(f); } catch { return f; } }
  : (f) => f;
`;

export interface PreparedGlue {
  readonly js: string;
  /** How many `try { x = WebAssembly.promising(f) } catch { x = f }` were replaced. */
  readonly promisingRewrites: number;
  /** How many JCO_DEBUG tests now read a constant. */
  readonly debugRewrites: number;
}

export function prepareGlue(js: string): PreparedGlue {
  // A name clash would change meaning: leave such a module as it is.
  if (js.includes(HELPER) || js.includes(DEBUG_FLAG)) return { js, promisingRewrites: 0, debugRewrites: 0 };
  let promisingRewrites = 0;
  let out = js.replace(PROMISING_TRY, (_m, target: string, fn: string) => {
    promisingRewrites++;
    return `${target} = ${HELPER}(${fn});`;
  });
  const parts = out.split(DEBUG_TEST);
  const debugRewrites = parts.length - 1;
  out = parts.join(`if (!${DEBUG_FLAG}) { return; }`);
  const helpers = [
    promisingRewrites > 0 ? HELPER_SOURCE : '',
    debugRewrites > 0 ? `\nconst ${DEBUG_FLAG} = !!globalThis?.process?.env?.JCO_DEBUG;\n` : '',
  ].join('');
  return { js: helpers === '' ? js : `${out}\n${helpers}`, promisingRewrites, debugRewrites };
}
