import { median } from 'simple-statistics';
import { medianBootstrapCI } from './bootstrap.ts';

/** A measured value, its variant, and the variant launched just before it. */
export interface Successor {
  variant: string;
  prev: string;
  value: number;
}

export interface CarryOverEstimate {
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
export function carryOverEstimate(values: readonly Successor[], opts: { seed?: number; resamples?: number; minN?: number } = {}): CarryOverEstimate {
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
    predecessors: [...residuals].map(([prev, rs]) => ({ prev, n: rs.length, shift: median(rs), ci: ci(rs) })).sort((a, b) => a.prev.localeCompare(b.prev)),
    cells: [...cells.values()].map((c) => {
      const m = centre.get(c.variant) as number;
      return { prev: c.prev, variant: c.variant, n: c.xs.length, shift: median(c.xs) - m, ci: ci(c.xs, m) };
    }),
  };
}
