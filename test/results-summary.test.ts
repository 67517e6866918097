import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatVs } from '../src/report/index.ts';
import { type Sample, summarize } from '../src/results/index.ts';
import { seededRandom } from '../src/stats/index.ts';

test('summary keeps warm-up and failures out of the statistics and computes ratios to the baseline', () => {
  const s = (variant: string, round: number, bootNs: number, extra: Partial<Sample> = {}): Sample =>
    ({
      scenario: 'x',
      variant,
      round,
      warmup: round === 0,
      seq: 0,
      state: 'completed',
      metrics: { bootNs },
      clonePath: 'clone3',
      cgroupMethod: 'none',
      ready: true,
      pid: 1,
      ...extra,
    }) as Sample;
  const samples: Sample[] = [
    s('bare', 0, 9999),
    s('bare', 1, 100),
    s('bare', 2, 110),
    s('bare', 3, 90),
    s('bare', 4, 100),
    s('bare', 5, 105),
    s('bare', 6, 95),
    s('all', 0, 9999),
    s('all', 1, 200),
    s('all', 2, 220),
    s('all', 3, 180),
    s('all', 4, 200),
    s('all', 5, 210),
    s('all', 6, 190),
    {
      scenario: 'x',
      variant: 'all',
      round: 7,
      warmup: false,
      seq: 9,
      state: 'errored',
      cause: 'timeout',
      reason: 'killed',
    },
  ];
  const [bare, all] = summarize(samples, [
    { id: 'bare', baseline: 'bare' },
    { id: 'all', baseline: 'bare' },
  ]);
  assert.equal(bare?.metrics.bootNs?.n, 6);
  assert.equal(bare?.metrics.bootNs?.median, 100);
  assert.equal(bare?.metrics.bootNs?.ratioToBaseline, null);
  assert.equal(all?.metrics.bootNs?.median, 200);
  assert.equal(all?.metrics.bootNs?.ratioToBaseline, 2);
  assert.equal(all?.errored, 1);
  assert.equal(all?.completed, 6);
  // below 6 a side there is no ratio and no CI: tables say "too few"
  const [, few] = summarize(
    samples.filter((x) => x.round < 4),
    [
      { id: 'bare', baseline: 'bare' },
      { id: 'all', baseline: 'bare' },
    ],
  );
  assert.equal(few?.metrics.bootNs?.ratioToBaseline, null);
  assert.equal(few?.metrics.bootNs?.ratioCI95, undefined);
  assert.equal(few?.metrics.bootNs?.tooFew, true);
  assert.equal(formatVs(few?.metrics.bootNs, false), 'too few (n=3)');
  assert.match(formatVs(all?.metrics.bootNs, false), /^2\.00× \[/);
});

test('summary: MAD, CV, p75, median CI, outliers flagged, paired per-round test and warnings', async () => {
  const { scenarioWarnings } = await import('../src/results/index.ts');
  const rnd = seededRandom(3);
  const samples: Sample[] = [];
  let seq = 0;
  for (let round = 0; round < 30; round++) {
    const drift = 100 + round * 5; // the baseline slows down round after round
    for (const [variant, mu] of [
      ['bare', drift],
      ['all', drift * 1.2],
    ] as const)
      samples.push({
        scenario: 'x',
        variant,
        round,
        warmup: false,
        seq: seq++,
        state: 'completed',
        metrics: { bootNs: mu * (1 + 0.01 * rnd()) + (variant === 'all' && round === 7 ? 10_000 : 0) },
        clonePath: 'clone3',
        cgroupMethod: 'none',
        ready: true,
        pid: 1,
      } as Sample);
  }
  const [bare, all] = summarize(samples, [
    { id: 'bare', baseline: 'bare' },
    { id: 'all', baseline: 'bare' },
  ]);
  const m = all?.metrics.bootNs;
  assert.ok(m && m.mad > 0 && m.cv > 0 && m.p75 >= m.median);
  assert.ok(m.medianCI95 && m.medianCI95[0] <= m.median && m.median <= m.medianCI95[1]);
  assert.equal(m.outliers, 1, 'the 10 ms sample is flagged, and still counted');
  assert.equal(m.n, 30);
  assert.ok(
    (m.perRoundRatio ?? 0) > 1.15,
    `per-round ratio ${m.perRoundRatio} (geometric mean: the outlier round pulls it up)`,
  );
  assert.ok((m.pPaired ?? 1) < 0.001, 'the paired test sees the 20% in every round');
  const w = scenarioWarnings(
    samples,
    [bare, all].filter((v): v is NonNullable<typeof v> => v !== undefined),
    'bare',
    'bootNs',
    { stealFraction: 0.05, loadPerCore: 2 },
  );
  assert.ok(
    w.some((x) => /drifts with round index/.test(x)),
    w.join('\n'),
  );
  assert.ok(w.some((x) => /steal time was 5\.0%/.test(x)));
  assert.ok(w.some((x) => /load average per core was 2\.00/.test(x)));
  const few = scenarioWarnings(
    samples.filter((s) => s.round < 4),
    summarize(
      samples.filter((s) => s.round < 4),
      [{ id: 'bare', baseline: 'bare' }],
    ),
    'bare',
    'bootNs',
    {},
  );
  assert.ok(few.some((x) => /fewer than 10 measured samples for bare/.test(x)));
});

test('drift warning: a constant baseline or two-valued noise is not a trend', async () => {
  const { scenarioWarnings } = await import('../src/results/index.ts');
  const make = (value: (round: number) => number): Sample[] =>
    Array.from(
      { length: 30 },
      (_, round) =>
        ({
          scenario: 'x',
          variant: 'bare',
          round,
          warmup: false,
          seq: round,
          state: 'completed',
          metrics: { bootNs: value(round) },
          clonePath: 'clone3',
          cgroupMethod: 'none',
          ready: true,
          pid: 1,
        }) as Sample,
    );
  const warns = (samples: Sample[]) =>
    scenarioWarnings(samples, summarize(samples, [{ id: 'bare', baseline: 'bare' }]), 'bare', 'bootNs', {}).filter(
      (w) => /drifts/.test(w),
    );
  assert.deepEqual(warns(make(() => 1000)), [], 'constant: ρ = 1.00 was warned before ties were averaged');
  const rnd = seededRandom(11);
  let warned = 0;
  for (let t = 0; t < 100; t++) if (warns(make(() => (rnd() < 0.5 ? 1000 : 1001))).length) warned++;
  assert.ok(warned <= 2, `{1000, 1001} noise warned in ${warned} of 100 runs`);
  assert.equal(warns(make((r) => 1000 + r)).length, 1, 'a real trend still warns');
});
