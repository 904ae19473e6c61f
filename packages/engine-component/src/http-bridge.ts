/**
 * A synchronous call from a worker to the thread that owns egress, over a
 * SharedArrayBuffer: the worker posts the request and blocks in
 * `Atomics.wait`; the owner performs the (asynchronous) egress fetch, writes
 * the answer into the buffer and wakes it with `Atomics.notify`.
 *
 * Why: a guest waits for wasi:http synchronously (`future.get`, `block`),
 * egress is asynchronous, and Node 20 has no JSPI to suspend a Wasm stack.
 * The worker's thread is the guest's; the owner's event loop stays free.
 *
 * Layout: int32 state (0 waiting, 1 answered), int32 length, then the
 * answer: a uint32 header length, a JSON header, the body bytes.
 */
import type { HttpSendRequest, HttpSendResult } from './preview2/http.js';

const WAITING = 0;
const ANSWERED = 1;
const HEAD = 8;

/** A buffer big enough for a response at the cap plus its headers. */
export function bridgeBuffer(responseBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(HEAD + 4 + responseBytes + 256 * 1024);
}

const utf8 = new TextEncoder();

export function encodeAnswer(r: HttpSendResult, capacity: number): Uint8Array {
  const { body, ...rest } = r.ok ? r : { ...r, body: new Uint8Array(0) };
  const header = utf8.encode(JSON.stringify(rest));
  if (4 + header.length + body.length > capacity) {
    return encodeAnswer({ ok: false, kind: 'limit', limit: 'response-bytes', reason: 'the response headers are too large' }, capacity);
  }
  const out = new Uint8Array(4 + header.length + body.length);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  out.set(body, 4 + header.length);
  return out;
}

export function decodeAnswer(bytes: Uint8Array): HttpSendResult {
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))) as Record<string, unknown>;
  if (header['ok'] === true)
    return { ...(header as { ok: true; status: number; headers: [string, string][] }), body: bytes.slice(4 + len) };
  return header as HttpSendResult;
}

/** Owner side: write the answer and wake the worker. */
export function answer(sab: SharedArrayBuffer, r: HttpSendResult): void {
  const state = new Int32Array(sab, 0, 2);
  const bytes = encodeAnswer(r, sab.byteLength - HEAD);
  new Uint8Array(sab, HEAD).set(bytes);
  Atomics.store(state, 1, bytes.length);
  Atomics.store(state, 0, ANSWERED);
  Atomics.notify(state, 0);
}

/** Worker side: post the request, block until it is answered. */
export function sendSync(sab: SharedArrayBuffer, post: (message: unknown) => void, request: HttpSendRequest): HttpSendResult {
  const state = new Int32Array(sab, 0, 2);
  Atomics.store(state, 0, WAITING);
  post({ type: 'http', request });
  while (Atomics.load(state, 0) === WAITING) Atomics.wait(state, 0, WAITING);
  const len = Atomics.load(state, 1);
  return decodeAnswer(new Uint8Array(sab, HEAD, len).slice());
}
