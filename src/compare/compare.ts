import { MIN_VERDICT_SAMPLES, environmentDifferences, headlineMetric, isMeasured, type RunResults, type ScenarioResult } from '../results/index.ts';
import { median } from 'simple-statistics';
import { benjaminiHochberg, mannWhitneyU, ratioOfMediansCI } from '../stats/index.ts';
import { higherIsBetter } from '../results/index.ts';

export interface CompareOptions {
  /** An effect must lie beyond this (percent) in the worse direction, CI and all (default 6, the fewest for a median CI). */
  thresholdPct?: number;
  /** Per-metric thresholds (percent), e.g. { bootNs: 10 }. */
  thresholds?: Record<string, number>;
  /** False discovery rate for the Benjamini-Hochberg q-values (default 0.05). */
  alpha?: number;
  /** Only these metrics (default: the headline metrics both runs have). */
  metrics?: string[];
  /** Fewer samples than this on a side: the row is reported but never decides (default 6, the fewest for a median CI). */
  minSamples?: number;
  seed?: number;
}

export type Verdict = 'regression' | 'improvement' | '~' | 'inconsistent' | 'too few samples';

export interface CompareRow {
  scenario: string;
  variant: string;
  metric: string;
  higherIsBetter: boolean;
  baseline: { n: number; median: number };
  current: { n: number; median: number };
  /** current / baseline medians */
  ratio: number;
  ratioCI95: [number, number];
  p: number;
  q: number;
  thresholdPct: number;
  verdict: Verdict;
}

export interface CompareResult {
  rows: CompareRow[];
  regressions: CompareRow[];
  improvements: CompareRow[];
  /** environment differences, scenarios or variants only on one side */
  warnings: string[];
  /** 0: no regression, 1: a confirmed regression */
  exitCode: 0 | 1;
}

export const COMPARE_DEFAULTS = { thresholdPct: 5, alpha: 0.05, minSamples: MIN_VERDICT_SAMPLES } as const;

/** A regression whose CI lies beyond this many thresholds stands even where the other variants did not move. */
const FAR_BEYOND = 2;

function measured(sc: ScenarioResult, variant: string, metric: string): number[] {
  return sc.samples.flatMap((s) => (s.state === 'completed' && isMeasured(s) && s.variant === variant && Number.isFinite(s.metrics[metric]) ? [s.metrics[metric] as number] : []));
}

function metricsOf(sc: ScenarioResult): Set<string> {
  const out = new Set<string>();
  for (const s of sc.samples) if (s.state === 'completed') for (const k of Object.keys(s.metrics)) out.add(k);
  return out;
}

/**
 * Compares two runs metric by metric (benchstat-style): ratio of medians with
 * a bootstrap 95% CI, Mann-Whitney p, Benjamini-Hochberg q across everything
 * compared. A regression needs (1) q < alpha, (2) the CI entirely beyond the
 * threshold in the worse direction, (3) the same direction in at least half of
 * that metric's variants in the scenario — unless its own CI lies beyond twice
 * the threshold, which stands alone.
 */
export function compareRuns(baseline: RunResults, current: RunResults, opts: CompareOptions = {}): CompareResult {
  const thresholdPct = opts.thresholdPct ?? COMPARE_DEFAULTS.thresholdPct;
  const alpha = opts.alpha ?? COMPARE_DEFAULTS.alpha;
  const minSamples = opts.minSamples ?? COMPARE_DEFAULTS.minSamples;
  const warnings = environmentDifferences(baseline, current);
  const rows: CompareRow[] = [];
  for (const cur of current.scenarios) {
    const base = baseline.scenarios.find((s) => s.name === cur.name);
    if (!base) {
      warnings.push(`scenario ${cur.name} is only in the current run`);
      continue;
    }
    const baseMetrics = metricsOf(base);
    const curMetrics = metricsOf(cur);
    const wanted = (m: string) => (opts.metrics ? opts.metrics.includes(m) : headlineMetric(m));
    const metrics = [...curMetrics].filter((m) => baseMetrics.has(m) && wanted(m)).sort();
    // fewer comparisons than the baseline had: say which
    for (const m of [...baseMetrics].filter((x) => wanted(x) && !curMetrics.has(x)).sort()) warnings.push(`${cur.name}: metric ${m} is only in the baseline run`);
    for (const v of cur.variants) {
      if (!base.variants.some((b) => b.id === v.id)) {
        warnings.push(`${cur.name}/${v.id} is only in the current run`);
        continue;
      }
      for (const metric of metrics) {
        const x = measured(base, v.id, metric);
        const y = measured(cur, v.id, metric);
        if (x.length === 0 || y.length === 0) continue;
        const ci = ratioOfMediansCI(y, x, opts.seed ?? 1, 1000);
        if (!ci) continue;
        rows.push({
          scenario: cur.name,
          variant: v.id,
          metric,
          higherIsBetter: higherIsBetter(metric),
          baseline: { n: x.length, median: median(x) },
          current: { n: y.length, median: median(y) },
          ratio: ci.ratio,
          ratioCI95: [ci.low, ci.high],
          p: mannWhitneyU(y, x).p,
          q: 1,
          thresholdPct: opts.thresholds?.[metric] ?? thresholdPct,
          verdict: '~',
        });
      }
    }
    for (const b of base.variants) if (!cur.variants.some((v) => v.id === b.id)) warnings.push(`${cur.name}/${b.id} is only in the baseline run`);
  }
  for (const b of baseline.scenarios) if (!current.scenarios.some((s) => s.name === b.name)) warnings.push(`scenario ${b.name} is only in the baseline run`);

  const qs = benjaminiHochberg(rows.map((r) => r.p));
  rows.forEach((r, i) => {
    r.q = qs[i] as number;
    const t = r.thresholdPct / 100;
    const [lo, hi] = r.ratioCI95;
    const worse = r.higherIsBetter ? hi < 1 - t : lo > 1 + t;
    const better = r.higherIsBetter ? lo > 1 + t : hi < 1 - t;
    if (r.baseline.n < minSamples || r.current.n < minSamples) r.verdict = 'too few samples';
    else if (r.q < alpha && worse) r.verdict = 'regression';
    else if (r.q < alpha && better) r.verdict = 'improvement';
  });
  // consistency: a regression stands if the metric moved the same way in at least half of its variants
  // (a guard against one noisy variant among many), or if its own CI lies far beyond the threshold
  // (FAR_BEYOND × it): a real regression in one variant of many is never silenced
  for (const r of rows.filter((x) => x.verdict === 'regression')) {
    const group = rows.filter((x) => x.scenario === r.scenario && x.metric === r.metric);
    const sameWay = group.filter((x) => (r.higherIsBetter ? x.ratio < 1 : x.ratio > 1)).length;
    const t = (FAR_BEYOND * r.thresholdPct) / 100;
    const far = r.higherIsBetter ? r.ratioCI95[1] < 1 - t : r.ratioCI95[0] > 1 + t;
    if (sameWay * 2 < group.length && !far) r.verdict = 'inconsistent';
  }
  const regressions = rows.filter((r) => r.verdict === 'regression');
  return { rows, regressions, improvements: rows.filter((r) => r.verdict === 'improvement'), warnings, exitCode: regressions.length ? 1 : 0 };
}
