import { median } from 'simple-statistics';
import { medianBootstrapCI } from './bootstrap.ts';
import { seededRandom } from './random.ts';

/** A measured value, its variant, and the variant launched just before it. */
interface Successor {
  variant: string;
  prev: string;
  value: number;
}

interface CarryOverEstimate {
  /** per predecessor: median of (value − its variant's median) over everything that followed it */
  predecessors: { prev: string; n: number; shift: number; ci: [number, number] | null }[];
  /** per predecessor × variant: median of the variant's values after it, minus the variant's median */
  cells: { prev: string; variant: string; n: number; shift: number; ci: [number, number] | null }[];
}

/**
 * Carry-over: how much the previous launch shifts the next one. With
 * variants in a fresh random order every round, each predecessor is followed
 * by a mix of variants, so subtracting each value's own variant median leaves
 * what the predecessor added (a one-way fixed-effects model fitted with
 * medians). Bootstrap 95% CIs from `minN` values on; below that, no CI.
 */
export function carryOverEstimate(
  values: readonly Successor[],
  opts: { seed?: number; resamples?: number; minN?: number } = {},
): CarryOverEstimate {
  const minN = opts.minN ?? 6;
  const resamples = opts.resamples ?? 1000;
  const byVariant = new Map<string, number[]>();
  for (const v of values) byVariant.set(v.variant, [...(byVariant.get(v.variant) ?? []), v.value]);
  const centre = new Map([...byVariant].map(([k, xs]) => [k, median(xs)]));
  const residuals = new Map<string, number[]>();
  const cells = new Map<string, { prev: string; variant: string; xs: number[] }>();
  for (const v of values) {
    residuals.set(v.prev, [...(residuals.get(v.prev) ?? []), v.value - (centre.get(v.variant) as number)]);
    const key = `${v.prev}\0${v.variant}`;
    const c = cells.get(key) ?? { prev: v.prev, variant: v.variant, xs: [] };
    c.xs.push(v.value);
    cells.set(key, c);
  }
  let seed = opts.seed ?? 1;
  const ci = (xs: number[], shift = 0): [number, number] | null => {
    if (xs.length < minN) return null;
    const c = medianBootstrapCI(xs, seed++, resamples);
    return c ? [c[0] - shift, c[1] - shift] : null;
  };
  return {
    predecessors: [...residuals]
      .map(([prev, rs]) => ({ prev, n: rs.length, shift: median(rs), ci: ci(rs) }))
      .sort((a, b) => a.prev.localeCompare(b.prev)),
    cells: [...cells.values()].map((c) => {
      const m = centre.get(c.variant) as number;
      return { prev: c.prev, variant: c.variant, n: c.xs.length, shift: median(c.xs) - m, ci: ci(c.xs, m) };
    }),
  };
}

/** A successor with the round it was measured in (the permutation keeps each round's predecessors together). */
interface RoundSuccessor extends Successor {
  round: number;
}

interface CarryOverTest {
  /**
   * one overall test that the predecessor matters at all: permutation p of a Kruskal–Wallis statistic on the residuals'
   * ranks
   */
  p: number;
  /** per predecessor: its own permutation p, and Holm-adjusted across the predecessors */
  predecessors: { prev: string; p: number; pHolm: number }[];
  method: string;
}

/** log(value / its variant's median), or the relative residual where a value is not positive. */
function relResiduals(values: readonly Successor[]): number[] {
  const byVariant = new Map<string, number[]>();
  for (const v of values) {
    const list = byVariant.get(v.variant);
    if (list) list.push(v.value);
    else byVariant.set(v.variant, [v.value]);
  }
  const centre = new Map([...byVariant].map(([k, xs]) => [k, median(xs)]));
  return values.map((v) => {
    const m = centre.get(v.variant) as number;
    return v.value > 0 && m > 0 ? Math.log(v.value / m) : m !== 0 ? (v.value - m) / Math.abs(m) : 0;
  });
}

/** Holm's step-down adjustment, in the input order. */
function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

/**
 * Whether the previous launch shifts the next at all, with its multiplicity
 * handled: under no carry-over, which variant preceded a sample is noise, so
 * the predecessor labels may be permuted among the samples of each round
 * (which keeps any drift between rounds out of it). The statistic is
 * Kruskal–Wallis on the ranks of each sample's residual from its variant's
 * median (robust to the long right tail of launch times); each predecessor's
 * own statistic (its standardized rank sum) gets a permutation p from the same
 * permutations, Holm-adjusted across predecessors. The uncorrected bootstrap
 * CI per predecessor warned on 27–40% of scenarios without any carry-over.
 */
export function carryOverTest(
  values: readonly RoundSuccessor[],
  opts: { seed?: number; resamples?: number } = {},
): CarryOverTest | null {
  const prevs = [...new Set(values.map((v) => v.prev))].sort();
  if (prevs.length < 2 || values.length < 8) return null;
  const B = opts.resamples ?? 999;
  const res = relResiduals(values);
  // centred average ranks
  const idx = res.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]);
  const rank = new Float64Array(res.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (
      j + 1 < idx.length &&
      (idx[j + 1] as readonly [number, number])[0] === (idx[i] as readonly [number, number])[0]
    )
      j++;
    for (let k = i; k <= j; k++)
      rank[(idx[k] as readonly [number, number])[1]] = (i + j) / 2 + 1 - (res.length + 1) / 2;
    i = j + 1;
  }
  const code = new Map(prevs.map((p, i) => [p, i]));
  const labels = Int32Array.from(values.map((v) => code.get(v.prev) as number));
  const byRound = new Map<number, number[]>();
  values.forEach((v, i) => {
    const g = byRound.get(v.round);
    if (g) g.push(i);
    else byRound.set(v.round, [i]);
  });
  const groups = [...byRound.values()];
  const k = prevs.length;
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  const stats = (lab: Int32Array): { global: number; each: Float64Array } => {
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < lab.length; i++) {
      const l = lab[i] as number;
      sums[l] = (sums[l] as number) + (rank[i] as number);
      counts[l] = (counts[l] as number) + 1;
    }
    let global = 0;
    const each = new Float64Array(k);
    for (let l = 0; l < k; l++) {
      const n = counts[l] as number;
      if (n === 0) continue;
      const s = sums[l] as number;
      global += (s * s) / n;
      each[l] = Math.abs(s) / Math.sqrt(n);
    }
    return { global, each };
  };
  const observed = stats(labels);
  const obsEach = Float64Array.from(observed.each);
  const random = seededRandom(opts.seed ?? 1);
  const perm = Int32Array.from(labels);
  let extreme = 0;
  const extremeEach = new Float64Array(k);
  const eps = 1e-9;
  for (let b = 0; b < B; b++) {
    for (const g of groups)
      for (let i = g.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const a = g[i] as number;
        const c = g[j] as number;
        const t = perm[a] as number;
        perm[a] = perm[c] as number;
        perm[c] = t;
      }
    const s = stats(perm);
    if (s.global >= observed.global - eps) extreme++;
    for (let l = 0; l < k; l++)
      if ((s.each[l] as number) >= (obsEach[l] as number) - eps) extremeEach[l] = (extremeEach[l] as number) + 1;
  }
  const raw = prevs.map((_, l) => ((extremeEach[l] as number) + 1) / (B + 1));
  const adjusted = holm(raw);
  return {
    p: (extreme + 1) / (B + 1),
    predecessors: prevs.map((prev, l) => ({ prev, p: raw[l] as number, pHolm: adjusted[l] as number })),
    method: `permutation of predecessors within rounds (${B}), Kruskal–Wallis on residual ranks, Holm across predecessors`,
  };
}

/**
 * The bias carry-over puts into each reported ratio: every sample of a
 * variant carries the shift of whatever preceded it, so its level is off by
 * the mean shift of its own predecessors, and a ratio by the difference of
 * the two sides' (in log units; shifts as the predecessors' median residuals).
 * In a random order of k variants a predecessor's shift reaches another
 * variant's ratio diluted by about 1/(k − 1); this says by how much exactly.
 */
export function carryOverBias(
  values: readonly Successor[],
  pairs: readonly { variant: string; baseline: string }[],
): { variant: string; baseline: string; logBias: number }[] {
  const res = relResiduals(values);
  const byPrev = new Map<string, number[]>();
  values.forEach((v, i) => {
    const g = byPrev.get(v.prev);
    if (g) g.push(res[i] as number);
    else byPrev.set(v.prev, [res[i] as number]);
  });
  const shift = new Map([...byPrev].map(([p, xs]) => [p, median(xs)]));
  const level = new Map<string, { sum: number; n: number }>();
  for (const v of values) {
    const l = level.get(v.variant) ?? { sum: 0, n: 0 };
    l.sum += shift.get(v.prev) ?? 0;
    l.n++;
    level.set(v.variant, l);
  }
  const mean = (id: string) => {
    const l = level.get(id);
    return l?.n ? l.sum / l.n : 0;
  };
  return pairs
    .filter((p) => p.variant !== p.baseline && level.has(p.variant) && level.has(p.baseline))
    .map((p) => ({ ...p, logBias: mean(p.variant) - mean(p.baseline) }));
}
