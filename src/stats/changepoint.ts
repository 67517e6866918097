/**
 * Change points in a short series (a host's runs, oldest first): the
 * segmentation minimising the sum of segment costs plus a penalty per change,
 * found by exact optimal partitioning (Jackson et al. 2005; no pruning — at
 * the sizes of a run history, O(n²) is nothing, and PELT's pruning is not
 * exact with a minimum segment length). The cost of a segment is a change in
 * mean of Gaussian data with one variance: its sum of squared deviations over
 * σ². σ is estimated robustly from the differences of neighbours (the MAD of
 * x[i+1] − x[i], over √2, so that the steps themselves barely move it), and
 * never below `sigmaFloor` (what each point's own CI says its noise is at
 * least). A segment has at least `minSegment` points (default 3: a step needs
 * three runs on each side before it is believed).
 *
 * σ of one short series is poorly known (9 differences at n = 10), so σ is
 * best pooled over a host's series (pooledSigma); the penalty is calibrated by
 * simulation for each case (penaltyFor): the modified BIC's 3·ln n with σ
 * from the series alone found a step in 16% of pure-noise series of 10 runs.
 */
interface ChangePointOptions {
  /** penalty per change point, in units of σ² (default: calibrated for n, see penaltyFor) */
  penalty?: number;
  /** fewest points in a segment (default 3) */
  minSegment?: number;
  /** σ is never taken below this (same units as the series) */
  sigmaFloor?: number;
  /**
   * σ pooled over a host's series (pooledSigma): σ is then the larger of it and
   * the series' own estimate, and the penalty the pooled one
   */
  pooledSigma?: number;
}

/**
 * Penalties (σ² units) at which pure Gaussian noise, σ estimated from the
 * series alone and minSegment 3, shows a step in ~2% of series of n points
 * (seeded simulation, 4 000 series per cell, `npm run perf:stats -- --calibrate`).
 * Between the listed n, interpolated; beyond 50, 3·ln n + 4.
 */
const SERIES_PENALTY: readonly (readonly [number, number])[] = [
  [6, 40],
  [8, 28],
  [10, 24],
  [12, 24],
  [15, 20],
  [20, 20],
  [30, 16],
  [50, 16],
];

/**
 * The default penalty for a series of n points. With σ pooled over a host's
 * series (`pooled`), σ is known well and max(10, 3·ln n) keeps false steps
 * under 2% at every n (0.5% at n = 10) while a 5σ step among 10 runs is found
 * in 97%; with σ from the series alone, the table above.
 */
export function penaltyFor(n: number, pooled = false): number {
  if (pooled) return Math.max(10, 3 * Math.log(n));
  const t = SERIES_PENALTY;
  const first = t[0] as readonly [number, number];
  const last = t[t.length - 1] as readonly [number, number];
  if (n <= first[0]) return first[1];
  if (n >= last[0]) return Math.max(last[1], 3 * Math.log(n) + 4);
  for (let i = 1; i < t.length; i++) {
    const [n1, p1] = t[i] as readonly [number, number];
    const [n0, p0] = t[i - 1] as readonly [number, number];
    if (n <= n1) return p0 + ((p1 - p0) * (n - n0)) / (n1 - n0);
  }
  return last[1];
}

/**
 * σ pooled over several series of one host (each series' own level removed
 * by differencing): the MAD of all their neighbour differences over √2. null
 * with fewer than 30 differences, where pooling says little more than one
 * series does.
 */
export function pooledSigma(series: readonly (readonly number[])[]): number | null {
  const d: number[] = [];
  for (const xs of series) for (let i = 1; i < xs.length; i++) d.push((xs[i] as number) - (xs[i - 1] as number));
  if (d.length < 30) return null;
  return madOver(d) / Math.SQRT2;
}

function madOver(d: readonly number[]): number {
  const med = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  };
  const c = med([...d]);
  return 1.4826 * med(d.map((x) => Math.abs(x - c)));
}

/** Indices where a new segment starts (ascending; never 0). */
export function changePoints(xs: readonly number[], o: ChangePointOptions = {}): number[] {
  const n = xs.length;
  const minSeg = Math.max(1, o.minSegment ?? 3);
  if (n < 2 * minSeg) return [];
  const sigma = Math.max(robustSigma(xs), o.pooledSigma ?? 0, o.sigmaFloor ?? 0);
  if (!(sigma > 0)) return levelsOnly(xs, minSeg);
  const beta = o.penalty ?? penaltyFor(n, o.pooledSigma !== undefined);
  const s1 = [0];
  const s2 = [0];
  for (const x of xs) {
    const z = x / sigma;
    s1.push((s1.at(-1) as number) + z);
    s2.push((s2.at(-1) as number) + z * z);
  }
  const cost = (a: number, b: number) => {
    const m = b - a;
    const sum = (s1[b] as number) - (s1[a] as number);
    return (s2[b] as number) - (s2[a] as number) - (sum * sum) / m;
  };
  const F: number[] = new Array(n + 1).fill(Infinity);
  const last: number[] = new Array(n + 1).fill(-1);
  F[0] = -beta;
  for (let t = minSeg; t <= n; t++) {
    // the last segment is [s, t): s = 0, or a start after a complete segment
    for (let s = 0; s <= t - minSeg; s++) {
      if (s !== 0 && s < minSeg) continue;
      const f = F[s] as number;
      if (!Number.isFinite(f)) continue;
      const v = f + cost(s, t) + beta;
      if (v < (F[t] as number)) {
        F[t] = v;
        last[t] = s;
      }
    }
  }
  const cps: number[] = [];
  for (let t = n; t > 0; t = last[t] as number) if ((last[t] as number) > 0) cps.push(last[t] as number);
  return cps.sort((a, b) => a - b);
}

/** The MAD of neighbour differences over √2: the noise of the series without its steps. */
export function robustSigma(xs: readonly number[]): number {
  const d = xs.slice(1).map((x, i) => x - (xs[i] as number));
  return d.length ? madOver(d) / Math.SQRT2 : 0;
}

/** A noiseless series (σ = 0): a change wherever the value changes and both sides are long enough. */
function levelsOnly(xs: readonly number[], minSeg: number): number[] {
  const out: number[] = [];
  let start = 0;
  for (let i = 1; i < xs.length; i++)
    if (xs[i] !== xs[i - 1] && i - start >= minSeg && xs.length - i >= minSeg) {
      out.push(i);
      start = i;
    }
  return out;
}
