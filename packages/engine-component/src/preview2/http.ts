/**
 * wasi:http@0.2.12 (types + outgoing-handler) for one instance, over a
 * synchronous `send`: the guest builds an outgoing request, `handle` returns
 * a future, and the first time the guest needs the answer (`get`), the
 * exchange happens, blocking the guest until egress (host-side) has checked,
 * sent and read it. Every pollable is ready, as elsewhere in this host: the
 * guest's own waiting is the block in `send`.
 *
 * `send` is the call's egress filter on the other side of a synchronous
 * bridge (http-bridge.ts): this file never sees grants, secrets or
 * addresses, and the guest never sees a header the host added.
 * A refused request is the wasi:http error a guest expects
 * (`HTTP-request-denied`, `HTTP-response-body-size`, `connection-timeout`),
 * never a trap.
 *
 * Only the client half is provided: the server-side resources
 * (incoming-request, outgoing-response, response-outparam) exist because
 * the types interface declares them, and cannot be obtained.
 */
import type { RunGuard } from '@airlock/wasi';
import { InputStream, IoError, OutputStream, Pollable, type StreamError } from './io.js';

/** What the guest asked for, ready for egress (`redirect: 'manual'` is the bridge's business). */
export interface HttpSendRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: [string, string][];
  readonly body?: Uint8Array;
}

export type HttpSendResult =
  | { readonly ok: true; readonly status: number; readonly headers: [string, string][]; readonly body: Uint8Array }
  | { readonly ok: false; readonly kind: 'denied' | 'limit' | 'failed'; readonly reason: string; readonly limit?: string };

export type HttpSend = (request: HttpSendRequest) => HttpSendResult;

/** Most request-body bytes a guest may write (the egress response cap bounds the other way). */
export const MAX_REQUEST_BODY = 8 * 1024 * 1024;

type ErrorCode = { tag: string; val?: unknown };
type HeaderError = { tag: 'invalid-syntax' | 'forbidden' | 'immutable' };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const utf8 = new TextEncoder();
const latin = new TextDecoder('latin1');

export class Fields {
  #entries: [string, Uint8Array][] = [];
  immutable = false;

  static fromList(entries: [string, Uint8Array][]): Fields {
    const f = new Fields();
    for (const [k, v] of entries) f.append(k, v);
    return f;
  }
  #check(name: string): void {
    if (this.immutable) throw { tag: 'immutable' } satisfies HeaderError;
    if (!TOKEN.test(name)) throw { tag: 'invalid-syntax' } satisfies HeaderError;
  }
  get(name: string): Uint8Array[] {
    const n = name.toLowerCase();
    return this.#entries.filter(([k]) => k === n).map(([, v]) => v);
  }
  has(name: string): boolean {
    const n = name.toLowerCase();
    return this.#entries.some(([k]) => k === n);
  }
  set(name: string, values: Uint8Array[]): void {
    this.#check(name);
    const n = name.toLowerCase();
    this.#entries = this.#entries.filter(([k]) => k !== n);
    for (const v of values) this.#entries.push([n, v.slice()]);
  }
  delete(name: string): void {
    this.#check(name);
    const n = name.toLowerCase();
    this.#entries = this.#entries.filter(([k]) => k !== n);
  }
  append(name: string, value: Uint8Array): void {
    this.#check(name);
    this.#entries.push([name.toLowerCase(), value.slice()]);
  }
  entries(): [string, Uint8Array][] {
    return this.#entries.map(([k, v]) => [k, v.slice()]);
  }
  clone(): Fields {
    const f = new Fields();
    f.#entries = this.entries();
    return f;
  }
}

export class RequestOptions {
  #connect: bigint | undefined;
  #firstByte: bigint | undefined;
  #between: bigint | undefined;
  connectTimeout(): bigint | undefined {
    return this.#connect;
  }
  setConnectTimeout(d: bigint | undefined): void {
    this.#connect = d;
  }
  firstByteTimeout(): bigint | undefined {
    return this.#firstByte;
  }
  setFirstByteTimeout(d: bigint | undefined): void {
    this.#firstByte = d;
  }
  betweenBytesTimeout(): bigint | undefined {
    return this.#between;
  }
  setBetweenBytesTimeout(d: bigint | undefined): void {
    this.#between = d;
  }
}

export class OutgoingBody {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  finished = false;
  #stream: OutputStream | undefined;
  constructor(guard: RunGuard) {
    this.#stream = new OutputStream(
      guard,
      (d) => {
        if (this.finished) throw new IoError('the body is finished');
        if (this.size + d.length > MAX_REQUEST_BODY) throw new IoError(`request bodies are capped at ${MAX_REQUEST_BODY} bytes`);
        this.chunks.push(d.slice());
        this.size += d.length;
      },
      (e): StreamError => {
        if (e instanceof IoError) return { tag: 'last-operation-failed', val: e };
        throw e;
      },
    );
  }
  write(): OutputStream {
    const s = this.#stream;
    if (s === undefined) throw undefined;
    this.#stream = undefined;
    return s;
  }
  static finish(body: OutgoingBody, trailers: Fields | undefined): void {
    if (trailers !== undefined) throw { tag: 'internal-error', val: 'trailers are not supported' } satisfies ErrorCode;
    body.finished = true;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

type Method = { tag: string; val?: string };
type Scheme = { tag: 'HTTP' | 'HTTPS' | 'other'; val?: string };

export class OutgoingRequest {
  #method: Method = { tag: 'get' };
  #scheme: Scheme | undefined;
  #path: string | undefined;
  #authority: string | undefined;
  #bodyTaken = false;
  readonly headersField: Fields;
  readonly outgoingBody: OutgoingBody;
  constructor(headers: Fields) {
    headers.immutable = true;
    this.headersField = headers;
    this.outgoingBody = new OutgoingBody(currentGuard());
  }
  body(): OutgoingBody {
    if (this.#bodyTaken) throw undefined;
    this.#bodyTaken = true;
    return this.outgoingBody;
  }
  method(): Method {
    return this.#method;
  }
  setMethod(m: Method): void {
    if (m.tag === 'other' && !TOKEN.test(m.val ?? '')) throw undefined;
    this.#method = m;
  }
  pathWithQuery(): string | undefined {
    return this.#path;
  }
  setPathWithQuery(p: string | undefined): void {
    if (p !== undefined && /[\s\0#]/.test(p)) throw undefined;
    this.#path = p;
  }
  scheme(): Scheme | undefined {
    return this.#scheme;
  }
  setScheme(s: Scheme | undefined): void {
    if (s?.tag === 'other' && !/^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(s.val ?? '')) throw undefined;
    this.#scheme = s;
  }
  authority(): string | undefined {
    return this.#authority;
  }
  setAuthority(a: string | undefined): void {
    if (a !== undefined && /[\s\0/?#@\\]/.test(a)) throw undefined;
    this.#authority = a;
  }
  headers(): Fields {
    return this.headersField;
  }
  /** The request as a URL and plain values, or the error-code for a malformed one. */
  describe(): HttpSendRequest | ErrorCode {
    const scheme =
      this.#scheme === undefined ? 'https' : this.#scheme.tag === 'other' ? (this.#scheme.val ?? '') : this.#scheme.tag.toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') return { tag: 'HTTP-protocol-error' };
    if (!this.#authority) return { tag: 'HTTP-request-URI-invalid' };
    const path = this.#path ?? '/';
    const url = `${scheme}://${this.#authority}${path.startsWith('/') ? path : `/${path}`}`;
    const method = this.#method.tag === 'other' ? (this.#method.val ?? '') : this.#method.tag.toUpperCase();
    const headers = this.headersField.entries().map(([k, v]): [string, string] => [k, latin.decode(v)]);
    const body = this.outgoingBody.size > 0 ? this.outgoingBody.bytes() : undefined;
    return { url, method, headers, ...(body ? { body } : {}) };
  }
}

export class IncomingBody {
  #stream: InputStream | undefined;
  constructor(stream: InputStream) {
    this.#stream = stream;
  }
  stream(): InputStream {
    const s = this.#stream;
    if (s === undefined) throw undefined;
    this.#stream = undefined;
    return s;
  }
  static finish(_body: IncomingBody): FutureTrailers {
    return new FutureTrailers();
  }
}

export class FutureTrailers {
  #taken = false;
  subscribe(): Pollable {
    return new Pollable();
  }
  get(): { tag: 'ok' | 'err'; val?: unknown } {
    if (this.#taken) return { tag: 'err' };
    this.#taken = true;
    return { tag: 'ok', val: { tag: 'ok', val: undefined } };
  }
}

export class IncomingResponse {
  #body: IncomingBody | undefined;
  constructor(
    readonly statusCode: number,
    readonly headersField: Fields,
    body: IncomingBody,
  ) {
    this.#body = body;
  }
  status(): number {
    return this.statusCode;
  }
  headers(): Fields {
    return this.headersField;
  }
  consume(): IncomingBody {
    const b = this.#body;
    if (b === undefined) throw undefined;
    this.#body = undefined;
    return b;
  }
}

type FutureValue = { tag: 'ok'; val: { tag: 'ok'; val: IncomingResponse } | { tag: 'err'; val: ErrorCode } } | { tag: 'err' };

export class FutureIncomingResponse {
  #answer: FutureValue | undefined;
  #taken = false;
  constructor(readonly settle: () => FutureValue) {}
  subscribe(): Pollable {
    return new Pollable();
  }
  get(): FutureValue | undefined {
    if (this.#taken) return { tag: 'err' };
    this.#answer ??= this.settle();
    this.#taken = true;
    return this.#answer;
  }
}

/** Server-side resources: declared by wasi:http/types, never handed to a tool. */
export class IncomingRequest {}
export class OutgoingResponse {}
// biome-ignore lint/complexity/noStaticOnlyClass: a WIT resource with one static function; the glue needs a class.
export class ResponseOutparam {
  static set(): void {
    throw new Error('response-outparam is not available to tools');
  }
}

// The guard of the instance being built: OutgoingRequest's constructor has
// no other way to reach it (the glue calls `new OutgoingRequest(headers)`).
// Set by buildHttpImports for the call that owns the classes below.
let guardForConstructors: RunGuard | undefined;
const currentGuard = (): RunGuard => {
  if (guardForConstructors === undefined) throw new Error('wasi:http used outside a call');
  return guardForConstructors;
};

/** The error-code a refused exchange becomes. */
function errorCodeFor(r: Extract<HttpSendResult, { ok: false }>, responseCap: number): ErrorCode {
  if (r.kind === 'limit' && r.limit === 'response-bytes') return { tag: 'HTTP-response-body-size', val: BigInt(responseCap) };
  if (r.kind === 'limit' && r.limit === 'timeout') return { tag: 'connection-timeout' };
  if (r.kind === 'failed') return { tag: 'internal-error', val: r.reason };
  return { tag: 'HTTP-request-denied' };
}

export interface HttpHostOptions {
  readonly guard: RunGuard;
  readonly send: HttpSend;
  /** The response cap, for `HTTP-response-body-size`. */
  readonly responseBytes: number;
}

/**
 * The wasi:http imports of one instance. The resource classes are shared by
 * every instance in a thread (the glue needs classes), but hold nothing but
 * their own fields; the exchange goes through this call's `send`.
 */
export function buildHttpImports(options: HttpHostOptions): Record<string, Record<string, unknown>> {
  const { guard, send, responseBytes } = options;
  guardForConstructors = guard;
  const handle = (request: OutgoingRequest, _options: RequestOptions | undefined): FutureIncomingResponse => {
    guard.check();
    const described = request.describe();
    if (!('url' in described)) throw described;
    return new FutureIncomingResponse(() => {
      const r = send(described);
      guard.check();
      if (!r.ok) return { tag: 'ok', val: { tag: 'err', val: errorCodeFor(r, responseBytes) } };
      const headers = Fields.fromList(r.headers.filter(([k]) => TOKEN.test(k)).map(([k, v]) => [k, utf8.encode(v)]));
      headers.immutable = true;
      let at = 0;
      const stream = new InputStream(
        guard,
        (n) => {
          if (at >= r.body.length) return null;
          const chunk = r.body.subarray(at, at + n);
          at += chunk.length;
          return chunk;
        },
        (e) => {
          throw e;
        },
      );
      return { tag: 'ok', val: { tag: 'ok', val: new IncomingResponse(r.status, headers, new IncomingBody(stream)) } };
    });
  };
  return {
    'wasi:http/types': {
      Fields,
      FutureIncomingResponse,
      FutureTrailers,
      IncomingBody,
      IncomingRequest,
      IncomingResponse,
      OutgoingBody,
      OutgoingRequest,
      OutgoingResponse,
      RequestOptions,
      ResponseOutparam,
      httpErrorCode: () => undefined,
    },
    'wasi:http/outgoing-handler': { handle },
  };
}
