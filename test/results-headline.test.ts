// One headline metric per scenario: the warnings of the runner and of a
// rebuilt run are judged on the metric the report shows first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntheticRun } from '../src/compare/index.ts';
import { headline } from '../src/report/index.ts';
import { finalizeScenario, headlineOf } from '../src/results/index.ts';

test('a launch scenario whose workload reports its run time is judged, charted and tabled on that', () => {
  // the baseline's run time drifts with the round (its boot time does not): the drift warning must see it
  const run = syntheticRun(1, { variants: 3, n: 20, mu: 1e6, cv: 0.02, metric: 'workload.elapsedNs' });
  const sc = run.scenarios[0]!;
  for (const s of sc.samples)
    if (s.state === 'completed') {
      s.metrics.bootNs = 2e6;
      if (s.variant === 'v0') s.metrics['workload.elapsedNs'] = 1e6 * (1 + s.round / 10);
    }
  finalizeScenario(sc, {});
  assert.deepEqual(headlineOf(sc), { metric: 'workload.elapsedNs', label: 'workload run time' });
  assert.deepEqual(headline(sc), headlineOf(sc), 'the report shows what the warnings judge');
  assert.ok(
    sc.warnings?.some((w) => /drifts with round index .* on workload\.elapsedNs/.test(w)),
    sc.warnings?.join('\n'),
  );
  // without a run time, boot time
  const boot = syntheticRun(2, { variants: 2, n: 8, mu: 1e6, cv: 0.02 });
  assert.equal(headlineOf(boot.scenarios[0]!).metric, 'bootNs');
  assert.equal(headlineOf({ ...boot.scenarios[0]!, kind: 'freeze' }).metric, 'freezeNs');
});
