/**
 * parseComponent against wasm-tools (through jco's `print`) on the committed
 * example components, and against malformed input: hand-built binaries for
 * each error path, every truncation of a real component and random byte
 * flips, which must all parse or throw WASM_INVALID and nothing else.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isAirlockError } from '@airlock/core';
import { print } from '@bytecodealliance/jco';
import type { Component, Definition, Sort } from './ast.js';
import { parseComponent } from './parse.js';

const EXAMPLES = new URL('../../../../examples/components/', import.meta.url);
const NAMES = ['call-counter', 'word-count', 'probe', 'runaway'] as const;

function example(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`${name}/${name}.wasm`, EXAMPLES)));
}

// ---------------------------------------------------------------------------
// Against wasm-tools' printed text.

/** The index space a definition appends to (ast.ts header), spelled as wasm-tools prints it. */
function spaceOf(d: Definition): string | undefined {
  const sortName = (s: Sort): string => (typeof s === 'object' ? `core ${s.core}` : s);
  switch (d.tag) {
    case 'core-module':
      return 'core module';
    case 'core-instance-instantiate':
    case 'core-instance-exports':
      return 'core instance';
    case 'core-type':
      return 'core type';
    case 'component':
      return 'component';
    case 'instance-instantiate':
    case 'instance-exports':
      return 'instance';
    case 'alias-export':
    case 'alias-outer':
      return sortName(d.sort);
    case 'alias-core-export':
      return `core ${d.sort}`;
    case 'type':
      return 'type';
    case 'canon-lift':
      return 'func';
    case 'canon-lower':
    case 'canon-resource-new':
    case 'canon-resource-drop':
    case 'canon-resource-rep':
    case 'canon-unsupported':
      return 'core func';
    case 'import':
      return d.desc.sort === 'module' ? 'core module' : d.desc.sort;
    case 'export':
      return sortName(d.sort);
    case 'start':
      return undefined;
  }
}

/** How wasm-tools opens the printed form of each definition. */
function printedPrefix(d: Definition): string {
  switch (d.tag) {
    case 'core-module':
      return '(core module';
    case 'core-instance-instantiate':
    case 'core-instance-exports':
      return '(core instance';
    case 'core-type':
      return '(core type';
    case 'component':
      return '(component';
    case 'instance-instantiate':
    case 'instance-exports':
      return '(instance';
    case 'alias-export':
      return '(alias export';
    case 'alias-core-export':
      return '(alias core export';
    case 'alias-outer':
      return '(alias outer';
    case 'type':
      return '(type';
    case 'canon-lift':
      return '(func';
    case 'canon-lower':
    case 'canon-resource-new':
    case 'canon-resource-drop':
    case 'canon-resource-rep':
    case 'canon-unsupported':
      return '(core func';
    case 'import':
      return '(import';
    case 'export':
      return '(export';
    case 'start':
      return '(start';
  }
}

/** The item lines of one component in printed text: those at exactly `indent` spaces, opening a form. */
function itemLines(lines: readonly string[], indent: number): { line: string; at: number }[] {
  const pad = ' '.repeat(indent);
  const out: { line: string; at: number }[] = [];
  lines.forEach((line, at) => {
    if (line.startsWith(`${pad}(`) && line[indent + 1] !== '@') out.push({ line: line.slice(indent), at });
  });
  return out;
}

/** The lines of a nested component printed from `start` (its opening line) to its closing paren. */
function blockLines(lines: readonly string[], start: number, indent: number): string[] {
  const close = `${' '.repeat(indent)})`;
  let end = start + 1;
  while (end < lines.length && lines[end] !== close) end++;
  return lines.slice(start + 1, end);
}

/**
 * Definitions and printed items correspond one to one and in order; each
 * printed `(;N;)` (the item's index in its space) must equal the index we
 * compute from the AST, and canon lines must show the same options.
 */
function compareWithPrinted(c: Component, lines: readonly string[], indent: number): void {
  const items = itemLines(lines, indent);
  assert.equal(c.definitions.length, items.length, `definition count at indent ${indent}`);
  const next = new Map<string, number>();
  c.definitions.forEach((d, i) => {
    const { line, at } = items[i]!;
    const where = `definition ${i} (${d.tag}) vs printed line ${at + 1}: ${line.slice(0, 160)}`;
    assert.ok(line.startsWith(printedPrefix(d)), where);
    const space = spaceOf(d);
    if (space !== undefined) {
      const index = next.get(space) ?? 0;
      next.set(space, index + 1);
      const printed = /\(;(\d+);\)/.exec(line);
      assert.ok(printed, `no index printed: ${where}`);
      assert.equal(Number(printed[1]), index, `index in ${space}: ${where}`);
    }
    if (d.tag === 'canon-lift' || d.tag === 'canon-lower') {
      assert.ok(line.includes(d.tag === 'canon-lift' ? '(canon lift' : '(canon lower'), where);
      const tags = d.opts.map((o) => o.tag).sort();
      const expected = [
        ['memory', '(memory '],
        ['realloc', '(realloc '],
        ['post-return', '(post-return '],
        ['utf8', 'string-encoding=utf8'],
        ['utf16', 'string-encoding=utf16'],
        ['latin1+utf16', 'string-encoding=latin1+utf16'],
      ]
        .filter(([, text]) => line.includes(text!))
        .map(([tag]) => tag!)
        .sort();
      assert.deepEqual(tags, expected, `canon options: ${where}`);
    }
    if (d.tag === 'canon-lift') assert.ok(line.includes(`(type ${d.type})`), `lift type: ${where}`);
    if (d.tag === 'canon-resource-drop') assert.ok(line.includes('(canon resource.drop'), where);
    if (d.tag === 'import') assert.ok(line.startsWith(`(import ${JSON.stringify(d.name)}`), `import name: ${where}`);
    if (d.tag === 'export') assert.ok(line.includes(` ${JSON.stringify(d.name)} `), `export name: ${where}`);
    if (d.tag === 'component') compareWithPrinted(d.component, blockLines(lines, at, indent), indent + 2);
  });
}

const printed = new Map<string, Promise<string[]>>();
function printedLines(name: string): Promise<string[]> {
  let p = printed.get(name);
  if (p === undefined) {
    p = print(example(name)).then((text: string) => text.split('\n'));
    printed.set(name, p);
  }
  return p;
}

for (const name of NAMES) {
  test(`parse ${name}: every definition matches wasm-tools' printed item, kind, index, names and canon options`, async () => {
    const c = parseComponent(example(name));
    compareWithPrinted(c, await printedLines(name), 2);
  });
}

test('parse: counts per kind in call-counter match the printed text', async () => {
  const c = parseComponent(example('call-counter'));
  const lines = itemLines(await printedLines('call-counter'), 2).map((l) => l.line);
  const count = (tags: string[]) => c.definitions.filter((d) => tags.includes(d.tag)).length;
  const printedCount = (re: RegExp) => lines.filter((l) => re.test(l)).length;
  assert.equal(count(['core-module']), printedCount(/^\(core module/));
  assert.equal(count(['core-instance-instantiate', 'core-instance-exports']), printedCount(/^\(core instance/));
  assert.equal(count(['import']), printedCount(/^\(import/));
  assert.equal(count(['export']), printedCount(/^\(export/));
  assert.equal(count(['canon-lift']), printedCount(/\(canon lift/));
  assert.equal(count(['canon-lower']), printedCount(/\(canon lower/));
  assert.equal(count(['alias-export', 'alias-core-export', 'alias-outer']), printedCount(/^\(alias/));
  assert.equal(count(['core-module']), 4);
  assert.equal(count(['canon-lift']), 2);
});

test('parse call-counter: imports by name, in order', () => {
  const c = parseComponent(example('call-counter'));
  const imports = c.definitions.filter((d) => d.tag === 'import').map((d) => d.name);
  assert.ok(imports.includes('airlock:tool/types@0.1.0'));
  assert.ok(imports.includes('wasi:cli/stdout@0.2.12'));
  assert.deepEqual(imports.slice(0, 2), ['wasi:io/error@0.2.12', 'wasi:io/streams@0.2.12']);
  assert.ok(imports.includes('tool-error'));
});

/** Entries of one index space, in order: each is the definition that appended it. */
function space(c: Component, name: string): Definition[] {
  return c.definitions.filter((d) => spaceOf(d) === name);
}

test('parse call-counter: `call` is (func (param "input" string) (result (result string (error tool-error))))', () => {
  const c = parseComponent(example('call-counter'));
  const exp = c.definitions.find((d) => d.tag === 'export' && d.name === 'call');
  assert.ok(exp?.tag === 'export' && exp.sort === 'func');
  const funcs = space(c, 'func');
  const lift = funcs[exp.index];
  assert.equal(lift?.tag, 'canon-lift');
  if (lift?.tag !== 'canon-lift') return;
  assert.deepEqual(
    lift.opts.map((o) => o.tag),
    ['memory', 'realloc', 'utf8'],
  );
  const types = space(c, 'type');
  const fn = types[lift.type];
  assert.ok(fn?.tag === 'type' && fn.type.tag === 'func');
  assert.equal(fn.type.async, false);
  assert.deepEqual(fn.type.params, [{ name: 'input', type: { prim: 'string' } }]);
  const resultRef = fn.type.result;
  assert.ok(resultRef && 'type' in resultRef);
  const result = types[resultRef.type];
  assert.ok(result?.tag === 'type' && result.type.tag === 'defined' && result.type.type.kind === 'result');
  assert.deepEqual(result.type.type.ok, { prim: 'string' });
  const err = result.type.type.err;
  assert.ok(err && 'type' in err);
  const errDef = types[err.type];
  assert.ok(errDef?.tag === 'import' && errDef.name === 'tool-error' && errDef.desc.sort === 'type');
});

test('parse call-counter: canon lowers of stdout and the filesystem take the options wasm-tools prints', () => {
  const c = parseComponent(example('call-counter'));
  const lowers = c.definitions.filter((d) => d.tag === 'canon-lower');
  assert.equal(lowers.length, 13);
  // get-stdout is lowered with no options; the indirect filesystem calls with (memory 0).
  const funcs = space(c, 'func');
  const named = (d: Definition | undefined) => (d?.tag === 'alias-export' ? d.name : undefined);
  const stdout = lowers.find((l) => named(funcs[l.func]) === 'get-stdout');
  assert.deepEqual(stdout?.opts, []);
  const stat = lowers.find((l) => named(funcs[l.func]) === '[method]descriptor.stat');
  assert.deepEqual(stat?.opts, [{ tag: 'memory', index: 0 }]);
});

test('parse: core modules are views of the input, each starting with the core preamble', () => {
  const bytes = example('probe');
  const c = parseComponent(bytes);
  for (const d of c.definitions) {
    if (d.tag !== 'core-module') continue;
    assert.equal(d.bytes.buffer, bytes.buffer);
    assert.deepEqual([...d.bytes.subarray(0, 8)], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  }
});

// ---------------------------------------------------------------------------
// Hand-built binaries.

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
const str = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [...leb(b.length), ...b];
};
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const component = (...sections: number[][]): Uint8Array => new Uint8Array([...PREAMBLE, ...sections.flat()]);
const vec = (...items: number[][]): number[] => [...leb(items.length), ...items.flat()];

function invalid(bytes: Uint8Array, message: RegExp): void {
  assert.throws(
    () => parseComponent(bytes),
    (e: unknown) => isAirlockError(e, 'WASM_INVALID') && message.test(e.message) && /byte offset \d+/.test(e.message),
  );
}

test('parse: an empty component has no definitions', () => {
  assert.deepEqual(parseComponent(component()), { definitions: [] });
});

test('parse: a core module preamble or wrong version is rejected', () => {
  invalid(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]), /not a component/);
  invalid(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0c, 0x00, 0x01, 0x00]), /not a component/);
  invalid(new Uint8Array([0x00, 0x61]), /unexpected end/);
});

test('parse: unknown section id, value section, section size mismatch', () => {
  invalid(component(section(13, [])), /unknown section id 13/);
  invalid(component(section(12, [0])), /value section/);
  // An alias section whose single alias ends one byte before the declared size.
  const alias = [0x01, 0x00, ...leb(0), ...str('f')];
  invalid(component(section(6, [...vec(alias), 0x00])), /section 6 is \d+ byte\(s\) but its contents end/);
  // A size past the end of the input.
  invalid(new Uint8Array([...PREAMBLE, 6, 10, 0]), /unexpected end/);
});

test('parse: over-long and out-of-range LEB128 are rejected', () => {
  // A 6-byte u32 (section size).
  invalid(new Uint8Array([...PREAMBLE, 6, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), /LEB128/);
  // 5 bytes with bits above 2^32.
  invalid(new Uint8Array([...PREAMBLE, 6, 0xff, 0xff, 0xff, 0xff, 0x1f]), /LEB128/);
});

test('parse: a name that is not UTF-8 is rejected; a leading BOM is kept', () => {
  const alias = (name: number[]) => component(section(6, vec([0x01, 0x00, ...leb(0), ...leb(name.length), ...name])));
  invalid(alias([0x66, 0xc3]), /UTF-8/);
  invalid(alias([0xed, 0xa0, 0x80]), /UTF-8/); // an encoded surrogate
  const c = parseComponent(alias([0xef, 0xbb, 0xbf, 0x61]));
  assert.deepEqual(c.definitions, [{ tag: 'alias-export', sort: 'func', instance: 0, name: '\ufeffa' }]);
});

test('parse: a vector count larger than the remaining bytes fails before looping', () => {
  invalid(component(section(6, [...leb(0xffffffff)])), /count 4294967295 exceeds/);
});

test('parse: nesting deeper than the limit is WASM_INVALID, not a stack overflow', () => {
  // 200 instance types, each declaring the next: 0x42 vec(1: 0x01 type).
  const depth = 200;
  let body: number[] = [0x42, 0x00];
  for (let i = 0; i < depth; i++) body = [0x42, 0x01, 0x01, ...body];
  invalid(component(section(7, vec(body))), /nesting deeper/);
  // And nested components.
  let nested = component();
  for (let i = 0; i < depth; i++) nested = component(section(4, [...nested]));
  invalid(nested, /nesting deeper/);
});

test('parse: types: func (sync and async), records, variants, lists, results, resources, stream/future unsupported', () => {
  const types = [
    [0x40, ...vec([...str('a'), 0x73], [...str('b'), 0x00]), 0x00, 0x79], // func (param "a" string) (param "b" 0) (result u32)
    [0x43, ...vec(), 0x01, 0x00], // async func
    [0x72, ...vec([...str('x'), 0x7a])], // record
    [0x71, ...vec([...str('none'), 0x00, 0x00], [...str('some'), 0x01, 0x73, 0x00])], // variant
    [0x70, 0x7d], // list<u8>
    [0x67, 0x7d, ...leb(4)], // list<u8, 4>
    [0x6a, 0x00, 0x01, 0x02], // result<_, 2>
    [0x6e, ...vec(str('r'), str('w'))], // flags
    [0x69, ...leb(300)], // own 300
    [0x3f, 0x7f, 0x01, ...leb(7)], // resource with dtor
    [0x3f, 0x7f, 0x00], // resource without
    [0x66, 0x01, 0x7d], // stream<u8>
    [0x65, 0x00], // future
    [0x63, 0x73, 0x79], // map<string, u32>
    [0x64], // error-context
  ];
  const c = parseComponent(component(section(7, vec(...types))));
  const t = c.definitions.map((d) => (d.tag === 'type' ? d.type : undefined));
  assert.deepEqual(t, [
    {
      tag: 'func',
      async: false,
      params: [
        { name: 'a', type: { prim: 'string' } },
        { name: 'b', type: { type: 0 } },
      ],
      result: { prim: 'u32' },
    },
    { tag: 'func', async: true, params: [] },
    { tag: 'defined', type: { kind: 'record', fields: [{ name: 'x', type: { prim: 's32' } }] } },
    {
      tag: 'defined',
      type: {
        kind: 'variant',
        cases: [{ name: 'none' }, { name: 'some', type: { prim: 'string' } }],
      },
    },
    { tag: 'defined', type: { kind: 'list', elem: { prim: 'u8' } } },
    { tag: 'defined', type: { kind: 'list', elem: { prim: 'u8' }, length: 4 } },
    { tag: 'defined', type: { kind: 'result', err: { type: 2 } } },
    { tag: 'defined', type: { kind: 'flags', names: ['r', 'w'] } },
    { tag: 'defined', type: { kind: 'own', type: 300 } },
    { tag: 'resource', rep: 'i32', dtor: 7 },
    { tag: 'resource', rep: 'i32' },
    { tag: 'defined', type: { kind: 'unsupported', opcode: 0x66 } },
    { tag: 'defined', type: { kind: 'unsupported', opcode: 0x65 } },
    { tag: 'defined', type: { kind: 'unsupported', opcode: 0x63 } },
    { tag: 'defined', type: { kind: 'prim', prim: 'error-context' } },
  ]);
});

test('parse: a multi-byte type index is an index, a negative s33 is rejected', () => {
  const c = parseComponent(component(section(7, vec([0x70, 0x80, 0x01]))));
  assert.deepEqual(c.definitions, [{ tag: 'type', type: { tag: 'defined', type: { kind: 'list', elem: { type: 128 } } } }]);
  invalid(component(section(7, vec([0x70, 0x80, 0x7f]))), /negative type index/);
  invalid(component(section(7, vec([0x70, 0x60]))), /unknown value type 0x60/);
});

test('parse: canon async/thread built-ins are skipped exactly and keep the next definitions right', () => {
  const lift = [0x00, 0x00, ...leb(5), ...vec([0x03, 0x00], [0x04, 0x01], [0x00], [0x06], [0x07, 0x02]), ...leb(9)];
  const canons = [
    [0x07, ...leb(3)], // resource.drop async: NOT a resource drop
    [0x09, 0x00, 0x73, ...vec([0x03, 0x00])], // task.return (result string) (memory 0)
    [0x09, 0x01, 0x00, ...vec()], // task.return, no result
    [0x0a, 0x7f, ...leb(0)], // context.get i32 0
    [0x0f, ...leb(1), ...vec([0x03, 0x00], [0x04, 0x02])], // stream.read
    [0x11, ...leb(1), 0x01], // stream.cancel-read async
    [0x20, 0x01, ...leb(0)], // waitable-set.wait cancellable (memory 0)
    [0x27, ...leb(1), ...leb(2)], // thread.new-indirect
    [0x41, 0x00, ...leb(1), ...leb(0)], // thread.spawn-indirect
    [0x24], // backpressure.inc
    [0x02, ...leb(4)], // resource.new
    [0x03, ...leb(4)], // resource.drop
    [0x04, ...leb(4)], // resource.rep
    [0x01, 0x00, ...leb(2), ...vec([0x02])], // lower (latin1+utf16)
    lift,
  ];
  const c = parseComponent(component(section(8, vec(...canons))));
  assert.deepEqual(
    c.definitions.map((d) => (d.tag === 'canon-unsupported' ? d.opcode : d.tag)),
    [
      0x07,
      0x09,
      0x09,
      0x0a,
      0x0f,
      0x11,
      0x20,
      0x27,
      0x41,
      0x24,
      'canon-resource-new',
      'canon-resource-drop',
      'canon-resource-rep',
      'canon-lower',
      'canon-lift',
    ],
  );
  assert.deepEqual(c.definitions.at(-2), { tag: 'canon-lower', func: 2, opts: [{ tag: 'latin1+utf16' }] });
  assert.deepEqual(c.definitions.at(-1), {
    tag: 'canon-lift',
    coreFunc: 5,
    opts: [{ tag: 'memory', index: 0 }, { tag: 'realloc', index: 1 }, { tag: 'utf8' }, { tag: 'async' }, { tag: 'callback', index: 2 }],
    type: 9,
  });
  invalid(component(section(8, vec([0x2e]))), /unknown canon opcode 0x2e/);
  invalid(component(section(8, vec([0x01, 0x00, 0x00, ...vec([0x0a])]))), /unknown canon option 0x0a/);
});

test('parse: import/export names in every encoding; export type ascription; attributes skipped', () => {
  const imports = [
    [0x00, ...str('a'), 0x01, ...leb(0)],
    [0x01, ...str('b'), 0x03, 0x01],
    [0x02, ...str('c@1.0.0'), ...vec([0x01, ...str('-rc')], [0x00, ...str('x:y/z')]), 0x05, ...leb(1)],
  ];
  const exports = [
    [0x00, ...str('e'), 0x01, ...leb(0), 0x00],
    [0x01, ...str('f'), 0x01, ...leb(0), 0x01, 0x01, ...leb(3)],
  ];
  const c = parseComponent(component(section(10, vec(...imports)), section(11, vec(...exports))));
  assert.deepEqual(c.definitions, [
    { tag: 'import', name: 'a', desc: { sort: 'func', type: 0 } },
    { tag: 'import', name: 'b', desc: { sort: 'type', bound: { subResource: true } } },
    { tag: 'import', name: 'c@1.0.0', desc: { sort: 'instance', type: 1 } },
    { tag: 'export', name: 'e', sort: 'func', index: 0 },
    { tag: 'export', name: 'f', sort: 'func', index: 0, desc: { sort: 'func', type: 3 } },
  ]);
  invalid(component(section(10, vec([0x03, ...str('a'), 0x01, 0x00]))), /name encoding 0x03/);
});

test('parse: core types count one per type, a rec group one per member, module types skipped exactly', () => {
  const moduleType = [
    0x50,
    ...vec(
      [0x01, 0x60, ...vec([0x7f]), ...vec()], // type (func (param i32))
      [0x00, ...str('env'), ...str('f'), 0x00, ...leb(0)], // import func
      [0x00, ...str('env'), ...str('m'), 0x02, 0x0d, ...leb(1), ...leb(2), ...leb(16)], // memory64, a max and a custom page size (flags 0x0d)
      [0x00, ...str('env'), ...str('t'), 0x01, 0x64, 0x00, 0x00, ...leb(1)], // table (ref 0)
      [0x00, ...str('env'), ...str('g'), 0x03, 0x63, 0x6f, 0x01], // global (mut (ref null extern))
      [0x02, 0x10, 0x01, ...leb(1), ...leb(0)], // alias outer
      [0x03, ...str('x'), 0x04, 0x00, ...leb(0)], // export tag
    ),
  ];
  const rec = [0x4e, ...vec([0x5f, ...vec([0x78, 0x01], [0x7e, 0x00])], [0x50, ...vec([0x00]), 0x5e, 0x7f, 0x00])];
  const sub = [0x00, 0x50, ...vec(), 0x60, ...vec(), ...vec()];
  const c = parseComponent(component(section(3, vec(moduleType, rec, sub, [0x60, ...vec(), ...vec([0x7b])]))));
  assert.equal(c.definitions.length, 5);
  assert.ok(c.definitions.every((d) => d.tag === 'core-type'));
});

test('parse: core instances, instances, aliases and a nested component', () => {
  const moduleBytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const c = parseComponent(
    component(
      section(1, moduleBytes),
      section(
        2,
        vec(
          [0x00, ...leb(0), ...vec([...str('env'), 0x12, ...leb(1)])],
          [0x01, ...vec([...str('m'), 0x02, ...leb(0)], [...str('t'), 0x04, ...leb(3)])],
        ),
      ),
      section(4, [...component(section(10, vec([0x00, ...str('x'), 0x01, ...leb(0)])))]),
      section(
        5,
        vec([0x00, ...leb(0), ...vec([...str('x'), 0x01, ...leb(2)])], [0x01, ...vec([0x00, ...str('y'), 0x00, 0x11, ...leb(0)])]),
      ),
      section(6, vec([0x00, 0x00, 0x01, ...leb(1), ...str('mem')], [0x03, 0x02, ...leb(1), ...leb(4)])),
      section(9, [...leb(0), ...vec(leb(1)), ...leb(0)]),
    ),
  );
  assert.deepEqual(c.definitions, [
    { tag: 'core-module', bytes: new Uint8Array(moduleBytes) },
    { tag: 'core-instance-instantiate', module: 0, args: [{ name: 'env', instance: 1 }] },
    {
      tag: 'core-instance-exports',
      exports: [
        { name: 'm', sort: 'memory', index: 0 },
        { name: 't', sort: 'tag', index: 3 },
      ],
    },
    { tag: 'component', component: { definitions: [{ tag: 'import', name: 'x', desc: { sort: 'func', type: 0 } }] } },
    { tag: 'instance-instantiate', component: 0, args: [{ name: 'x', sort: 'func', index: 2 }] },
    { tag: 'instance-exports', exports: [{ name: 'y', sort: { core: 'module' }, index: 0 }] },
    { tag: 'alias-core-export', sort: 'func', instance: 1, name: 'mem' },
    { tag: 'alias-outer', sort: 'type', count: 1, index: 4 },
    { tag: 'start' },
  ]);
  invalid(component(section(6, vec([0x01, 0x01, ...leb(0), ...str('x')]))), /core export alias must have a core sort/);
  invalid(component(section(1, [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])), /not a core module/);
});

// ---------------------------------------------------------------------------
// Robustness: any damage parses or throws WASM_INVALID, nothing else.

function parseOrInvalid(bytes: Uint8Array, what: string): void {
  try {
    parseComponent(bytes);
  } catch (e) {
    if (!isAirlockError(e, 'WASM_INVALID')) assert.fail(`${what}: threw ${String(e)}`);
  }
}

/** The byte ranges of core module bodies: damage there is the engine's business, so sample them thinly. */
function moduleRanges(bytes: Uint8Array): [number, number][] {
  const c = parseComponent(bytes);
  return c.definitions.flatMap((d) =>
    d.tag === 'core-module'
      ? [[d.bytes.byteOffset - bytes.byteOffset, d.bytes.byteOffset - bytes.byteOffset + d.bytes.length] as [number, number]]
      : [],
  );
}

function inModule(ranges: [number, number][], at: number): boolean {
  return ranges.some(([s, e]) => at > s + 8 && at < e);
}

for (const name of ['call-counter', 'probe'] as const) {
  test(`parse ${name}: every truncation outside core module bodies (and 1 in 97 inside) parses or fails as WASM_INVALID`, () => {
    const bytes = example(name);
    const ranges = moduleRanges(bytes);
    let rejected = 0;
    for (let n = 0; n < bytes.length; n++) {
      if (inModule(ranges, n) && n % 97 !== 0) continue;
      try {
        // A cut exactly at a section boundary leaves a well-formed, shorter component.
        parseComponent(bytes.subarray(0, n));
      } catch (e) {
        if (!isAirlockError(e, 'WASM_INVALID')) assert.fail(`truncated at ${n}: threw ${String(e)}`);
        rejected++;
      }
    }
    assert.ok(rejected > 1000, `only ${rejected} truncations rejected`);
  });

  test(`parse ${name}: 4000 random single-byte changes parse or fail as WASM_INVALID`, () => {
    const original = example(name);
    const ranges = moduleRanges(original);
    let seed = 0x2545f491;
    const rand = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    let failed = 0;
    for (let i = 0; i < 4000; i++) {
      let at: number;
      do at = Math.floor(rand() * original.length);
      while (inModule(ranges, at));
      const bytes = original.slice();
      bytes[at] = (bytes[at]! ^ (1 + Math.floor(rand() * 255))) & 0xff;
      try {
        parseComponent(bytes);
      } catch (e) {
        if (!isAirlockError(e, 'WASM_INVALID')) assert.fail(`byte ${at}: threw ${String(e)}`);
        failed++;
      }
    }
    // Most damage is caught; a flip in a name or an index can leave a well-formed component.
    assert.ok(failed > 1000, `only ${failed} of 4000 changes were rejected`);
  });
}

test('parse: random bytes after a valid preamble parse or fail as WASM_INVALID', () => {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 16;
  };
  for (let i = 0; i < 3000; i++) {
    const body = Array.from({ length: 1 + (rand() % 64) }, () => rand() & 0xff);
    parseOrInvalid(new Uint8Array([...PREAMBLE, ...body]), `random body ${i}`);
  }
});

test('parse: fast on the example components (< 5 ms each)', () => {
  for (const name of NAMES) {
    const bytes = example(name);
    parseComponent(bytes);
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) parseComponent(bytes);
    const ms = (performance.now() - t0) / 10;
    assert.ok(ms < 5, `${name}: ${ms.toFixed(2)} ms`);
  }
});
