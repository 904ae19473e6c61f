/** Help texts, one per command. */
export const HELP: Record<string, string> = {
  main: `airlock: run AI-agent tools through policy, a WebAssembly sandbox and an audit log.

Usage: airlock <command> [options]

Commands:
  run <tool>        run one tool call through the gate
  eval <code|@file> run a JavaScript snippet through the gate (tool "js")
  policy check      validate a policy file
  policy explain    show which rule decides a call, and why
  audit show        list the audit log
  audit verify      check the audit log's hash chain
  tool inspect <t>  a tool's WIT imports/exports, manifest and requested capabilities
  demo              a scripted agent session, prompt injection included

Every command takes --help. Exit codes: 0 ok, 1 internal error or an audit
log that cannot be written (AUDIT_IO; AUDIT_LOCKED: another writer holds
it), 2 misuse (bad policy, manifest, Wasm, input or arguments), 3 denied,
4 limit exceeded, 5 the tool failed, 6 audit verification failed.`,
  run: `Usage: airlock run <tool> --input <json|@file> [options]

Runs one call: policy decides, the tool runs sandboxed, both audit records
are written before the result is printed.

Options:
  --input <json|@file>  the call's input (JSON text, or @path to read it from a file)
  --policy <file>       policy file (default: ./airlock.policy.yaml if present; otherwise all is denied)
  --tools <dir>         tool directory (default: ./tools if present, else the bundled examples)
  --agent <name>        who is calling (default: cli)
  --session <id>        session id (default: a new one)
  --audit <file>        audit log (default: .airlock/audit.log); one writer at a
                        time: while another process writes it, the call is
                        refused with AUDIT_LOCKED (exit 1)
  --json                print the whole result as JSON`,
  eval: `Usage: airlock eval <code|@file> [--input <json|@file>] [options]

Runs a JavaScript snippet in QuickJS as a call to the tool "js": the policy
must allow "js" for the agent, and grants it mounts (as 'fs'), env (as
'env'), network destinations (as 'fetch', through the egress filter) and
limits like any tool; 'tools.call(name, input)' calls other tools through
the gate. The snippet's value (a script's last expression or
'return', or a module's 'export default', awaited) is the output.
Exit codes as for run.

Options:
  --input <json|@file>  the value the snippet sees as 'input'
  --lang <js|ts>        TypeScript is stripped of types first (default: ts for an @file.ts, else js)
  --policy <file>       policy file (default: ./airlock.policy.yaml if present; otherwise all is denied)
  --tools <dir>         tool directory for tools.call (default as for run)
  --agent <name>        who is calling (default: cli)
  --session <id>        session id (default: a new one)
  --audit <file>        audit log (default: .airlock/audit.log)
  --json                print the whole result as JSON`,
  'policy check': `Usage: airlock policy check <file> [--json]

Validates a policy. Prints every problem as file:line:column and exits 2, or
exits 0 with a summary.`,
  'policy explain': `Usage: airlock policy explain <file> --agent <a> --tool <t> --input <json|@file> [--session <id>] [--json]

Shows the decision for one call and, rule by rule, whether it matched and why
not. Exits 0 when the call would be allowed, 3 when denied.`,
  'audit show': `Usage: airlock audit show [--audit <file>] [--json]

Lists the records of an audit log. With --json, prints them as JSON lines.`,
  'audit verify': `Usage: airlock audit verify [--audit <file>] [--json]

Checks the hash chain of an audit log. Exits 0 when intact, 6 naming the first
bad record otherwise.`,
  'tool inspect': `Usage: airlock tool inspect <file|tool-name> [--tools <dir>] [--json]

Shows what a tool is without running it: for a component, its kind
(command or typed), the WIT interfaces it imports and exports, where it
runs (a worker when it imports wasi:http) and a typed tool's description;
for a preview1 module, its core imports and exports. Then its manifest
(beside the file, or the tool directory's) and the capabilities it
requests. Transpiling is cached in .airlock/cache.`,
  demo: `Usage: airlock demo [--json]

A scripted agent does a real task on examples/workspace with the example
tools, reads a file with planted instructions (a prompt injection), follows
them, and is stopped call by call. Ends by verifying the audit log. Writes
only under .airlock/demo/.`,
};
