import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HandleTable } from './handles.js';

test('handles_start_at_one_and_count_up', () => {
  const t = new HandleTable();
  assert.equal(t.insert({ a: 1 }), 1);
  assert.equal(t.insert({ a: 2 }), 2);
  assert.equal(t.size, 2);
});

test('handles_get_returns_the_inserted_object', () => {
  const t = new HandleTable();
  const o = {};
  const h = t.insert(o);
  assert.equal(t.get(h), o);
  assert.equal(t.get(h), o);
});

test('handles_freed_slot_is_reused_last_in_first_out', () => {
  const t = new HandleTable();
  const [a, b, c] = [t.insert({}), t.insert({}), t.insert({})];
  t.remove(b);
  t.remove(a);
  assert.equal(t.insert({}), a);
  assert.equal(t.insert({}), b);
  assert.equal(t.insert({}), 4);
  assert.equal(t.size, 4);
  assert.ok(c === 3);
});

test('handles_remove_returns_the_object_and_frees_the_handle', () => {
  const t = new HandleTable();
  const o = {};
  const h = t.insert(o);
  assert.equal(t.remove(h), o);
  assert.equal(t.size, 0);
  assert.throws(() => t.get(h), { name: 'TypeError', message: new RegExp(`handle ${h}\\b`) });
});

test('handles_unknown_handles_trap_naming_the_handle', () => {
  const t = new HandleTable();
  t.insert({});
  for (const bad of [0, 2, 99, -1, 1.5, 2 ** 32]) {
    assert.throws(() => t.get(bad), { name: 'TypeError', message: new RegExp(`invalid resource handle ${bad}`) }, `get ${bad}`);
    assert.throws(() => t.remove(bad), { name: 'TypeError', message: new RegExp(`invalid resource handle ${bad}`) }, `remove ${bad}`);
  }
});

test('handles_double_remove_traps', () => {
  const t = new HandleTable();
  const h = t.insert({});
  t.insert({});
  t.remove(h);
  assert.throws(() => t.remove(h), TypeError);
  assert.equal(t.size, 1);
});

test('handles_insert_rejects_non_objects', () => {
  const t = new HandleTable();
  assert.throws(() => t.insert(null as unknown as object), TypeError);
  assert.throws(() => t.insert(5 as unknown as object), TypeError);
  assert.equal(
    t.insert(() => 1),
    1,
  );
});
