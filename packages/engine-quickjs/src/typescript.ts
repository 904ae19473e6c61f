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

/** Strip with the given stripper, turning its exceptions into TypeScriptError. */
export async function stripTypeScript(source: string, custom?: StripTypes): Promise<string> {
  const strip = custom ?? (await loadAmaro());
  try {
    return strip(source);
  } catch (e) {
    if (e instanceof TypeScriptError) throw e;
    throw new TypeScriptError(describe(e));
  }
}
