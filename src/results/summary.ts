import { describe, ratioOfMedians, ratioOfMediansCI } from '../stats/index.ts';
import type { MetricSummary, Sample, VariantSummary } from './types.ts';

/** Metrics whose ratio to the baseline gets a bootstrap 95% CI (the headline figures; the rest get the ratio alone). */
export function headlineMetric(metric: string): boolean {
  return metric === 'bootNs' || metric === 'totalNs' || metric === 'freezeNs' || metric === 'thawNs' || metric.startsWith('workload.');
}

/** Resamples for the CIs in a summary: plenty for a 95% interval, cheap enough for every run. */
const SUMMARY_RESAMPLES = 1000;

/**
 * Per-variant statistics of every metric over the measured (non-warm-up)
 * completed samples, with the ratio of medians against each variant's
 * baseline (and a seeded bootstrap 95% CI for the headline metrics).
 */
export function summarize(samples: readonly Sample[], variants: readonly { id: string; baseline: string }[]): VariantSummary[] {
  const measured = samples.filter((s) => !s.warmup);
  const valuesOf = (variant: string): Map<string, number[]> => {
    const byMetric = new Map<string, number[]>();
    for (const s of measured) {
      if (s.variant !== variant || s.state !== 'completed') continue;
      for (const [k, v] of Object.entries(s.metrics)) {
        if (!Number.isFinite(v)) continue;
        const list = byMetric.get(k) ?? [];
        list.push(v);
        byMetric.set(k, list);
      }
    }
    return byMetric;
  };
  const cache = new Map<string, Map<string, number[]>>();
  const values = (id: string) => {
    let v = cache.get(id);
    if (!v) cache.set(id, (v = valuesOf(id)));
    return v;
  };
  return variants.map(({ id: variant, baseline }) => {
    const own = measured.filter((s) => s.variant === variant);
    const metrics: Record<string, MetricSummary> = {};
    for (const [metric, vals] of values(variant)) {
      const d = describe(vals);
      if (!d) continue;
      const baseVals = variant === baseline ? [] : (values(baseline).get(metric) ?? []);
      const b = variant === baseline ? null : describe(baseVals);
      const ci = variant !== baseline && headlineMetric(metric) ? ratioOfMediansCI(vals, baseVals, 1, SUMMARY_RESAMPLES) : null;
      metrics[metric] = {
        ...d,
        ratioToBaseline: variant === baseline ? null : ratioOfMedians(d, b),
        ...(ci ? { ratioCI95: [ci.low, ci.high] as [number, number] } : {}),
      };
    }
    return {
      variant,
      baseline,
      completed: own.filter((s) => s.state === 'completed').length,
      errored: own.filter((s) => s.state === 'errored').length,
      skipped: own.filter((s) => s.state === 'skipped').length,
      metrics,
    };
  });
}
