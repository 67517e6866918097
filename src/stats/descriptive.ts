import { mean, medianAbsoluteDeviation, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { medianCI, modifiedZScores, OUTLIER_Z } from './tests.ts';

interface Descriptive {
  n: number;
  min: number;
  max: number;
  mean: number;
  /** sample standard deviation (n - 1); 0 when n < 2 */
  sd: number;
  median: number;
  /** distribution-free 95% CI of the median (order statistics); null when n < 6 */
  medianCI95: [number, number] | null;
  p5: number;
  p75: number;
  p95: number;
  p99: number;
  /** median absolute deviation */
  mad: number;
  /** coefficient of variation, sd / mean */
  cv: number;
  /** samples with a modified z-score beyond 3.5: flagged, never dropped */
  outliers: number;
}

/** Order statistics and moments of a sample; null for an empty one. */
export function describe(values: readonly number[]): Descriptive | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => quantileSorted(sorted, p);
  return {
    n: sorted.length,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    mean: mean(sorted),
    sd: sorted.length > 1 ? sampleStandardDeviation(sorted) : 0,
    median: q(0.5),
    medianCI95: medianCI(sorted),
    p5: q(0.05),
    p75: q(0.75),
    p95: q(0.95),
    p99: q(0.99),
    mad: medianAbsoluteDeviation(sorted),
    cv: sorted.length > 1 && mean(sorted) !== 0 ? sampleStandardDeviation(sorted) / mean(sorted) : 0,
    outliers: modifiedZScores(sorted).filter((z) => Math.abs(z) > OUTLIER_Z).length,
  };
}

/** Ratio of medians, the overhead of a variant against its baseline. */
export function ratioOfMedians(variant: Descriptive | null, baseline: Descriptive | null): number | null {
  if (!variant || !baseline || baseline.median === 0) return null;
  return variant.median / baseline.median;
}

/** Student's t at 97.5% for 1..30 degrees of freedom (beyond: the normal 1.96). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The mean with its 95% t interval: what a handful of replicates (density ramps) supports; null below 2. */
export function meanCI95(values: readonly number[]): { mean: number; low: number; high: number } | null {
  if (values.length < 2) return null;
  const m = mean(values);
  const half = (T975[values.length - 2] ?? 1.96) * (sampleStandardDeviation(values) / Math.sqrt(values.length));
  return { mean: m, low: m - half, high: m + half };
}
