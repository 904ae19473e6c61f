/**
 * TypeScript snippets and `.ts` tools: types stripped before the code goes
 * to QuickJS, on the host thread (the worker never loads a compiler).
 *
 * The default stripper is `amaro` (Node's own, SWC in Wasm, in "strip-only"
 * mode: types become spaces, so line and column numbers stay the same, and
 * syntax that would need code generation, `enum`, `namespace`, parameter
 * properties, is refused with a clear message, as Node does). It is loaded
 * on the first TypeScript call (~15 ms; it is 3.7 MB), never for plain JS.
 * amaro imports `node:buffer`/`util`, so it loads on Node and Deno; a host
 * without them passes its own `stripTypes` to the engine.
 */
import { AirlockError } from '@airlock/core';

export type StripTypes = (source: string) => string;

/** Why stripping failed, as the guest's own fault (a TypeScript error in the snippet). */
export class TypeScriptError extends Error {}

let amaro: Promise<StripTypes> | undefined;

/** amaro's strip-only transform, loaded once per process. */
export function loadAmaro(): Promise<StripTypes> {
  amaro ??= import('amaro').then(
    (m) => {
      const mod = m as unknown as { transformSync?: AmaroTransform; default?: { transformSync?: AmaroTransform } };
      const transform = mod.transformSync ?? mod.default?.transformSync;
      if (typeof transform !== 'function') throw new Error('amaro has no transformSync');
      return (source: string) => {
        try {
          return transform(source, { mode: 'strip-only' }).code;
        } catch (e) {
          throw new TypeScriptError(describe(e));
        }
      };
    },
    (e: unknown) => {
      amaro = undefined;
      throw new AirlockError(
        'HOST_UNSUPPORTED',
        `TypeScript needs a type stripper: amaro did not load here (${(e as Error)?.message ?? e}); pass stripTypes to createQuickJsEngine`,
      );
    },
  );
  return amaro;
}

type AmaroTransform = (source: string, options: { mode: 'strip-only' }) => { code: string };

function describe(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  const message = String((e as Error)?.message ?? e).slice(0, 1000);
  if (code === 'UnsupportedSyntax') return `${message} (types are stripped, not compiled: use plain JavaScript for this)`;
  return message;
}

const PREFIX = '(async()=>{';
const SUFFIX = '\n})';

/**
 * Strip with the given stripper, turning its exceptions into TypeScriptError.
 * A snippet may `return` at the top level (it then runs as an async function
 * body, see runner.ts), which a TypeScript parser refuses: such a source is
 * stripped inside that wrapper, which is then taken off again (strip-only
 * keeps every other character where it was).
 */
export async function stripTypeScript(source: string, custom?: StripTypes): Promise<string> {
  const strip = custom ?? (await loadAmaro());
  const once = (s: string): string => {
    try {
      return strip(s);
    } catch (e) {
      if (e instanceof TypeScriptError) throw e;
      throw new TypeScriptError(describe(e));
    }
  };
  try {
    return once(source);
  } catch (e) {
    if (!(e instanceof TypeScriptError) || !/\breturn\b/i.test(e.message)) throw e;
    // If it fails inside the wrapper too, that error is the one to show (an enum, say).
    const wrapped = once(PREFIX + source + SUFFIX);
    if (!wrapped.startsWith(PREFIX) || !wrapped.endsWith(SUFFIX)) throw e;
    return wrapped.slice(PREFIX.length, wrapped.length - SUFFIX.length);
  }
}
