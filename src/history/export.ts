import { headlineMetric, higherIsBetter, type RunResults } from '../results/index.ts';

function unitOf(metric: string): { unit: string; scale: number } {
  if (/Ns$/.test(metric)) return { unit: 'us', scale: 1e-3 };
  if (/MbitPerSec$/.test(metric)) return { unit: 'Mbit/s', scale: 1 };
  if (/PerSec$/.test(metric)) return { unit: '1/s', scale: 1 };
  return { unit: '', scale: 1 };
}

interface Point {
  name: string;
  metric: string;
  median: number;
  ci: [number, number] | null;
}

function points(run: RunResults): Point[] {
  const out: Point[] = [];
  for (const sc of run.scenarios)
    for (const v of sc.summary)
      for (const [metric, m] of Object.entries(v.metrics))
        if (headlineMetric(metric))
          out.push({ name: `${sc.name}/${v.variant}`, metric, median: m.median, ci: m.medianCI95 ?? null });
  return out;
}

/**
 * github-action-benchmark's "customSmallerIsBetter" format: the run's
 * smaller-is-better headline metrics (times), median in µs with the 95% CI of
 * the median as the range.
 */
export function toGithubSmallerIsBetter(
  run: RunResults,
): { name: string; unit: string; value: number; range?: string; extra?: string }[] {
  return points(run)
    .filter((p) => !higherIsBetter(p.metric))
    .map((p) => {
      const { unit, scale } = unitOf(p.metric);
      const value = Number((p.median * scale).toFixed(3));
      return {
        name: `${p.name} ${p.metric}`,
        unit,
        value,
        ...(p.ci ? { range: `${(p.ci[0] * scale).toFixed(3)}..${(p.ci[1] * scale).toFixed(3)}` } : {}),
        extra: `run ${run.runId}`,
      };
    });
}

/** Bencher Metric Format: { benchmark: { measure: { value, lower_value, upper_value } } }. */
export function toBencherBmf(
  run: RunResults,
): Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>> {
  const out: Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>> = {};
  for (const p of points(run)) {
    const measure = p.metric
      .replace(/^workload\./, '')
      .replace(/([A-Z])/g, '-$1')
      .toLowerCase();
    (out[p.name] ??= {})[measure] = {
      value: p.median,
      ...(p.ci ? { lower_value: p.ci[0], upper_value: p.ci[1] } : {}),
    };
  }
  return out;
}
