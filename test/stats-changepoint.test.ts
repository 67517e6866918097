// Change points for short run histories: exact segmentation, at least 3 runs a side, σ pooled over a host's
// series, the penalty calibrated by simulation (npm run perf:stats -- --calibrate).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changePoints, penaltyFor, pooledSigma, robustSigma, seededRandom } from '../src/stats/index.ts';

const noise = (seed: number) => {
  const rnd = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
};

test('a step of 3σ is found where it is, two steps both; noise alone rarely shows one (series alone)', () => {
  let found = 0;
  for (let seed = 1; seed <= 50; seed++) {
    const z = noise(seed);
    const cps = changePoints(Array.from({ length: 40 }, (_, i) => (i >= 25 ? 3 : 0) + z()));
    if (cps.length === 1 && Math.abs((cps[0] as number) - 25) <= 1) found++;
  }
  assert.ok(found >= 40, `a 3σ step at 25 of 40 found in place in ${found} of 50 series`);
  const z = noise(99);
  const two = changePoints(Array.from({ length: 60 }, (_, i) => (i >= 20 ? 4 : 0) + (i >= 40 ? -8 : 0) + z()));
  assert.equal(two.length, 2);
  assert.ok(Math.abs((two[0] as number) - 20) <= 1 && Math.abs((two[1] as number) - 40) <= 1, JSON.stringify(two));
});

test('10 runs of pure noise (the case where 3·ln n fired in 16%): under 5% with σ from the series, under 2% pooled', () => {
  let alone = 0;
  let pooled = 0;
  const T = 400;
  for (let seed = 0; seed < T; seed++) {
    const z = noise(1000 + seed);
    const host = Array.from({ length: 12 }, () => Array.from({ length: 10 }, () => 0.02 * z()));
    const sigma = pooledSigma(host) as number;
    if (changePoints(host[0] as number[]).length) alone++;
    if (changePoints(host[0] as number[], { pooledSigma: sigma }).length) pooled++;
  }
  assert.ok(alone / T <= 0.05, `σ from the series alone: ${alone} of ${T}`);
  assert.ok(pooled / T <= 0.02, `σ pooled over 12 series: ${pooled} of ${T}`);
});

test('a 10% step among 10 runs at σ 2% is found in at least 90% with σ pooled', () => {
  let found = 0;
  const T = 200;
  const rnd = seededRandom(5);
  for (let seed = 0; seed < T; seed++) {
    const z = noise(5000 + seed);
    const at = 3 + Math.floor(rnd() * 5);
    const host = Array.from({ length: 12 }, (_, k) =>
      Array.from({ length: 10 }, (_, i) => 0.02 * z() + (k === 0 && i >= at ? Math.log(1.1) : 0)),
    );
    if (changePoints(host[0] as number[], { pooledSigma: pooledSigma(host) as number }).length) found++;
  }
  assert.ok(found / T >= 0.9, `found in ${found} of ${T}`);
});

test('short series have no step, a noiseless level change is found, minSegment holds, the search is exact', () => {
  assert.deepEqual(changePoints([1, 2, 3]), []);
  assert.deepEqual(changePoints([5, 5, 5, 5, 9, 9, 9, 9]), [4]);
  assert.deepEqual(changePoints([5, 5, 5, 5, 5, 5, 9, 9]), [], 'two last points are not a level (minSegment 3)');
  const z = noise(7);
  assert.deepEqual(
    changePoints(
      Array.from({ length: 30 }, (_, i) => (i >= 10 ? 5 : 0) + z()),
      { minSegment: 5 },
    ),
    [10],
  );
  // exact: the chosen segmentation costs no more than any other with segments of 3 or more (brute force, n = 9)
  for (let seed = 0; seed < 100; seed++) {
    const zz = noise(300 + seed);
    const xs = Array.from({ length: 9 }, (_, i) => (i >= 4 ? 2.5 : 0) + zz());
    const sigma = Math.max(robustSigma(xs), 1);
    const cps = changePoints(xs, { penalty: 4, sigmaFloor: 1 });
    const cost = (a: number, b: number) => {
      const seg = xs.slice(a, b);
      const m = seg.reduce((s, x) => s + x, 0) / seg.length;
      return seg.reduce((s, x) => s + (x - m) ** 2, 0) / sigma ** 2;
    };
    const total = (bs: number[]) => {
      const edges = [0, ...bs, xs.length];
      return edges.slice(1).reduce((s, b, i) => s + cost(edges[i] as number, b), 0) + 4 * bs.length;
    };
    const all = [[], [3], [4], [5], [6], [3, 6]];
    const best = Math.min(...all.map(total));
    assert.ok(total(cps) <= best + 1e-9, `seed ${seed}: ${JSON.stringify(cps)} costs ${total(cps)} > ${best}`);
  }
  assert.ok(penaltyFor(10) > penaltyFor(10, true), 'σ known (pooled) needs a smaller penalty');
});
