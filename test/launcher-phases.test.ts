import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootBreakdown } from '../src/launcher/phases.ts';

test('boot breakdown partitions request→ready, even when the child runs before clone returns', () => {
  const o = {
    request: 0,
    cloneStart: 10,
    cloneDone: 100,
    childStart: 60,
    mapsDone: 150,
    cgroupDone: 170,
    setupDone: 200,
    exec: 210,
    ready: 500,
    exit: 600,
  };
  const b = bootBreakdown(o);
  assert.equal(b.bootNs, 500);
  assert.equal(b.prepareNs + b.cloneNs + b.mapNs + b.cgroupNs + b.setupNs + b.execNs, 500);
  assert.deepEqual(
    [b.prepareNs, b.cloneNs, b.mapNs, b.cgroupNs, b.setupNs, b.execNs, b.afterReadyNs],
    [10, 90, 50, 20, 30, 300, 100],
  );
  // no user namespace (no maps) and a child whose setup finished before clone returned
  const c = bootBreakdown({ ...o, mapsDone: -1, cgroupDone: -1, setupDone: 80 });
  assert.equal(c.mapNs, 0);
  assert.equal(c.setupNs, 0);
  assert.equal(c.prepareNs + c.cloneNs + c.mapNs + c.setupNs + c.execNs, 500);
  // a workload that never signals ready: boot ends at exit
  const d = bootBreakdown({ ...o, ready: -1 });
  assert.equal(d.bootNs, 600);
  assert.equal(d.afterReadyNs, 0);
});
