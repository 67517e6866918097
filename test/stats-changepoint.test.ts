import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pelt, seededRandom } from '../src/stats/index.ts';

const noise = (seed: number) => {
  const rnd = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
};

test('PELT finds a step of 3σ where it is, two steps both, and rarely one in noise alone (≤ 10% of series)', () => {
  let found = 0;
  for (let seed = 1; seed <= 50; seed++) {
    const z = noise(seed);
    const xs = Array.from({ length: 40 }, (_, i) => (i >= 25 ? 3 : 0) + z());
    const cps = pelt(xs);
    if (cps.length === 1 && Math.abs((cps[0] as number) - 25) <= 1) found++;
  }
  assert.ok(found >= 45, `a 3σ step at 25 of 40 found in place in ${found} of 50 series`);
  const z = noise(99);
  const two = pelt(Array.from({ length: 60 }, (_, i) => (i >= 20 ? 4 : 0) + (i >= 40 ? -8 : 0) + z()));
  assert.equal(two.length, 2);
  assert.ok(Math.abs((two[0] as number) - 20) <= 1 && Math.abs((two[1] as number) - 40) <= 1, JSON.stringify(two));
  let alarms = 0;
  for (let seed = 100; seed < 200; seed++) {
    const zz = noise(seed);
    if (pelt(Array.from({ length: 30 }, () => zz())).length) alarms++;
  }
  assert.ok(alarms <= 10, `${alarms} of 100 pure-noise series had a step`);
});

test('PELT: short series have no step, a noiseless level change is found, minSegment holds', () => {
  assert.deepEqual(pelt([1, 2, 3]), []);
  assert.deepEqual(pelt([5, 5, 5, 5, 9, 9, 9, 9]), [4]);
  assert.deepEqual(pelt([5, 5, 5, 5, 5, 5, 5, 9]), [], 'a single last point is not a level (minSegment 2)');
  const z = noise(7);
  const cps = pelt(Array.from({ length: 30 }, (_, i) => (i >= 10 ? 5 : 0) + z()), { minSegment: 5 });
  assert.deepEqual(cps, [10]);
});
