// nsbench compare on synthetic results: no false alarms on A/A, flags real shifts, refuses bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareMarkdown, compareRuns, syntheticRun } from '../src/compare/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import type { RunResults } from '../src/results/index.ts';
import { seededRandom } from '../src/stats/index.ts';
import { tempDir } from './helpers/env.ts';

function synthetic(
  seed: number,
  o: { metrics: number; n: number; mu: number; cv: number; shift?: number; env?: Record<string, unknown> },
): RunResults {
  return syntheticRun(seed, {
    variants: o.metrics,
    n: o.n,
    mu: o.mu,
    cv: o.cv,
    ...(o.shift ? { shift: o.shift } : {}),
    ...(o.env ? { environment: o.env } : {}),
  });
}

test('A/A: no false alarm across 100 metrics in at least 99 of 100 seeded trials; as one run (no run term) BH holds alarms to ~5% of trials', () => {
  let alarms = 0;
  let sameRun = 0;
  for (let t = 0; t < 100; t++) {
    const a = synthetic(1000 + t, { metrics: 100, n: 30, mu: 1e6, cv: 0.05 });
    const b = synthetic(5000 + t, { metrics: 100, n: 30, mu: 1e6, cv: 0.05 });
    if (compareRuns(a, b).regressions.length) alarms++;
    if (compareRuns(a, b, { sameRun: true }).regressions.length) sameRun++;
  }
  assert.ok(alarms <= 1, `${alarms} trials raised a false alarm`);
  assert.ok(sameRun <= 8, `${sameRun} of 100 trials alarmed with no run-to-run term (BH at 0.05 over 100 metrics)`);
});

test('a 10% shift with 5% noise is flagged as a regression, exit 1; an improvement is not', () => {
  const a = synthetic(1, { metrics: 10, n: 30, mu: 1e6, cv: 0.05 });
  const slower = compareRuns(a, synthetic(2, { metrics: 10, n: 30, mu: 1e6, cv: 0.05, shift: 1.1 }), { runSdPct: 1 });
  assert.equal(slower.exitCode, 1);
  assert.ok(slower.regressions.length >= 8, `${slower.regressions.length} of 10 flagged`);
  for (const r of slower.regressions)
    assert.ok(r.ratio > 1.05 && r.ratioCI95[0] > 1 && r.q < 0.05 && r.runVariance === 'default');
  assert.match(slower.method, /one baseline run: a default run-to-run sd of 1\.0%/);
  assert.match(compareRuns(a, a).method, /one baseline run: a default run-to-run sd of 8\.0%/);
  assert.equal(
    compareRuns(a, synthetic(2, { metrics: 10, n: 30, mu: 1e6, cv: 0.05, shift: 1.1 })).regressions.length,
    0,
    'a 10% change is within what two runs on the build machine differ by (8% each)',
  );
  const faster = compareRuns(a, synthetic(3, { metrics: 10, n: 30, mu: 1e6, cv: 0.05, shift: 0.9 }), { runSdPct: 1 });
  assert.equal(faster.exitCode, 0);
  assert.ok(faster.improvements.length >= 8);
  assert.match(compareMarkdown(slower), /❌ regression/);
});

test('a shift below the threshold is not a regression even when significant', () => {
  const a = synthetic(11, { metrics: 5, n: 200, mu: 1e6, cv: 0.01 });
  // both sides as if interleaved in one run (no run-to-run term): a 2% shift at 1% noise is plainly significant
  const res = compareRuns(a, synthetic(12, { metrics: 5, n: 200, mu: 1e6, cv: 0.01, shift: 1.02 }), { sameRun: true });
  assert.ok(
    res.rows.every((r) => r.q < 0.05),
    'significant',
  );
  assert.equal(res.regressions.length, 0, 'but 2% is inside the 5% threshold');
  assert.equal(
    compareRuns(a, synthetic(12, { metrics: 5, n: 200, mu: 1e6, cv: 0.01, shift: 1.02 }), {
      thresholdPct: 1,
      sameRun: true,
    }).regressions.length,
    5,
  );
  // two separate runs: a 2% change is within what runs differ by (the default allowance), so not significant
  assert.equal(
    compareRuns(a, synthetic(12, { metrics: 5, n: 200, mu: 1e6, cv: 0.01, shift: 1.02 }), { thresholdPct: 1 })
      .regressions.length,
    0,
  );
});

test('mismatched environments are reported loudly', () => {
  const a = synthetic(1, { metrics: 2, n: 10, mu: 1e6, cv: 0.05 });
  const b = synthetic(2, {
    metrics: 2,
    n: 10,
    mu: 1e6,
    cv: 0.05,
    env: { kernel: { release: '6.8' }, cpu: { model: 'x', cores: 16 }, cgroups: { mode: 'v2' } },
  });
  const res = compareRuns(a, b);
  assert.ok(res.warnings.some((w) => /kernel "6\.1" vs "6\.8"/.test(w)));
  assert.ok(res.warnings.some((w) => /cores 2 vs 16/.test(w)));
});

test('CLI: exit 0 / 1 by verdict, 2 with one clear line for corrupt, truncated, foreign or missing files', () => {
  const dir = tempDir();
  const f = (name: string, content: string) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const base = f('a.json', JSON.stringify(synthetic(1, { metrics: 3, n: 20, mu: 1e6, cv: 0.05 })));
  const same = f('b.json', JSON.stringify(synthetic(2, { metrics: 3, n: 20, mu: 1e6, cv: 0.05 })));
  const worse = f('c.json', JSON.stringify(synthetic(3, { metrics: 3, n: 20, mu: 1e6, cv: 0.05, shift: 1.5 })));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), 'compare', ...args], {
      encoding: 'utf8',
      cwd: PROJECT_ROOT,
    });
  assert.equal(cli(base, same).status, 0);
  const md = join(dir, 'summary.md');
  const r = cli(base, worse, '--markdown', md);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /REGRESSION in 3 of 3 comparisons/);
  const bad: [string, RegExp][] = [
    [
      f('trunc.json', JSON.stringify(synthetic(1, { metrics: 1, n: 3, mu: 1, cv: 0.1 })).slice(0, 50)),
      /is not valid JSON \(corrupt or truncated\)/,
    ],
    [f('other.json', '{"schema":"hyperfine"}'), /is not an nsbench results file/],
    [
      f('v9.json', JSON.stringify({ ...synthetic(1, { metrics: 1, n: 3, mu: 1, cv: 0.1 }), schemaVersion: 9 })),
      /schema version 9, this nsbench reads 1/,
    ],
    [join(dir, 'missing.json'), /cannot read results file .*ENOENT/],
  ];
  for (const [file, re] of bad) {
    const e = cli(base, file);
    assert.equal(e.status, 2, e.stderr);
    const lines = e.stderr.trim().split('\n');
    assert.equal(lines.length, 1, e.stderr);
    assert.match(lines[0] as string, re);
  }
});

test('history: points per run keyed by host, CSV and an offline trend chart; exporters for dashboards', async () => {
  const { historyPoints, historyCsv, historyHtml, toBencherBmf, toGithubSmallerIsBetter } = await import(
    '../src/history/index.ts'
  );
  const { summarize } = await import('../src/results/index.ts');
  const runs = [1, 2, 3].map((i) => {
    const r = synthetic(i, { metrics: 2, n: 20, mu: 1e6 * (1 + i / 100), cv: 0.05 });
    r.startedAt = `2026-01-0${i}T00:00:00.000Z`;
    const sc = r.scenarios[0];
    if (sc)
      sc.summary = summarize(
        sc.samples,
        sc.variants.map((v) => ({ id: v.id, baseline: 'v0' })),
      );
    return r;
  });
  const points = historyPoints(runs.reverse());
  assert.equal(points.length, 6);
  assert.deepEqual(
    [...new Set(points.map((p) => p.startedAt))],
    ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'],
    'oldest first',
  );
  assert.match(
    historyCsv(points).split('\n')[0] as string,
    /^host,run_id,started_at,commit,scenario,variant,metric,median/,
  );
  const html = await historyHtml(points);
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, /<script/);
  const gh = toGithubSmallerIsBetter(runs[0] as RunResults);
  assert.ok(
    gh.length >= 2 && gh.every((e) => e.unit === 'us' && e.value > 0 && /^synthetic\/v\d bootNs$/.test(e.name)),
  );
  const bmf = toBencherBmf(runs[0] as RunResults);
  assert.ok((bmf['synthetic/v1']?.['boot-ns']?.value ?? 0) > 0);
  assert.ok(bmf['synthetic/v1']?.['boot-ns']?.lower_value !== undefined, 'the median CI travels as lower/upper values');
});

/** A run whose every value is multiplied by one factor: another boot, another day. */
function shifted(seed: number, runShift: number, o: { shiftOf?: Record<number, number> } = {}): RunResults {
  return syntheticRun(seed, {
    variants: 12,
    n: 30,
    mu: 1e6,
    cv: 0.05,
    shift: runShift,
    ...(o.shiftOf ? { shiftOf: o.shiftOf } : {}),
  });
}
const gauss = (rnd: () => number) => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());

test('a lone regression in one variant of 12 is never silenced: +10% caught with 3 baseline runs and with A/B in one run', () => {
  let caught3 = 0;
  let caughtAb = 0;
  const T = 60;
  for (let t = 0; t < T; t++) {
    const bases = [1, 2, 3].map((i) => shifted(300 + 10 * t + i, 1));
    const cur = shifted(300 + 10 * t, 1, { shiftOf: { 4: 1.1 } });
    const row = compareRuns(bases, cur).rows.find((r) => r.variant === 'v4');
    if (row?.verdict === 'regression') caught3++;
    assert.ok(
      !compareRuns(bases, cur).rows.some((r) => (r.verdict as string) === 'inconsistent'),
      'no verdict silences a variant',
    );
    const ab = compareRuns(shifted(900 + t, 1), shifted(1900 + t, 1, { shiftOf: { 4: 1.1 } }), { sameRun: true });
    if (ab.rows.find((r) => r.variant === 'v4')?.verdict === 'regression') caughtAb++;
  }
  assert.ok(caught3 / T >= 0.8, `3 baselines: caught in ${caught3} of ${T}`);
  assert.ok(caughtAb / T >= 0.9, `A/B: caught in ${caughtAb} of ${T}`);
});

test('run-to-run shifts of sd 2%: with 3 baseline runs at most ~5% of A/A comparisons alarm; without the run term far more do', () => {
  const rnd = seededRandom(77);
  let alarms = 0;
  let naive = 0;
  const T = 80;
  for (let t = 0; t < T; t++) {
    const bases = [1, 2, 3].map((i) => shifted(5000 + 10 * t + i, Math.exp(0.02 * gauss(rnd))));
    const cur = shifted(5000 + 10 * t, Math.exp(0.02 * gauss(rnd)));
    const res = compareRuns(bases, cur);
    if (res.regressions.length) alarms++;
    assert.equal(res.rows[0]?.runVariance, 'baseline-runs');
    assert.equal(res.rows[0]?.baseline.runs, 3);
    if (compareRuns(bases[0] as RunResults, cur, { sameRun: true }).regressions.length) naive++;
  }
  assert.ok(alarms / T <= 0.1, `${alarms} of ${T} A/A trials alarmed`);
  assert.ok(naive > alarms, `treating two runs as one (no run term): ${naive} alarms against ${alarms}`);
});

test('several baseline runs: the disagreement among them widens the interval; one baseline says it used the default', () => {
  const bases = [shifted(1, 1), shifted(2, 1.06), shifted(3, 0.95)];
  const cur = shifted(4, 1.08);
  const many = compareRuns(bases, cur);
  const one = compareRuns(bases[0] as RunResults, cur, { runSdPct: 0.5 });
  assert.match(many.method, /run-to-run variance estimated from 3 baseline runs/);
  assert.ok((many.rows[0]?.runSdPct ?? 0) > 3, `baselines 6% apart: run sd ${many.rows[0]?.runSdPct}%`);
  const width = (r: { ratioCI95: [number, number] } | undefined) => (r ? r.ratioCI95[1] - r.ratioCI95[0] : 0);
  assert.ok(width(many.rows[0]) > width(one.rows[0]), 'the prediction interval is wider than one run against one');
  assert.equal(many.regressions.length, 0, '+8% against baselines that disagree by ±5% is within what they disagree');
  assert.ok(
    one.regressions.length >= 10,
    `against one baseline with a 0.5% allowance the same +8% is a regression (${one.regressions.length} of 12)`,
  );
});

test('CLI: several baselines as files or a folder; the current file is left out of its own folder; --markdown onto an input is refused', () => {
  const dir = tempDir();
  const bdir = join(dir, 'baselines');
  mkdirSync(bdir);
  const write = (p: string, r: RunResults) => {
    writeFileSync(p, JSON.stringify(r));
    return p;
  };
  for (let i = 1; i <= 3; i++) write(join(bdir, `b${i}.json`), { ...shifted(10 + i, 1), runId: `b${i}` });
  writeFileSync(join(bdir, 'perf-stats.json'), '{"trials":1}');
  const cur = write(join(bdir, 'cur.json'), { ...shifted(20, 1.3), runId: 'cur' });
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), 'compare', ...args], {
      encoding: 'utf8',
      cwd: PROJECT_ROOT,
    });
  const r = cli(bdir, cur);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /3 runs\)/);
  assert.match(r.stdout, /how: run-to-run variance estimated from 3 baseline runs/);
  assert.match(r.stderr, /perf-stats\.json is not a run's results file: passed over/);
  const same = cli(join(bdir, 'b1.json'), join(bdir, 'b2.json'), join(bdir, 'b3.json'));
  assert.equal(same.status, 0, same.stderr);
  const twice = cli(join(bdir, 'b1.json'), join(bdir, 'b1.json'), cur);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /^error: run b1 is given twice .* — give each run once/);
  const onto = cli(join(bdir, 'b1.json'), cur, '--markdown', join(bdir, 'b1.json'));
  assert.equal(onto.status, 2);
  assert.match(
    onto.stderr,
    /^error: cannot write the Markdown table to .*b1\.json: it is one of the files read — write the Markdown table to a new file; nsbench never overwrites what it reads\n$/,
  );
  assert.equal(JSON.parse(readFileSync(join(bdir, 'b1.json'), 'utf8')).runId, 'b1', 'the input is untouched');
  const one = cli(cur);
  assert.equal(one.status, 2);
  assert.match(one.stderr, /^error: compare needs a baseline and a current results file/);
});
