// Statistical tests against known values (reference values from SciPy 1.17 and textbooks).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import {
  benjaminiHochberg,
  geometricMean,
  mannWhitneyU,
  medianCI,
  modifiedZScores,
  OUTLIER_Z,
  seededRandom,
  signFlipTest,
  spearmanRho,
} from '../src/stats/index.ts';

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≈ ${b}`);

test('Mann-Whitney U exact (no ties)', () => {
  let r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
  assert.equal(r.statistic, 0);
  close(r.p, 0.1); // scipy.stats.mannwhitneyu(..., method='exact')
  assert.equal(r.method, 'mann-whitney exact');
  r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
  assert.equal(r.statistic, 17);
  close(r.p, 0.1111111111111111);
});

test('Mann-Whitney U normal approximation with ties and continuity correction', () => {
  let r = mannWhitneyU(
    [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3],
    [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29],
  );
  assert.equal(r.statistic, 58);
  close(r.p, 0.13291945818531892, 1e-6);
  r = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 6, 6, 7, 8, 9]);
  assert.equal(r.statistic, 7);
  close(r.p, 0.005580984136839312, 1e-6);
});

test('sign-flip test on paired differences: exact and seeded Monte Carlo', () => {
  const all = signFlipTest([0.1, 0.2, 0.3, 0.4, 0.5]);
  close(all.p, 2 / 32); // only the all-positive and all-negative patterns are as extreme
  assert.equal(signFlipTest([0, 0]).p, 1);
  const mixed = signFlipTest([0.1, -0.1, 0.2, -0.2]);
  assert.equal(mixed.p, 1);
  const many = Array.from({ length: 30 }, (_, i) => 0.05 + (i % 3) * 0.01);
  const mc = signFlipTest(many, 7);
  assert.equal(mc.method, 'sign-flip monte-carlo');
  assert.ok(mc.p < 0.001);
  assert.deepEqual(signFlipTest(many, 7), mc, 'seeded');
  const large = signFlipTest(
    Array.from({ length: 400 }, (_, i) => (i % 2 ? 1 : -1) * (1 + (i % 7))),
    1,
  );
  assert.equal(large.method, 'sign-flip normal');
  assert.ok(large.p > 0.3, 'balanced differences are not significant');
});

test('Benjamini-Hochberg q-values (R p.adjust(method="BH"))', () => {
  const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
  for (const [i, v] of [0.02, 0.04, 0.04, 0.02].entries()) close(q[i] as number, v);
  assert.deepEqual(benjaminiHochberg([]), []);
});

test('outliers are flagged by modified z-score, never dropped', () => {
  const xs = [10, 11, 10, 12, 11, 10, 11, 50];
  const z = modifiedZScores(xs);
  assert.equal(z.length, xs.length);
  assert.deepEqual(
    z.map((v) => Math.abs(v) > OUTLIER_Z),
    [false, false, false, false, false, false, false, true],
  );
});

test('distribution-free CI of the median, and the geometric mean of ratios', () => {
  const xs = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.deepEqual(medianCI(xs), [6, 15]); // ranks 6 and 15 of 20 give 95.9% coverage
  assert.equal(medianCI([1, 2, 3]), null);
  close(geometricMean([2, 8]) as number, 4);
});

test('median CI ranks stay right past n = 1023 (the binomial CDF in log space)', () => {
  const xs = Array.from({ length: 2000 }, (_, i) => i);
  assert.deepEqual(medianCI(xs), [955, 1044]); // 2 ** 2000 overflowed: [227, 1772] before
  assert.deepEqual(medianCI(Array.from({ length: 1024 }, (_, i) => i)), [480, 543]);
  assert.deepEqual(medianCI(Array.from({ length: 20 }, (_, i) => i + 1)), [6, 15], 'small n unchanged');
});

test('Spearman ρ averages ties: a constant series has no trend, two-valued noise rarely looks like one', () => {
  const rounds = Array.from({ length: 30 }, (_, i) => i);
  assert.equal(
    spearmanRho(
      rounds,
      rounds.map(() => 1000),
    ),
    0,
  );
  close(spearmanRho([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  close(spearmanRho([1, 2, 3, 4], [1, 1, 2, 2]), 0.894427190999916); // scipy.stats.spearmanr
  const random = seededRandom(7);
  let beyond = 0;
  for (let t = 0; t < 200; t++)
    if (
      Math.abs(
        spearmanRho(
          rounds,
          rounds.map(() => (random() < 0.5 ? 1000 : 1001)),
        ),
      ) > 0.5
    )
      beyond++;
  assert.ok(beyond <= 2, `${beyond} of 200 trials of {1000, 1001} noise passed |ρ| > 0.5`);
});

test('outliers when more than half the values are equal (MAD = 0): the mean absolute deviation takes over', () => {
  const xs = [100, 100, 100, 100, 100, 100, 100, 105, 5000];
  const flagged = modifiedZScores(xs).map((z) => Math.abs(z) > OUTLIER_Z);
  assert.deepEqual(flagged, [false, false, false, false, false, false, false, false, true]);
  assert.deepEqual(modifiedZScores([3, 3, 3]), [0, 0, 0], 'no spread at all: no outliers');
});

test('simple-statistics: the version the summaries were checked with, pinned, and its quantile definition', async () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  assert.equal(pkg.dependencies['simple-statistics'], '~7.12.1', 'older 7.x (7.8.8) define quantiles differently');
  const installed = JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'node_modules/simple-statistics/package.json'), 'utf8'),
  ) as { version: string };
  assert.match(installed.version, /^7\.12\./);
  const { quantileSorted } = await import('simple-statistics');
  // linear interpolation between order statistics (R type 7): what p5/p95/p99 in every summary mean
  close(quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 9.55);
  close(quantileSorted([1, 2, 3, 4], 0.75), 3.25);
});
