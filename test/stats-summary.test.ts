import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootBreakdown } from '../src/launcher/phases.ts';
import { summarize, type Sample } from '../src/results/index.ts';
import { formatVs } from '../src/report/index.ts';
import { seededRandom, shuffled } from '../src/stats/index.ts';
import { describe as describeSample, ratioOfMedians } from '../src/stats/index.ts';

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
  assert.deepEqual([...a].sort((x, y) => x - y), items);
  assert.notDeepEqual(a, items);
});

test('boot breakdown partitions request→ready, even when the child runs before clone returns', () => {
  const o = { request: 0, cloneStart: 10, cloneDone: 100, childStart: 60, mapsDone: 150, cgroupDone: 170, setupDone: 200, exec: 210, ready: 500, exit: 600 };
  const b = bootBreakdown(o);
  assert.equal(b.bootNs, 500);
  assert.equal(b.prepareNs + b.cloneNs + b.mapNs + b.cgroupNs + b.setupNs + b.execNs, 500);
  assert.deepEqual([b.prepareNs, b.cloneNs, b.mapNs, b.cgroupNs, b.setupNs, b.execNs, b.afterReadyNs], [10, 90, 50, 20, 30, 300, 100]);
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

test('summary keeps warm-up and failures out of the statistics and computes ratios to the baseline', () => {
  const s = (variant: string, round: number, bootNs: number, extra: Partial<Sample> = {}): Sample =>
    ({ scenario: 'x', variant, round, warmup: round === 0, seq: 0, state: 'completed', metrics: { bootNs }, clonePath: 'clone3', cgroupMethod: 'none', ready: true, pid: 1, ...extra }) as Sample;
  const samples: Sample[] = [
    s('bare', 0, 9999), s('bare', 1, 100), s('bare', 2, 110), s('bare', 3, 90), s('bare', 4, 100), s('bare', 5, 105), s('bare', 6, 95),
    s('all', 0, 9999), s('all', 1, 200), s('all', 2, 220), s('all', 3, 180), s('all', 4, 200), s('all', 5, 210), s('all', 6, 190),
    { scenario: 'x', variant: 'all', round: 7, warmup: false, seq: 9, state: 'errored', cause: 'timeout', reason: 'killed' },
  ];
  const [bare, all] = summarize(samples, [{ id: 'bare', baseline: 'bare' }, { id: 'all', baseline: 'bare' }]);
  assert.equal(bare?.metrics.bootNs?.n, 6);
  assert.equal(bare?.metrics.bootNs?.median, 100);
  assert.equal(bare?.metrics.bootNs?.ratioToBaseline, null);
  assert.equal(all?.metrics.bootNs?.median, 200);
  assert.equal(all?.metrics.bootNs?.ratioToBaseline, 2);
  assert.equal(all?.errored, 1);
  assert.equal(all?.completed, 6);
  // below 6 a side there is no ratio and no CI: tables say "too few"
  const [, few] = summarize(samples.filter((x) => x.round < 4), [{ id: 'bare', baseline: 'bare' }, { id: 'all', baseline: 'bare' }]);
  assert.equal(few?.metrics.bootNs?.ratioToBaseline, null);
  assert.equal(few?.metrics.bootNs?.ratioCI95, undefined);
  assert.equal(few?.metrics.bootNs?.tooFew, true);
  assert.equal(formatVs(few?.metrics.bootNs, false), 'too few (n=3)');
  assert.match(formatVs(all?.metrics.bootNs, false), /^2\.00× \[/);
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

test('summary: MAD, CV, p75, median CI, outliers flagged, paired per-round test and warnings', async () => {
  const { scenarioWarnings } = await import('../src/results/index.ts');
  const rnd = seededRandom(3);
  const samples: Sample[] = [];
  let seq = 0;
  for (let round = 0; round < 30; round++) {
    const drift = 100 + round * 5; // the baseline slows down round after round
    for (const [variant, mu] of [['bare', drift], ['all', drift * 1.2]] as const)
      samples.push({ scenario: 'x', variant, round, warmup: false, seq: seq++, state: 'completed', metrics: { bootNs: mu * (1 + 0.01 * rnd()) + (variant === 'all' && round === 7 ? 10_000 : 0) }, clonePath: 'clone3', cgroupMethod: 'none', ready: true, pid: 1 } as Sample);
  }
  const [bare, all] = summarize(samples, [{ id: 'bare', baseline: 'bare' }, { id: 'all', baseline: 'bare' }]);
  const m = all?.metrics.bootNs;
  assert.ok(m && m.mad > 0 && m.cv > 0 && m.p75 >= m.median);
  assert.ok(m.medianCI95 && m.medianCI95[0] <= m.median && m.median <= m.medianCI95[1]);
  assert.equal(m.outliers, 1, 'the 10 ms sample is flagged, and still counted');
  assert.equal(m.n, 30);
  assert.ok((m.perRoundRatio ?? 0) > 1.15, `per-round ratio ${m.perRoundRatio} (geometric mean: the outlier round pulls it up)`);
  assert.ok((m.pPaired ?? 1) < 0.001, 'the paired test sees the 20% in every round');
  const w = scenarioWarnings(samples, [bare, all].filter((v): v is NonNullable<typeof v> => v !== undefined), 'bare', 'bootNs', { stealFraction: 0.05, loadPerCore: 2 });
  assert.ok(w.some((x) => /drifts with round index/.test(x)), w.join('\n'));
  assert.ok(w.some((x) => /steal time was 5\.0%/.test(x)));
  assert.ok(w.some((x) => /load average per core was 2\.00/.test(x)));
  const few = scenarioWarnings(samples.filter((s) => s.round < 4), summarize(samples.filter((s) => s.round < 4), [{ id: 'bare', baseline: 'bare' }]), 'bare', 'bootNs', {});
  assert.ok(few.some((x) => /fewer than 10 measured samples for bare/.test(x)));
});

test('drift warning: a constant baseline or two-valued noise is not a trend', async () => {
  const { scenarioWarnings } = await import('../src/results/index.ts');
  const make = (value: (round: number) => number): Sample[] =>
    Array.from({ length: 30 }, (_, round) => ({ scenario: 'x', variant: 'bare', round, warmup: false, seq: round, state: 'completed', metrics: { bootNs: value(round) }, clonePath: 'clone3', cgroupMethod: 'none', ready: true, pid: 1 }) as Sample);
  const warns = (samples: Sample[]) => scenarioWarnings(samples, summarize(samples, [{ id: 'bare', baseline: 'bare' }]), 'bare', 'bootNs', {}).filter((w) => /drifts/.test(w));
  assert.deepEqual(warns(make(() => 1000)), [], 'constant: ρ = 1.00 was warned before ties were averaged');
  const rnd = seededRandom(11);
  let warned = 0;
  for (let t = 0; t < 100; t++) if (warns(make(() => (rnd() < 0.5 ? 1000 : 1001))).length) warned++;
  assert.ok(warned <= 2, `{1000, 1001} noise warned in ${warned} of 100 runs`);
  assert.equal(warns(make((r) => 1000 + r)).length, 1, 'a real trend still warns');
});
