import { seededRandom } from './random.ts';

/**
 * Complementary error function (Numerical Recipes' erfcc, Chebyshev fit,
 * relative error < 1.2e-7); simple-statistics' normal CDF is a 2-decimal table.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

interface TestResult {
  statistic: number;
  /** two-sided p-value */
  p: number;
  method: string;
}

/** Sample sizes up to which the Mann-Whitney U distribution is computed exactly (without ties). */
const MWU_EXACT_MAX = 30;
/** Pairs up to which the sign-flip test enumerates all 2^n sign patterns. */
const SIGNFLIP_EXACT_MAX = 16;
/** Random sign patterns beyond that (seeded). */
const SIGNFLIP_RESAMPLES = 4000;
/** Beyond this many pairs the sign-flip sum is normal enough (CLT): z = Σd / √Σd². */
const SIGNFLIP_NORMAL_MIN = 200;

/** Average ranks (1-based) of the pooled values, and the tie groups' sizes. */
function ranks(values: readonly number[]): { r: number[]; ties: number[] } {
  const idx = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  const ties: number[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (
      j + 1 < idx.length &&
      (idx[j + 1] as readonly [number, number])[0] === (idx[i] as readonly [number, number])[0]
    )
      j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[(idx[k] as readonly [number, number])[1]] = avg;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { r, ties };
}

/** Number of arrangements giving each U for sizes m, n (exact null distribution). */
function uCounts(m: number, n: number): number[] {
  // f[j][u] for the current i, rolled over i
  let prev: number[][] = Array.from({ length: n + 1 }, () => [1]);
  for (let i = 1; i <= m; i++) {
    const cur: number[][] = [];
    for (let j = 0; j <= n; j++) {
      const size = i * j + 1;
      const row = new Array<number>(size).fill(0);
      const a = prev[j] as number[];
      for (let u = 0; u < a.length; u++) row[u] = (row[u] as number) + (a[u] as number);
      if (j > 0) {
        const b = cur[j - 1] as number[];
        for (let u = 0; u < b.length; u++) row[u + i] = (row[u + i] as number) + (b[u] as number);
      }
      cur.push(row);
    }
    prev = cur;
  }
  return prev[n] as number[];
}

/**
 * Mann-Whitney U (Wilcoxon rank-sum), two-sided: exact for small samples
 * without ties, else the normal approximation with tie and continuity
 * correction. U is the count of pairs where x > y (ties count ½).
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): TestResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) return { statistic: NaN, p: 1, method: 'mann-whitney (empty)' };
  const { r, ties } = ranks([...x, ...y]);
  const rx = r.slice(0, m).reduce((a, b) => a + b, 0);
  const u = rx - (m * (m + 1)) / 2;
  if (ties.length === 0 && m <= MWU_EXACT_MAX && n <= MWU_EXACT_MAX) {
    const counts = uCounts(m, n);
    const total = counts.reduce((a, b) => a + b, 0);
    const lo = Math.min(u, m * n - u);
    let tail = 0;
    for (let k = 0; k <= lo; k++) tail += counts[k] as number;
    return { statistic: u, p: Math.min(1, (2 * tail) / total), method: 'mann-whitney exact' };
  }
  const mu = (m * n) / 2;
  const N = m + n;
  const tieTerm = ties.reduce((a, t) => a + (t ** 3 - t), 0);
  const sigma = Math.sqrt(((m * n) / 12) * (N + 1 - tieTerm / (N * (N - 1))));
  if (sigma === 0) return { statistic: u, p: 1, method: 'mann-whitney normal' };
  const z = (Math.abs(u - mu) - 0.5) / sigma;
  return { statistic: u, p: Math.min(1, 2 * normalSf(Math.max(0, z))), method: 'mann-whitney normal' };
}

/**
 * Paired sign-flip permutation test on differences (e.g. per-round log
 * ratios): H0 the differences are symmetric around 0. Exact for up to 16
 * pairs, a seeded Monte Carlo over sign patterns up to 200, the normal
 * approximation beyond. Statistic: |mean|.
 */
export function signFlipTest(diffs: readonly number[], seed = 1): TestResult {
  const d = diffs.filter((v) => v !== 0 && Number.isFinite(v));
  const n = d.length;
  if (n === 0) return { statistic: 0, p: 1, method: 'sign-flip (no differences)' };
  const observed = Math.abs(d.reduce((a, b) => a + b, 0));
  const eps = 1e-12 * Math.max(1, observed);
  let extreme = 0;
  let total = 0;
  if (n <= SIGNFLIP_EXACT_MAX) {
    for (let mask = 0; mask < 1 << n; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -(d[i] as number) : (d[i] as number);
      if (Math.abs(s) >= observed - eps) extreme++;
      total++;
    }
    return { statistic: observed / n, p: extreme / total, method: 'sign-flip exact' };
  }
  if (n > SIGNFLIP_NORMAL_MIN) {
    const z = observed / Math.sqrt(d.reduce((a, x) => a + x * x, 0));
    return { statistic: observed / n, p: Math.min(1, 2 * normalSf(z)), method: 'sign-flip normal' };
  }
  const random = seededRandom(seed);
  for (let k = 0; k < SIGNFLIP_RESAMPLES; k++) {
    let s = 0;
    // 32 random signs from each draw (mulberry32's output is a uniform 32-bit word)
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 31) === 0) bits = (random() * 4294967296) >>> 0;
      s += bits & (1 << (i & 31)) ? -(d[i] as number) : (d[i] as number);
    }
    if (Math.abs(s) >= observed - eps) extreme++;
    total++;
  }
  return { statistic: observed / n, p: (extreme + 1) / (total + 1), method: 'sign-flip monte-carlo' };
}

/** Benjamini-Hochberg adjusted p-values (q-values), in the input order. */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const q = new Array<number>(m);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const [p, i] = order[k] as readonly [number, number];
    running = Math.min(running, (p * m) / (k + 1));
    q[i] = Math.min(1, running);
  }
  return q;
}

/**
 * Modified z-scores (Iglewicz-Hoaglin, 0.6745 (x - median) / MAD); |z| > 3.5
 * flags an outlier. Where more than half the values are equal the MAD is 0
 * and says nothing of the rest: the mean absolute deviation takes its place,
 * scaled to match (z = (x - median) / (1.253314 · MeanAD), as SPSS and
 * Iglewicz-Hoaglin's follow-ups do). Only when every value is the median are
 * all scores 0.
 */
export function modifiedZScores(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const med = quantile(sorted, 0.5);
  const deviations = sorted.map((v) => Math.abs(v - med));
  const mad = quantile(
    [...deviations].sort((a, b) => a - b),
    0.5,
  );
  if (mad > 0) return values.map((v) => (0.6745 * (v - med)) / mad);
  const meanAd = deviations.reduce((a, d) => a + d, 0) / deviations.length;
  return values.map((v) => (meanAd === 0 ? 0 : (v - med) / (MEAN_AD_SCALE * meanAd)));
}

/** MeanAD of a normal sample is σ·√(2/π): 1.253314 · MeanAD estimates σ as 1.4826 · MAD does. */
const MEAN_AD_SCALE = 1.253314;

export const OUTLIER_Z = 3.5;

function quantile(sorted: readonly number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Distribution-free CI of the median from order statistics: the ranks whose
 * binomial(n, ½) coverage is at least `level`. null when n is too small (< 6).
 */
export function medianCI(values: readonly number[], level = 0.95): [number, number] | null {
  const n = values.length;
  if (n < 6) return null;
  const sorted = [...values].sort((a, b) => a - b);
  // P(X <= k) for X ~ Binomial(n, 1/2), from log C(n, k) - n log 2 so that no term overflows (2^n does past n = 1023)
  const cdf: number[] = [];
  const logHalfN = n * Math.LN2;
  let logC = 0;
  let acc = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    acc += Math.exp(logC - logHalfN);
    cdf.push(acc);
  }
  const alpha = 1 - level;
  let k = 0;
  while (k + 1 < n && (cdf[k + 1] as number) <= alpha / 2) k++;
  // ranks k+1 .. n-k (1-based) cover at least 1 - 2·P(X <= k)
  if ((cdf[k] as number) > alpha / 2) return null;
  return [sorted[k] as number, sorted[n - 1 - k] as number];
}

/**
 * Spearman's rank correlation: Pearson's r of the average ranks, so that ties
 * share a rank (a constant series has no order: ρ = 0, never ±1).
 */
export function spearmanRho(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  const rx = ranks(xs.slice(0, n)).r;
  const ry = ranks(ys.slice(0, n)).r;
  const mean = (n + 1) / 2;
  let num = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    const a = (rx[i] as number) - mean;
    const b = (ry[i] as number) - mean;
    num += a * b;
    dx += a * a;
    dy += b * b;
  }
  return dx > 0 && dy > 0 ? num / Math.sqrt(dx * dy) : 0;
}

/** Geometric mean of positive ratios (per-round ratios of interleaved variants). */
export function geometricMean(ratios: readonly number[]): number | null {
  const pos = ratios.filter((r) => r > 0 && Number.isFinite(r));
  if (pos.length === 0) return null;
  return Math.exp(pos.reduce((a, r) => a + Math.log(r), 0) / pos.length);
}
