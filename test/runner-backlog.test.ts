// The kernel's teardown backlog: what a scenario says when it leaves namespaces being torn down for the next one.
// (The backlog read beside a churning antagonist is tested for real in runner-interference.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backlogNote } from '../src/runner/backlog.ts';

test('a scenario that leaves the kernel tearing namespaces down says so; a few left over is not a backlog', () => {
  const note = backlogNote('network', { net_namespace: 12, uts_namespace: 3 }, { net_namespace: 80, uts_namespace: 5 });
  assert.equal(
    note,
    'note: after network the kernel is still tearing down 68 net namespaces: the next scenario starts beside that work',
  );
  assert.equal(backlogNote('boot', { net_namespace: 12 }, { net_namespace: 40 }), null, '28 over: not worth a word');
  assert.equal(backlogNote('boot', {}, { net_namespace: 500 }), null, 'a kind not read before is not compared');
  assert.equal(backlogNote('boot', { net_namespace: 500 }, { net_namespace: 20 }), null, 'fewer than before');
});
