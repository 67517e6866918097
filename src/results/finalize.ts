import { carryOverOf, carryOverWarnings, loadWarnings } from './conditions.ts';
import { scenarioWarnings, summarize } from './summary.ts';
import type { ScenarioResult } from './types.ts';

/** The metric each kind's warnings (drift, spread, carry-over) are judged on. */
export const HEADLINE_METRIC: Record<ScenarioResult['kind'], string> = {
  launch: 'bootNs',
  freeze: 'freezeNs',
  network: 'workload.throughputMbitPerSec',
  density: 'launchesPerSec',
  isolation: 'bootNs',
  interference: 'workload.elapsedNs',
};

/** The median of a metric over the scenario's variants' medians (the scale a carry-over is judged against). */
function medianOf(sc: ScenarioResult, metric: string): number {
  const ms = sc.summary.flatMap((v) => (v.metrics[metric] ? [v.metrics[metric].median] : [])).sort((a, b) => a - b);
  return ms.length ? (ms[ms.length >> 1] as number) : 0;
}

/**
 * A scenario's statistics from its samples: the per-variant summary, the
 * carry-over table, and every warning (drift, a noisy host, too few
 * samples, carry-over beyond the smallest effect, disturbed rounds). The
 * runner calls it at each scenario's end, and a samples file read back gets
 * the same.
 */
export function finalizeScenario(sc: ScenarioResult, env: { stealFraction?: number; loadPerCore?: number }, retried = false): void {
  const metric = HEADLINE_METRIC[sc.kind];
  sc.summary = summarize(sc.samples, sc.variants.map((v) => ({ id: v.id, baseline: v.baseline ?? sc.baseline })));
  const carry = sc.kind === 'density' ? null : carryOverOf(sc.samples, metric, sc.summary);
  if (carry) sc.carryOver = carry;
  sc.warnings = [
    ...scenarioWarnings(sc.samples, sc.summary, sc.baseline, metric, env, sc.kind === 'density' ? 0 : undefined), // a density sample is a whole ramp of launches
    ...carryOverWarnings(carry, medianOf(sc, metric), sc.kind),
    ...loadWarnings(sc.load, retried),
  ];
}
