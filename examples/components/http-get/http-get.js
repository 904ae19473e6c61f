// http-get: a typed tool (world airlock:tool/tool) in JavaScript that fetches
// one URL through wasi:http/outgoing-handler, built with componentize-js
// (examples/components/build.mjs --js DIR).
//
// input:  {"url": "https://api.example.com/v1/x", "headers": {"accept": "text/plain"}}
// output: {"status": 200, "body": "<the body as text>", "headers": {...}}
//
// Whatever the host refuses (a URL outside the grants, a loopback address,
// a response over the size cap) reaches the tool as a failed fetch, which it
// reports as the typed error `fetch-failed`. It never sees secrets the host
// adds to the request.

export function describe() {
  return {
    name: 'http-get',
    description: 'Fetches one URL with GET and returns its status, headers and body as text.',
    inputSchema: JSON.stringify({
      type: 'object',
      required: ['url'],
      properties: { url: { type: 'string' }, headers: { type: 'object' } },
    }),
    outputSchema: JSON.stringify({ type: 'object', required: ['status', 'body'] }),
  };
}

export async function call(input) {
  let req;
  try {
    req = JSON.parse(input);
  } catch (e) {
    throw { code: 'bad-input', message: `input is not JSON: ${e.message}` };
  }
  if (req === null || typeof req !== 'object' || typeof req.url !== 'string') {
    throw { code: 'bad-input', message: 'input must be an object with a string "url"' };
  }
  let res;
  try {
    res = await fetch(req.url, { headers: req.headers ?? {}, redirect: 'follow' });
  } catch (e) {
    throw { code: 'fetch-failed', message: String(e?.message ? e.message : e) };
  }
  const headers = {};
  for (const [k, v] of res.headers) headers[k] = v;
  const body = await res.text();
  return JSON.stringify({ status: res.status, headers, body });
}
