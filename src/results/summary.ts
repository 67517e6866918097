import { describe, ratioOfMedians } from '../stats/index.ts';
import type { MetricSummary, Sample, VariantSummary } from './types.ts';

/**
 * Per-variant statistics of every metric over the measured (non-warm-up)
 * completed samples, with the ratio of medians against each variant's baseline.
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
      const b = variant === baseline ? null : describe(values(baseline).get(metric) ?? []);
      metrics[metric] = { ...d, ratioToBaseline: variant === baseline ? null : ratioOfMedians(d, b) };
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
