// `nsbench history` finds steps in each headline metric across the runs of one host, marks them, lists them,
// and `--fail-on-step` fails a CI job whose newest runs are a step for the worse.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { syntheticRun } from '../src/compare/index.ts';
import { historyPoints, historySteps } from '../src/history/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { finalizeScenario } from '../src/results/index.ts';
import { tempDir } from './helpers/env.ts';

/** Ten runs a day apart; from run `stepAt` on, variant v1 boots `factor` times slower. */
function runs(stepAt: number, factor: number) {
  return Array.from({ length: 10 }, (_, i) => {
    const r = syntheticRun(100 + i, {
      variants: 3,
      n: 30,
      mu: 1e6,
      cv: 0.03,
      shiftOf: i >= stepAt ? { 1: factor } : {},
    });
    for (const sc of r.scenarios) finalizeScenario(sc, {});
    return {
      ...r,
      runId: `run-${i}`,
      startedAt: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(),
      tool: { ...r.tool, commit: `c${i}`.padEnd(40, '0') },
    };
  });
}

test('a 20% step in one variant is found at its first run, for the worse; the steady variants have none', () => {
  const steps = historySteps(historyPoints(runs(6, 1.2)));
  assert.equal(steps.length, 1, JSON.stringify(steps));
  const s = steps[0];
  assert.equal(s?.variant, 'v1');
  assert.equal(s?.runId, 'run-6');
  assert.ok(s && Math.abs(s.ratio - 1.2) < 0.03 && s.worse && s.latest);
});

test('history marks and lists the step; --fail-on-step exits 1 on a step for the worse to the newest run, 0 without one', () => {
  const dir = tempDir('nsb-test-history-');
  const write = (rs: ReturnType<typeof runs>, sub: string) =>
    rs.map((r) => {
      const f = join(dir, `${sub}-${r.runId}.json`);
      writeFileSync(f, JSON.stringify(r));
      return f;
    });
  const nsbench = (args: string[]) =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), ...args], {
      encoding: 'utf8',
      timeout: 120_000,
    });
  const stepped = write(runs(6, 1.2), 'a');
  const r = nsbench(['history', ...stepped, '-o', join(dir, 'out-a'), '--fail-on-step']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stdout,
    /^step: synthetic\/v1 bootNs \+\d+\.\d% from run run-6 \(c6000000\d*\), worse, to the newest run/m,
  );
  assert.match(r.stderr, /1 step\(s\) for the worse beyond 5% reach the newest run: synthetic\/v1/);
  const html = readFileSync(join(dir, 'out-a', 'history.html'), 'utf8');
  assert.match(html, /<td>v1<\/td><td>run-6/);
  assert.match(html, /stroke-dasharray/, 'the step is marked on the chart');
  assert.equal(
    nsbench(['history', ...stepped, '-o', join(dir, 'out-b'), '--fail-on-step', '30']).status,
    0,
    'a 20% step is within a 30% threshold',
  );
  const steady = write(runs(99, 1), 'c');
  const s = nsbench(['history', ...steady, '-o', join(dir, 'out-c'), '--fail-on-step']);
  assert.equal(s.status, 0, s.stderr);
  assert.doesNotMatch(s.stdout, /^step:/m);
});

test('--fail-on-step with too few runs to judge says so and exits 2 (a gate that judged nothing does not pass)', () => {
  const dir = tempDir('nsb-test-history-');
  const files = runs(99, 1)
    .slice(0, 3)
    .map((r) => {
      const f = join(dir, `${r.runId}.json`);
      writeFileSync(f, JSON.stringify(r));
      return f;
    });
  const nsbench = (args: string[]) =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), ...args], {
      encoding: 'utf8',
      timeout: 120_000,
    });
  const r = nsbench(['history', ...files, '-o', join(dir, 'out'), '--fail-on-step']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /^error: --fail-on-step: nothing to judge — none of the 3 series has 6 runs of one host .* — give at least 6 results files of the same host\n$/,
  );
  const plain = nsbench(['history', ...files, '-o', join(dir, 'out2')]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /0 of 3 series judged for steps/);
});
