/**
 * A synchronous call from a worker to the thread that owns the call's
 * grants, over a SharedArrayBuffer: the worker posts the request and blocks
 * in `Atomics.wait`; the owner does the work (an asynchronous egress fetch,
 * a call on a mount's Vfs), writes the answer into the buffer and wakes it
 * with `Atomics.notify`. Two kinds of request share it, told apart by the
 * message's `type`: `http` (http-runner.ts) and `fs` (vfs-proxy.ts).
 *
 * Why: a guest waits for wasi:http and wasi:filesystem synchronously, egress
 * is asynchronous, mounts are host objects on the owner's thread, and Node
 * 20 has no JSPI to suspend a Wasm stack. The worker's thread is the
 * guest's; the owner's event loop stays free.
 *
 * Layout: int32 state (0 waiting, 1 answered), int32 length, then a frame:
 * a uint32 header length, a JSON header, the payload bytes. A request's
 * payload (a write's bytes) is placed in the same area before posting: the
 * worker is blocked until the answer, so the buffer is the owner's
 * meanwhile. One buffer per call; one request in flight at a time.
 */
import type { HttpSendRequest, HttpSendResult } from './preview2/http.js';

const WAITING = 0;
const ANSWERED = 1;
const HEAD = 8;
/** Room kept for a frame's JSON header when sizing payloads (bytes). */
const HEADER_ROOM = 4096;

/** A buffer big enough for a response at the cap plus its headers. */
export function bridgeBuffer(responseBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(HEAD + 4 + responseBytes + 256 * 1024);
}

/** The largest payload one request or answer carries with a small header: larger ones go in chunks. */
export const payloadRoom = (sab: SharedArrayBuffer): number => sab.byteLength - HEAD - 4 - HEADER_ROOM;

/** A decoded answer: its JSON header and payload bytes (a copy). */
export interface Frame {
  readonly header: Record<string, unknown>;
  readonly payload: Uint8Array;
}

const utf8 = new TextEncoder();

/** Owner side: write a frame and wake the worker. False (nothing written) when it does not fit. */
export function answer(sab: SharedArrayBuffer, header: object, payload: Uint8Array = new Uint8Array(0)): boolean {
  const head = utf8.encode(JSON.stringify(header));
  const size = 4 + head.length + payload.length;
  if (size > sab.byteLength - HEAD) return false;
  const area = new Uint8Array(sab, HEAD, size);
  new DataView(sab, HEAD, 4).setUint32(0, head.length, true);
  area.set(head, 4);
  area.set(payload, 4 + head.length);
  const state = new Int32Array(sab, 0, 2);
  Atomics.store(state, 1, size);
  Atomics.store(state, 0, ANSWERED);
  Atomics.notify(state, 0);
  return true;
}

/** Owner side: the payload the worker placed with its request (`payloadBytes` in the message); a copy. */
export const requestPayload = (sab: SharedArrayBuffer, length: number): Uint8Array =>
  new Uint8Array(sab, HEAD, Math.max(0, Math.min(length, sab.byteLength - HEAD))).slice();

/**
 * Worker side: place `payload` in the buffer, post `message` (with its
 * length as `payloadBytes`), block until answered. The payload must fit
 * `payloadRoom`.
 */
export function sendSync(
  sab: SharedArrayBuffer,
  post: (message: unknown) => void,
  message: { readonly type: string },
  payload?: Uint8Array,
): Frame {
  const state = new Int32Array(sab, 0, 2);
  Atomics.store(state, 0, WAITING);
  if (payload !== undefined) new Uint8Array(sab, HEAD, payload.length).set(payload);
  post(payload === undefined ? message : { ...message, payloadBytes: payload.length });
  while (Atomics.load(state, 0) === WAITING) Atomics.wait(state, 0, WAITING);
  const bytes = new Uint8Array(sab, HEAD, Atomics.load(state, 1));
  const len = new DataView(sab, HEAD, 4).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.slice(4, 4 + len))) as Record<string, unknown>;
  return { header, payload: bytes.slice(4 + len) };
}

/** Owner side of an `http` request: the result, or a `response-bytes` limit when it does not fit. */
export function answerHttp(sab: SharedArrayBuffer, r: HttpSendResult): void {
  const { body, ...rest } = r.ok ? r : { ...r, body: new Uint8Array(0) };
  if (!answer(sab, rest, body))
    answer(sab, { ok: false, kind: 'limit', limit: 'response-bytes', reason: 'the response headers are too large' });
}

/** Worker side of an `http` request. */
export function sendHttpSync(sab: SharedArrayBuffer, post: (message: unknown) => void, request: HttpSendRequest): HttpSendResult {
  const { header, payload } = sendSync(sab, post, { type: 'http', request } as { type: string });
  if (header['ok'] === true) return { ...(header as { ok: true; status: number; headers: [string, string][] }), body: payload };
  return header as HttpSendResult;
}
