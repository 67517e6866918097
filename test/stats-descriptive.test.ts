import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describe as describeSample, ratioOfMedians, seededRandom, shuffled } from '../src/stats/index.ts';

test('descriptive statistics on a fixed sample', () => {
  const d = describeSample([5, 1, 4, 2, 3]);
  assert.ok(d);
  assert.equal(d.n, 5);
  assert.equal(d.median, 3);
  assert.equal(d.min, 1);
  assert.equal(d.max, 5);
  assert.equal(d.mean, 3);
  assert.ok(Math.abs(d.sd - Math.sqrt(2.5)) < 1e-12, 'sample sd (n-1)');
  assert.equal(describeSample([]), null);
  assert.equal(ratioOfMedians(describeSample([4, 4, 4]), describeSample([2, 2, 2])), 2);
});

test('the seeded shuffle is a permutation and replays from its seed', () => {
  const items = Array.from({ length: 20 }, (_, i) => i);
  const a = shuffled(items, seededRandom(7));
  const b = shuffled(items, seededRandom(7));
  const c = shuffled(items, seededRandom(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    items,
  );
  assert.notDeepEqual(a, items);
});

test('bootstrap CI of a ratio of medians: seeded, contains the truth, covers ~95% on simulated data', async () => {
  const { ratioOfMediansCI } = await import('../src/stats/index.ts');
  const rnd = seededRandom(42);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const sample = (n: number, mu: number) => Array.from({ length: n }, () => mu * (1 + 0.05 * normal()));
  const a = sample(30, 110);
  const b = sample(30, 100);
  const ci = ratioOfMediansCI(a, b, 7);
  assert.ok(ci);
  assert.deepEqual(ratioOfMediansCI(a, b, 7), ci, 'same seed, same interval');
  assert.ok(ci.low < ci.ratio && ci.ratio < ci.high);
  let covered = 0;
  const trials = 100;
  for (let t = 0; t < trials; t++) {
    const c = ratioOfMediansCI(sample(30, 110), sample(30, 100), t, 500);
    if (c && c.low <= 1.1 && 1.1 <= c.high) covered++;
  }
  assert.ok(covered >= 85 && covered <= 100, `coverage ${covered}/${trials} near 95%`);
  assert.equal(ratioOfMediansCI([], b), null);
});
