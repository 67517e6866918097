// The cleanup registry removes what is still registered, launcher first, then newest first;
// what its owner removed itself is unregistered and not touched again; a failure does not stop the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CleanupRegistry } from '../src/host/index.ts';

test('removal order, unregistering, failures reported, removeAll idempotent', async () => {
  const r = new CleanupRegistry();
  const order: string[] = [];
  r.add('launcher', () => order.push('launcher'), { early: true });
  r.add('cgroups', () => order.push('cgroups'));
  const done = r.add('netns', () => order.push('netns'));
  r.add('mount', () => {
    throw new Error('busy');
  });
  r.add('folder', async () => {
    await new Promise((res) => setTimeout(res, 5));
    order.push('folder');
  });
  done(); // its owner removed it
  assert.deepEqual(r.list(), ['launcher', 'cgroups', 'mount', 'folder']);
  const [a, b] = await Promise.all([r.removeAll(), r.removeAll()]);
  assert.deepEqual(order, ['launcher', 'folder', 'cgroups']);
  assert.deepEqual(a, ['mount: busy']);
  assert.deepEqual(b, a, 'a second call waits for the first');
  assert.deepEqual(r.list(), []);
});
