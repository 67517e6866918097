import { median } from 'simple-statistics';
import { describe, geometricMean, ratioOfMedians, ratioOfMediansCI, signFlipTest, trendTest } from '../stats/index.ts';
import { listSome } from '../util/index.ts';
import type { MetricSummary, Sample, VariantSummary } from './types.ts';

/** Metrics whose ratio to the baseline gets a bootstrap 95% CI (the headline figures; the rest get the ratio alone). */
export function headlineMetric(metric: string): boolean {
  return (
    metric === 'bootNs' ||
    metric === 'totalNs' ||
    metric === 'freezeNs' ||
    metric === 'thawNs' ||
    metric === 'launchesPerSec' ||
    metric.startsWith('workload.')
  );
}

/**
 * Fewest measured samples on each side for a ratio, its CI or any verdict: the
 * distribution-free CI of a median needs 6. Below it tables say "too few".
 */
export const MIN_VERDICT_SAMPLES = 6;

/** Resamples for the CIs in a summary: plenty for a 95% interval, cheap enough for every run. */
const SUMMARY_RESAMPLES = 1000;

/**
 * Per-variant statistics of every metric over the measured (non-warm-up)
 * completed samples, with the ratio of medians against each variant's
 * baseline (and a seeded bootstrap 95% CI for the headline metrics).
 */
/**
 * Whether a sample counts in the statistics: not a warm-up, not a disturbed
 * round that was run again, not the lead-in of a back-to-back burst (it
 * follows another variant). The others are kept raw all the same.
 */
export function isMeasured(s: Sample): boolean {
  return !s.warmup && !s.superseded && s.conditions?.burst !== 0;
}

export function summarize(
  samples: readonly Sample[],
  variants: readonly { id: string; baseline: string }[],
): VariantSummary[] {
  const measured = samples.filter(isMeasured);
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
  /**
   * log(variant / baseline) per round where both have measured samples (their medians: a burst has several): the pairs
   * of an interleaved run
   */
  const perRoundLogRatios = (variant: string, baseline: string, metric: string): number[] => {
    const byRound = (id: string) => {
      const lists = new Map<number, number[]>();
      for (const s of measured)
        if (s.variant === id && s.state === 'completed' && (s.metrics[metric] ?? 0) > 0)
          lists.set(s.round, [...(lists.get(s.round) ?? []), s.metrics[metric] as number]);
      return new Map([...lists].map(([round, xs]) => [round, median(xs)] as const));
    };
    const a = byRound(variant);
    const b = byRound(baseline);
    return [...a].flatMap(([round, v]) => (b.has(round) ? [Math.log(v / (b.get(round) as number))] : []));
  };
  const cache = new Map<string, Map<string, number[]>>();
  const values = (id: string) => {
    let v = cache.get(id);
    if (!v) cache.set(id, (v = valuesOf(id)));
    return v;
  };
  const present = new Set(variants.map((v) => v.id));
  return variants.map(({ id: variant, baseline: named }) => {
    // a baseline the run does not have (a profile left it out; a freeze scenario has none): no ratio, not "too few"
    const baseline = present.has(named) ? named : variant;
    const own = measured.filter((s) => s.variant === variant);
    const metrics: Record<string, MetricSummary> = {};
    for (const [metric, vals] of values(variant)) {
      const d = describe(vals);
      if (!d) continue;
      const baseVals = variant === baseline ? [] : (values(baseline).get(metric) ?? []);
      const b = variant === baseline ? null : describe(baseVals);
      const tooFew =
        variant !== baseline && (vals.length < MIN_VERDICT_SAMPLES || baseVals.length < MIN_VERDICT_SAMPLES);
      const headline = variant !== baseline && !tooFew && headlineMetric(metric);
      const ci = headline ? ratioOfMediansCI(vals, baseVals, 1, SUMMARY_RESAMPLES) : null;
      const logRatios = headline ? perRoundLogRatios(variant, baseline, metric) : [];
      const perRound = logRatios.length ? geometricMean(logRatios.map(Math.exp)) : null;
      metrics[metric] = {
        ...d,
        ratioToBaseline: variant === baseline || tooFew ? null : ratioOfMedians(d, b),
        ...(variant !== baseline ? { baselineN: baseVals.length } : {}),
        ...(tooFew ? { tooFew: true as const } : {}),
        ...(ci ? { ratioCI95: [ci.low, ci.high] as [number, number] } : {}),
        ...(perRound !== null ? { perRoundRatio: perRound, pPaired: signFlipTest(logRatios).p } : {}),
      };
    }
    return {
      variant,
      baseline: named,
      completed: own.filter((s) => s.state === 'completed').length,
      errored: own.filter((s) => s.state === 'errored').length,
      skipped: own.filter((s) => s.state === 'skipped').length,
      metrics,
    };
  });
}

/** Minimum measured samples per variant for the statistics to mean much. */
const MIN_SAMPLES = 10;
/**
 * Drift of the baseline with round index is warned about when it is both
 * shown (a permutation p of Spearman's ρ below DRIFT_P) and large enough to
 * matter (the Theil–Sen slope over the run's span at least DRIFT_MIN_PCT of
 * the median). |ρ| > 0.5 alone fired on 15% of drift-free runs of 10 rounds.
 */
const DRIFT_P = 0.01;
const DRIFT_MIN_PCT = 2;
/** Steal time and load per core beyond which the machine was too busy to trust. */
const NOISY_STEAL = 0.02;
const NOISY_LOAD_PER_CORE = 1;

/** Warnings about a scenario's figures: baseline drift with round index, a noisy machine, too few samples. */
export function scenarioWarnings(
  samples: readonly Sample[],
  summary: readonly VariantSummary[],
  baseline: string,
  metric: string,
  env: { stealFraction?: number; loadPerCore?: number },
  minSamples = MIN_SAMPLES,
): string[] {
  const out: string[] = [];
  const base = samples.filter(
    (s) => s.variant === baseline && s.state === 'completed' && isMeasured(s) && Number.isFinite(s.metrics[metric]),
  );
  if (base.length >= Math.max(minSamples, 3)) {
    const rounds = base.map((s) => s.round);
    const values = base.map((s) => (s.state === 'completed' ? (s.metrics[metric] as number) : 0));
    const t = trendTest(rounds, values);
    const centre = median(values);
    const span = Math.max(...rounds) - Math.min(...rounds);
    const sizePct = centre !== 0 ? (100 * t.slope * span) / Math.abs(centre) : 0;
    if (t.p < DRIFT_P && Math.abs(sizePct) >= DRIFT_MIN_PCT)
      out.push(
        `the baseline ${baseline} drifts with round index (${sizePct >= 0 ? '+' : ''}${sizePct.toFixed(1)}% over the run by the Theil–Sen slope; Spearman ρ = ${t.rho.toFixed(2)}, permutation p ${t.p < 0.001 ? '< 0.001' : `= ${t.p.toFixed(3)}`}) on ${metric}: the machine changed during the run`,
      );
  }
  if ((env.stealFraction ?? 0) > NOISY_STEAL)
    out.push(
      `steal time was ${((env.stealFraction ?? 0) * 100).toFixed(1)}% of CPU time: a noisy host, trust small differences less`,
    );
  if ((env.loadPerCore ?? 0) > NOISY_LOAD_PER_CORE)
    out.push(
      `load average per core was ${(env.loadPerCore ?? 0).toFixed(2)} at the start: other work competed for the CPUs`,
    );
  const few = summary.filter((v) => v.completed > 0 && v.completed < minSamples).map((v) => v.variant);
  if (few.length)
    out.push(
      `fewer than ${minSamples} measured samples for ${few.length === summary.length && few.length > 12 ? `all ${few.length} variants` : listSome(few)}: CIs are wide and the median CI needs ≥ 6`,
    );
  return out;
}
