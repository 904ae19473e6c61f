/**
 * `airlock tool inspect <file|tool-name>`: what a tool is and what it asks
 * for, without running it. A component: its kind (command or typed), the
 * WIT interfaces it imports and exports (from jco's reading of the
 * component), whether it needs a worker (wasi:http), and a typed tool's
 * own description. A preview1 module: its core imports and exports. Both:
 * the manifest (beside the file, or the tool directory's) and the
 * capabilities it requests — which a policy may still narrow or refuse.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AirlockError, type Tool, ToolDirectory, type ToolManifest } from '@airlock/core';
import { createComponentEngine, directoryTranspileCache, importsHttp } from '@airlock/sdk';
import type { Parsed } from '../args.js';
import { cacheDir, host, progressFor, toolsDir } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Out } from '../output.js';

const COMPONENT = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const CORE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const starts = (b: Uint8Array, h: number[]): boolean => h.every((x, i) => b[i] === x);

/** A file path, or a tool name in the tool directory. */
function locate(what: string, tools: string): { manifest?: ToolManifest; artifact: Uint8Array; file: string } {
  if (existsSync(what)) {
    const file = resolve(what);
    const beside = join(dirname(file), 'manifest.json');
    let manifest: ToolManifest | undefined;
    if (existsSync(beside)) {
      const m = JSON.parse(readFileSync(beside, 'utf8')) as ToolManifest;
      if (m.artifact === basename(file)) manifest = m;
    }
    return { ...(manifest ? { manifest } : {}), artifact: readFileSync(file), file };
  }
  const tool = new ToolDirectory(host.fs!, host.crypto, tools).resolve(what);
  if (tool === undefined) throw new AirlockError('ARGS_INVALID', `no file and no tool named ${JSON.stringify(what)} (looked in ${tools})`);
  return { manifest: tool.manifest, artifact: tool.artifact, file: join(tools, what, tool.manifest.artifact) };
}

interface WasmDescriptor {
  readonly module?: string;
  readonly name: string;
  readonly kind: string;
}
interface WasmModuleApi {
  compile(bytes: Uint8Array): Promise<unknown>;
  Module: { imports(m: unknown): WasmDescriptor[]; exports(m: unknown): WasmDescriptor[] };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmModuleApi }).WebAssembly;

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export async function toolInspect(args: Parsed, out: Out): Promise<number> {
  const what = args.positionals[0];
  if (!what) throw new AirlockError('ARGS_INVALID', 'which tool? usage: airlock tool inspect <file|tool-name> [--json]');
  const found = locate(what, toolsDir(args.values.tools));
  const { artifact, manifest } = found;
  const digest = hex(host.crypto.sha256(artifact));
  const report: Record<string, unknown> = { file: found.file, bytes: artifact.length, sha256: digest };

  if (starts(artifact, COMPONENT)) {
    const name = manifest?.name ?? basename(found.file).replace(/\.wasm$/, '');
    const tool: Tool = {
      manifest: manifest ?? {
        name,
        version: '0.0.0',
        description: '',
        engine: 'component',
        artifact: basename(found.file),
        inputSchema: true,
        capabilities: {},
        limits: {},
        args: [],
      },
      artifact,
      digest,
    };
    const cache = directoryTranspileCache(host, cacheDir());
    const progress = progressFor(out);
    const engine = createComponentEngine({
      ...(cache ? { cache } : {}),
      ...(progress ? { progress } : {}),
      ...(host.workers ? { workers: host.workers } : {}),
    });
    try {
      const prepared = await engine.prepare({ ...tool, manifest: { ...tool.manifest, engine: 'component' } });
      report['kind'] = `component (${prepared.componentKind})`;
      report['glue'] = prepared.glue;
      report['imports'] = prepared.imports;
      report['exports'] = prepared.exports;
      report['runsIn'] = importsHttp(prepared) ? 'a worker (imports wasi:http)' : 'the calling thread';
      const d = await prepared.describe();
      if (d)
        report['describe'] = {
          name: d.name,
          description: d.description,
          inputSchema: JSON.parse(d.inputSchema),
          outputSchema: JSON.parse(d.outputSchema),
        };
    } finally {
      await engine.close();
    }
  } else if (starts(artifact, CORE)) {
    const mod = await Wasm.compile(artifact);
    report['kind'] = 'core module (WASI preview1)';
    report['imports'] = Wasm.Module.imports(mod).map((i) => `${i.module}.${i.name} (${i.kind})`);
    report['exports'] = Wasm.Module.exports(mod).map((e) => `${e.name} (${e.kind})`);
  } else {
    throw new AirlockError('WASM_INVALID', `${found.file} is not WebAssembly (no \\0asm magic)`);
  }
  report['manifest'] = manifest ?? null;
  report['capabilities'] = manifest?.capabilities ?? {};

  if (out.json) {
    out.data(report);
    return EXIT.ok;
  }
  out.line(`${found.file}  ${artifact.length} bytes  sha256 ${digest.slice(0, 16)}…`);
  out.line(`kind:     ${String(report['kind'])}`);
  if (report['runsIn']) out.line(`runs in:  ${String(report['runsIn'])}`);
  if (report['glue']) out.line(`glue:     ${report['glue'] === 'airlock' ? 'airlock (own canonical ABI)' : 'jco (fallback)'}`);
  out.line('imports:');
  for (const i of report['imports'] as string[]) out.line(`  ${i}`);
  out.line('exports:');
  for (const e of report['exports'] as string[]) out.line(`  ${e}`);
  const d = report['describe'] as { name: string; description: string } | undefined;
  if (d) out.line(`describe: ${d.name}: ${d.description}`);
  if (manifest) {
    out.line(`manifest: ${manifest.name} ${manifest.version} (engine ${manifest.engine}): ${manifest.description}`);
    const caps = manifest.capabilities;
    out.line('requests:');
    for (const f of caps.fs ?? []) out.line(`  fs   ${f.mount} (${f.access})`);
    for (const e of caps.env ?? []) out.line(`  env  ${e}`);
    for (const n of (caps as { net?: { url: string; methods?: string[] }[] }).net ?? [])
      out.line(`  net  ${n.url} ${(n.methods ?? []).join(',')}`);
    if (!caps.fs?.length && !caps.env?.length && !(caps as { net?: unknown[] }).net?.length) out.line('  nothing');
  } else out.line('manifest: none beside the file');
  return EXIT.ok;
}
