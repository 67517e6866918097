import { MIN_VERDICT_SAMPLES } from './summary.ts';
import type { MetricSummary, ScenarioResult } from './types.ts';

// The figures a reader looks for first, computed once from the summaries
// (the same statistics as every table): what each namespace set and cgroup
// setting costs in absolute units and as a ratio, each with its 95% CI and a
// direction word. The findings, the terminal, the Markdown and the HTML all
// read them from here.

/**
 * What a difference means for a metric: time (lower is better), a rate (higher is better) or an amount (lower is
 * better).
 */
type MetricSense = 'time' | 'rate' | 'amount';
export function senseOf(metric: string): MetricSense {
  if (/PerSec$|Mbit/.test(metric)) return 'rate';
  if (/Bytes$|Kb$/.test(metric)) return 'amount';
  return 'time';
}

type Direction = 'slower' | 'faster' | 'more' | 'less' | 'no difference';

/**
 * The direction word of a ratio to the baseline: a difference only where the
 * 95% CI excludes 1 (no CI — fewer than 6 samples a side — no word at all).
 * Times: above 1 is slower; rates: above 1 is faster; amounts: more or less.
 */
export function directionOf(
  m: Pick<MetricSummary, 'ratioToBaseline' | 'ratioCI95'> | undefined,
  metric: string,
): Direction | null {
  if (!m || m.ratioToBaseline === null || !m.ratioCI95) return null;
  const [lo, hi] = m.ratioCI95;
  if (lo <= 1 && hi >= 1) return 'no difference';
  const up = lo > 1;
  switch (senseOf(metric)) {
    case 'rate':
      return up ? 'faster' : 'slower';
    case 'amount':
      return up ? 'more' : 'less';
    default:
      return up ? 'slower' : 'faster';
  }
}

/** A cost row: one variant against its baseline on one metric. */
export interface CostRow {
  scenario: string;
  variant: string;
  baseline: string;
  metric: string;
  /** "boot time", "run time", "throughput", "request/response p50" */
  what: string;
  n: number;
  baselineN: number;
  /** the baseline's median */
  base: number;
  /** this variant's median */
  value: number;
  /** value − base, in the metric's unit; its CI is the ratio's CI times the baseline's median */
  delta: number;
  deltaCI: [number, number] | null;
  ratio: number;
  ratioCI: [number, number] | null;
  direction: Direction | null;
}

/**
 * The metrics a scenario's cost rows cover, by kind: launch scenarios boot and run time, network throughput and
 * latency, interference run time.
 */
function costMetrics(sc: ScenarioResult): { metric: string; what: string }[] {
  const has = (m: string) => sc.summary.some((v) => v.metrics[m]);
  switch (sc.kind) {
    case 'launch':
      return [
        { metric: 'bootNs', what: 'boot time' },
        ...(has('workload.elapsedNs') ? [{ metric: 'workload.elapsedNs', what: 'run time' }] : []),
      ];
    case 'network':
      return [
        ...(has('workload.throughputMbitPerSec')
          ? [{ metric: 'workload.throughputMbitPerSec', what: 'throughput' }]
          : []),
        ...(has('workload.p50Ns') ? [{ metric: 'workload.p50Ns', what: 'request/response p50' }] : []),
      ];
    case 'interference':
      return [{ metric: 'workload.elapsedNs', what: 'victim run time' }];
    default:
      return [];
  }
}

/**
 * Every variant of a scenario against its baseline, on each cost metric it has; variants whose baseline the run lacks,
 * or with too few samples, are left out.
 */
export function costRows(sc: ScenarioResult): CostRow[] {
  const out: CostRow[] = [];
  const byId = new Map(sc.summary.map((v) => [v.variant, v]));
  for (const { metric, what } of costMetrics(sc)) {
    for (const v of sc.summary) {
      if (v.variant === v.baseline) continue;
      const m = v.metrics[metric];
      const b = byId.get(v.baseline)?.metrics[metric];
      if (!m || !b || m.ratioToBaseline === null || m.n < MIN_VERDICT_SAMPLES || b.n < MIN_VERDICT_SAMPLES) continue;
      const ci = m.ratioCI95 ?? null;
      out.push({
        scenario: sc.name,
        variant: v.variant,
        baseline: v.baseline,
        metric,
        what,
        n: m.n,
        baselineN: b.n,
        base: b.median,
        value: m.median,
        delta: m.median - b.median,
        deltaCI: ci ? [b.median * (ci[0] - 1), b.median * (ci[1] - 1)] : null,
        ratio: m.ratioToBaseline,
        ratioCI: ci,
        direction: directionOf(m, metric),
      });
    }
  }
  return out;
}
