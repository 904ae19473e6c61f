/**
 * @airlock/engine-quickjs: the `js` engine. Untrusted JavaScript (an agent's
 * snippet, or a tool written in JS) in QuickJS compiled to Wasm, a fresh
 * runtime and context per call, with only the capabilities the call was
 * granted (`fs` on its mounts, `env`, `tools.call` through the gate), inside
 * a worker the host terminates at the deadline.
 */
export type { QuickJsEngine, QuickJsEngineOptions } from './engine.js';
export { createQuickJsEngine, WASM_OVERHEAD_BYTES } from './engine.js';
export { MAX_STACK_BYTES } from './runner.js';
export type { SnippetToolOptions } from './snippet-tool.js';
export { isSnippetArtifact, SNIPPET_ARTIFACT, SNIPPET_TOOL_NAME, snippetTool } from './snippet-tool.js';
