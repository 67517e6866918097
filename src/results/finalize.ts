import { carryOverOf, carryOverWarnings, loadWarnings } from './conditions.ts';
import { precisionOf } from './findings.ts';
import { isMeasured, scenarioWarnings, summarize } from './summary.ts';
import type { ScenarioResult } from './types.ts';

/**
 * The headline metric of a scenario, and its label: what its tables, charts
 * and history show first, and what its warnings (drift, spread, carry-over)
 * are judged on — one definition for the runner, a rebuilt run and the
 * reports. A launch scenario whose workload reports its own run time is
 * judged on that, else on boot time.
 */
export function headlineOf(sc: Pick<ScenarioResult, 'kind' | 'samples'>): { metric: string; label: string } {
  switch (sc.kind) {
    case 'freeze':
      return { metric: 'freezeNs', label: 'freeze latency' };
    case 'network':
      return { metric: 'workload.throughputMbitPerSec', label: 'throughput (Mbit/s)' };
    case 'density':
      return { metric: 'launchesPerSec', label: 'launches/s' };
    case 'interference':
      return { metric: 'workload.elapsedNs', label: 'workload run time' };
    case 'scaling':
      return { metric: 'launchesPerSec', label: 'launches/s (create + destroy)' };
    default:
      return sc.samples.some((s) => s.state === 'completed' && s.metrics['workload.elapsedNs'] !== undefined)
        ? { metric: 'workload.elapsedNs', label: 'workload run time' }
        : { metric: 'bootNs', label: 'boot time' };
  }
}

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
export function finalizeScenario(
  sc: ScenarioResult,
  env: { stealFraction?: number; loadPerCore?: number },
  retried = false,
): void {
  const { metric } = headlineOf(sc);
  sc.summary = summarize(
    sc.samples,
    sc.variants.map((v) => ({ id: v.id, baseline: v.baseline ?? sc.baseline })),
  );
  const measured = sc.samples.filter((s) => isMeasured(s));
  sc.precision = precisionOf(
    measured,
    sc.variants.map((v) => v.id),
    metric,
  ).filter((p) => p.n > 0);
  const carry = sc.kind === 'density' ? null : carryOverOf(sc.samples, metric, sc.summary);
  if (carry) sc.carryOver = carry;
  sc.warnings = [
    ...scenarioWarnings(
      sc.samples,
      sc.summary,
      sc.baseline,
      metric,
      env,
      sc.kind === 'density' || sc.kind === 'isolation' ? 0 : undefined,
    ), // a density sample is a whole ramp of launches; an isolation cell a verdict, not an estimate
    ...carryOverWarnings(carry, medianOf(sc, metric), sc.kind),
    ...loadWarnings(sc.load, retried),
  ];
}
