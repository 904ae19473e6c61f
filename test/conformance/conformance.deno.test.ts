// The conformance suite on the Deno runtime (run by `deno test`, see scripts/test.mjs).
import { createDenoHost } from '@airlock/runtime-deno';
import { conformanceCases, type ServerRequest, type ServerResponse, type TestServer } from './suite.js';

declare const Deno: {
  test(name: string, fn: () => Promise<void>): void;
  makeTempDirSync(opts: { prefix: string }): string;
  mkdirSync(path: string, opts: { recursive: boolean }): void;
  writeTextFileSync(path: string, text: string): void;
  readTextFileSync(path: string): string;
  readFileSync(path: string): Uint8Array;
  symlinkSync(target: string, path: string): void;
  readDirSync(path: string): Iterable<{ name: string }>;
  serve(
    opts: { hostname: string; port: number; onListen(addr: { port: number }): void },
    handler: (req: Request) => Promise<Response>,
  ): { shutdown(): Promise<void> };
  Command: new (
    cmd: string,
    opts: { args: string[]; stdout: 'piped'; stderr: 'inherit' },
  ) => { output(): Promise<{ success: boolean; stdout: Uint8Array }> };
  env: { get(name: string): string | undefined };
};

const join = (...parts: string[]) => parts.join('/').replace(/\/+/g, '/');
const repoRoot = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');

/** Deno.serve on 127.0.0.1, port 0. */
async function startServer(handler: (req: ServerRequest) => ServerResponse): Promise<TestServer> {
  const requests: ServerRequest[] = [];
  let listening!: (port: number) => void;
  const port = new Promise<number>((r) => {
    listening = r;
  });
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => listening(port) }, async (req) => {
    const url = new URL(req.url);
    const seen = { method: req.method, url: url.pathname + url.search, headers: Object.fromEntries(req.headers) };
    requests.push(seen);
    await req.body?.cancel();
    const r = handler(seen);
    return new Response((r.body ?? null) as ConstructorParameters<typeof Response>[0], {
      status: r.status ?? 200,
      headers: r.headers ?? {},
    });
  });
  return { url: `http://127.0.0.1:${await port}`, requests, close: () => server.shutdown() };
}

/**
 * componentize-js runs on Node (build.mjs hooks Node's module loader), so
 * Node builds the component into the same cache the Node tests use (or
 * finds it there) and names the file.
 */
const components = new Map<string, Promise<Uint8Array>>();
async function jsComponent(name: 'http-get'): Promise<Uint8Array> {
  const module = new URL('../component/js-components.js', import.meta.url).href;
  const script = `const m = await import(${JSON.stringify(module)}); process.stdout.write(await m.jsComponentFile(${JSON.stringify(name)}));`;
  const node = Deno.env.get('AIRLOCK_NODE') ?? 'node';
  const out = await new Deno.Command(node, { args: ['--input-type=module', '-e', script], stdout: 'piped', stderr: 'inherit' }).output();
  if (!out.success) throw new Error(`building the ${name} component with ${node} failed`);
  return Deno.readFileSync(new TextDecoder().decode(out.stdout));
}

for (const c of conformanceCases({
  host: createDenoHost(),
  repoRoot,
  startServer,
  jsComponent: (name) => {
    const built = components.get(name) ?? jsComponent(name);
    components.set(name, built);
    return built;
  },
  tempDir: () => Deno.makeTempDirSync({ prefix: 'airlock-conf-' }),
  join,
  mkdir: (p) => Deno.mkdirSync(p, { recursive: true }),
  writeFile: (p, t) => Deno.writeTextFileSync(p, t),
  readFile: (p) => {
    try {
      return Deno.readTextFileSync(p);
    } catch {
      return undefined;
    }
  },
  readBytes: (p) => Deno.readFileSync(p),
  symlink: (target, p) => Deno.symlinkSync(target, p),
  list: (p) => [...Deno.readDirSync(p)].map((e) => e.name).sort(),
})) {
  Deno.test(`deno: ${c.name}`, () => c.run());
}
