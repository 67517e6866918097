import { quantileSorted } from 'simple-statistics';
import { seededRandom } from './random.ts';

/** Resamples kept for a bootstrap CI: enough for stable 2.5/97.5 percentiles. */
const BOOTSTRAP_RESAMPLES = 2000;

function median(sorted: number[]): number {
  return quantileSorted(sorted, 0.5);
}

/**
 * Median of a resample (with replacement) of `sorted`, in O(n): draw indices,
 * count them, and walk the counts to the middle ranks — the k-th smallest value
 * of the resample is sorted[k-th smallest index] because `sorted` is sorted.
 */
function resampleMedian(sorted: readonly number[], random: () => number, counts: Uint32Array): number {
  const n = sorted.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(random() * n);
    counts[k] = (counts[k] as number) + 1;
  }
  const lo = (n - 1) >> 1;
  const hi = n >> 1;
  let seen = 0;
  let loValue = NaN;
  for (let i = 0; i < n; i++) {
    seen += counts[i] as number;
    if (Number.isNaN(loValue) && seen > lo) loValue = sorted[i] as number;
    if (seen > hi) return (loValue + (sorted[i] as number)) / 2;
  }
  return loValue;
}

interface RatioCI {
  ratio: number;
  low: number;
  high: number;
}

/**
 * Ratio of medians (variant / baseline) with a seeded percentile-bootstrap 95%
 * CI: both samples are resampled independently, B times.
 */
export function ratioOfMediansCI(
  variant: readonly number[],
  baseline: readonly number[],
  seed = 1,
  resamples = BOOTSTRAP_RESAMPLES,
): RatioCI | null {
  if (variant.length === 0 || baseline.length === 0) return null;
  const sv = [...variant].sort((a, b) => a - b);
  const sb = [...baseline].sort((a, b) => a - b);
  const base = median(sb);
  if (base === 0) return null;
  const random = seededRandom(seed);
  const ratios: number[] = [];
  const cv = new Uint32Array(sv.length);
  const cb = new Uint32Array(sb.length);
  for (let i = 0; i < resamples; i++) {
    const b = resampleMedian(sb, random, cb);
    if (b !== 0) ratios.push(resampleMedian(sv, random, cv) / b);
  }
  ratios.sort((a, b) => a - b);
  return { ratio: median(sv) / base, low: quantileSorted(ratios, 0.025), high: quantileSorted(ratios, 0.975) };
}

/** Seeded percentile-bootstrap 95% CI of a median; null for an empty sample. */
export function medianBootstrapCI(
  values: readonly number[],
  seed = 1,
  resamples = BOOTSTRAP_RESAMPLES,
): [number, number] | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const random = seededRandom(seed);
  const counts = new Uint32Array(sorted.length);
  const medians: number[] = [];
  for (let i = 0; i < resamples; i++) medians.push(resampleMedian(sorted, random, counts));
  medians.sort((a, b) => a - b);
  return [quantileSorted(medians, 0.025), quantileSorted(medians, 0.975)];
}

/**
 * Seeded bootstrap variance of the log of a sample's median (positive
 * values): how much the median of one run would move were the run repeated
 * under the same conditions. null below 2 values or for a non-positive median.
 */
export function logMedianVariance(values: readonly number[], seed = 1, resamples = 500): number | null {
  if (values.length < 2) return null;
  const sorted = [...values].sort((a, b) => a - b);
  if (!(median(sorted) > 0)) return null;
  const random = seededRandom(seed);
  const counts = new Uint32Array(sorted.length);
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let i = 0; i < resamples; i++) {
    const m = resampleMedian(sorted, random, counts);
    if (!(m > 0)) continue;
    const l = Math.log(m);
    sum += l;
    sum2 += l * l;
    n++;
  }
  if (n < 2) return null;
  return Math.max(0, (sum2 - (sum * sum) / n) / (n - 1));
}
