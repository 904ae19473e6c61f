/**
 * The snippet tool: how an agent's ad-hoc JavaScript becomes a tool call
 * that policy can govern. It is one tool, `js` by default, whose input is
 * `{ code, input?, lang? }`; a policy grants it per agent like any tool
 * (`tool: js`), with mounts, env and limits.
 *
 * The tool has no code of its own: its artifact is the marker below, which
 * tells the engine to take the code from the call's input. Its manifest
 * requests the capabilities the embedder lists (the policy's grants are
 * intersected with them, as for every tool); the CLI requests everything its
 * policy mentions, so what a snippet gets is exactly what the deciding rule
 * grants.
 */
import type { CapabilityRequest, Limits, Tool, ToolManifest } from '@airlock/core';
import { toHex, utf8 } from '@airlock/core';

/** The artifact of a snippet tool: "the code is in the input". */
export const SNIPPET_ARTIFACT = '/* airlock:snippet: the code to run is the call input { code, input } */\n';

export const SNIPPET_TOOL_NAME = 'js';

export interface SnippetToolOptions {
  /** Default `js`. */
  readonly name?: string;
  readonly capabilities?: CapabilityRequest;
  readonly limits?: Partial<Limits>;
  /** SHA-256, for the gate's cache key (pass the host's). */
  readonly sha256: (data: Uint8Array) => Uint8Array;
}

export function snippetTool(options: SnippetToolOptions): Tool {
  const artifact = utf8(SNIPPET_ARTIFACT);
  const manifest: ToolManifest = {
    name: options.name ?? SNIPPET_TOOL_NAME,
    version: '1.0.0',
    description: 'Runs a JavaScript snippet in QuickJS: input { code, input?, lang? }, output the value it returns.',
    engine: 'js',
    artifact: 'snippet',
    inputSchema: {
      type: 'object',
      properties: { code: { type: 'string' }, input: {}, lang: { enum: ['js', 'ts'] } },
      required: ['code'],
      additionalProperties: false,
    },
    capabilities: options.capabilities ?? {},
    limits: options.limits ?? {},
    args: [],
  };
  return { manifest, artifact, digest: toHex(options.sha256(artifact)) };
}

export function isSnippetArtifact(artifact: Uint8Array): boolean {
  return artifact.length === SNIPPET_ARTIFACT.length && new TextDecoder().decode(artifact) === SNIPPET_ARTIFACT;
}
