// nsbench compare on synthetic results: no false alarms on A/A, flags real shifts, refuses bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareMarkdown, compareRuns, syntheticRun } from '../src/compare/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import type { RunResults } from '../src/results/index.ts';
import { tempDir } from './helpers/env.ts';

function synthetic(seed: number, o: { metrics: number; n: number; mu: number; cv: number; shift?: number; env?: Record<string, unknown> }): RunResults {
  return syntheticRun(seed, { variants: o.metrics, n: o.n, mu: o.mu, cv: o.cv, ...(o.shift ? { shift: o.shift } : {}), ...(o.env ? { environment: o.env } : {}) });
}

test('A/A: no false alarm across 100 metrics in at least 99 of 100 seeded trials', () => {
  let alarms = 0;
  for (let t = 0; t < 100; t++) {
    const a = synthetic(1000 + t, { metrics: 100, n: 30, mu: 1e6, cv: 0.05 });
    const b = synthetic(5000 + t, { metrics: 100, n: 30, mu: 1e6, cv: 0.05 });
    if (compareRuns(a, b).regressions.length) alarms++;
  }
  assert.ok(alarms <= 1, `${alarms} trials raised a false alarm`);
});

test('a 10% shift with 5% noise is flagged as a regression, exit 1; an improvement is not', () => {
  const a = synthetic(1, { metrics: 10, n: 30, mu: 1e6, cv: 0.05 });
  const slower = compareRuns(a, synthetic(2, { metrics: 10, n: 30, mu: 1e6, cv: 0.05, shift: 1.1 }));
  assert.equal(slower.exitCode, 1);
  assert.ok(slower.regressions.length >= 8, `${slower.regressions.length} of 10 flagged`);
  for (const r of slower.regressions) assert.ok(r.ratioCI95[0] > 1.05 && r.q < 0.05);
  const faster = compareRuns(a, synthetic(3, { metrics: 10, n: 30, mu: 1e6, cv: 0.05, shift: 0.9 }));
  assert.equal(faster.exitCode, 0);
  assert.ok(faster.improvements.length >= 8);
  assert.match(compareMarkdown(slower), /❌ regression/);
});

test('a shift below the threshold is not a regression even when significant', () => {
  const a = synthetic(11, { metrics: 5, n: 200, mu: 1e6, cv: 0.01 });
  const res = compareRuns(a, synthetic(12, { metrics: 5, n: 200, mu: 1e6, cv: 0.01, shift: 1.02 }));
  assert.ok(res.rows.every((r) => r.q < 0.05), 'significant');
  assert.equal(res.regressions.length, 0, 'but 2% is inside the 5% threshold');
  assert.equal(compareRuns(a, synthetic(12, { metrics: 5, n: 200, mu: 1e6, cv: 0.01, shift: 1.02 }), { thresholdPct: 1 }).regressions.length, 5);
});

test('mismatched environments are reported loudly', () => {
  const a = synthetic(1, { metrics: 2, n: 10, mu: 1e6, cv: 0.05 });
  const b = synthetic(2, { metrics: 2, n: 10, mu: 1e6, cv: 0.05, env: { kernel: { release: '6.8' }, cpu: { model: 'x', cores: 16 }, cgroups: { mode: 'v2' } } });
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
  const worse = f('c.json', JSON.stringify(synthetic(3, { metrics: 3, n: 20, mu: 1e6, cv: 0.05, shift: 1.2 })));
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), 'compare', ...args], { encoding: 'utf8', cwd: PROJECT_ROOT });
  assert.equal(cli(base, same).status, 0);
  const md = join(dir, 'summary.md');
  const r = cli(base, worse, '--markdown', md);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /REGRESSION in 3 of 3 comparisons/);
  const bad: [string, RegExp][] = [
    [f('trunc.json', JSON.stringify(synthetic(1, { metrics: 1, n: 3, mu: 1, cv: 0.1 })).slice(0, 50)), /is not valid JSON \(corrupt or truncated\)/],
    [f('other.json', '{"schema":"hyperfine"}'), /is not an nsbench results file/],
    [f('v9.json', JSON.stringify({ ...synthetic(1, { metrics: 1, n: 3, mu: 1, cv: 0.1 }), schemaVersion: 9 })), /schema version 9, this nsbench reads 1/],
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
  const { historyPoints, historyCsv, historyHtml, toBencherBmf, toGithubSmallerIsBetter } = await import('../src/history/index.ts');
  const { summarize } = await import('../src/results/index.ts');
  const runs = [1, 2, 3].map((i) => {
    const r = synthetic(i, { metrics: 2, n: 20, mu: 1e6 * (1 + i / 100), cv: 0.05 });
    r.startedAt = `2026-01-0${i}T00:00:00.000Z`;
    const sc = r.scenarios[0];
    if (sc) sc.summary = summarize(sc.samples, sc.variants.map((v) => ({ id: v.id, baseline: 'v0' })));
    return r;
  });
  const points = historyPoints(runs.reverse());
  assert.equal(points.length, 6);
  assert.deepEqual([...new Set(points.map((p) => p.startedAt))], ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'], 'oldest first');
  assert.match(historyCsv(points).split('\n')[0] as string, /^host,run_id,started_at,commit,scenario,variant,metric,median/);
  const html = await historyHtml(points);
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, /<script/);
  const gh = toGithubSmallerIsBetter(runs[0] as RunResults);
  assert.ok(gh.length >= 2 && gh.every((e) => e.unit === 'us' && e.value > 0 && /^synthetic\/v\d bootNs$/.test(e.name)));
  const bmf = toBencherBmf(runs[0] as RunResults);
  assert.ok((bmf['synthetic/v1']?.['boot-ns']?.value ?? 0) > 0);
  assert.ok(bmf['synthetic/v1']?.['boot-ns']?.lower_value !== undefined, 'the median CI travels as lower/upper values');
});

test('a real regression in one variant of 12 is never silenced by the consistency guard', () => {
  let caught = 0;
  let silenced = 0;
  for (let t = 0; t < 50; t++) {
    const a = syntheticRun(300 + t, { variants: 12, n: 30, mu: 1e6, cv: 0.05 });
    const b = syntheticRun(700 + t, { variants: 12, n: 30, mu: 1e6, cv: 0.05, shiftOf: { 4: 1.2 } });
    const row = compareRuns(a, b).rows.find((r) => r.variant === 'v4');
    if (row?.verdict === 'regression') caught++;
    if (row?.verdict === 'inconsistent') silenced++;
  }
  assert.equal(silenced, 0, 'a +20% change with its CI far beyond the 5% threshold stands alone');
  assert.ok(caught >= 48, `caught in ${caught} of 50 trials`);
});
