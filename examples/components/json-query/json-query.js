// json-query: a typed tool (world airlock:tool/tool) in JavaScript, built
// with componentize-js (examples/components/build.mjs --js DIR).
//
// input:  {"data": <any JSON>, "path": "items.0.name"}
// output: {"found": true, "value": <the value at path>}
//
// A path is dot-separated keys and array indexes. Errors are typed:
// `bad-input` when the input is not an object with a string `path`.
// A module-level counter shows that nothing survives a call: under Airlock
// `calls` is always 1.
let calls = 0;

export function describe() {
  return {
    name: 'json-query',
    description: 'Reads the value at a dot-separated path inside a JSON document.',
    inputSchema: JSON.stringify({
      type: 'object',
      required: ['data', 'path'],
      properties: { data: {}, path: { type: 'string' } },
    }),
    outputSchema: JSON.stringify({ type: 'object', required: ['found'] }),
  };
}

export function call(input) {
  calls++;
  let req;
  try {
    req = JSON.parse(input);
  } catch (e) {
    throw { code: 'bad-input', message: `input is not JSON: ${e.message}` };
  }
  if (req === null || typeof req !== 'object' || typeof req.path !== 'string') {
    throw { code: 'bad-input', message: 'input must be an object with a string "path"' };
  }
  let value = req.data;
  for (const key of req.path === '' ? [] : req.path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) {
      return JSON.stringify({ found: false, calls });
    }
    value = value[key];
  }
  return JSON.stringify({ found: true, value, calls });
}
