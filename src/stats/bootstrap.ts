import { quantileSorted } from 'simple-statistics';
import { seededRandom } from './random.ts';

/** Resamples kept for a bootstrap CI: enough for stable 2.5/97.5 percentiles. */
export const BOOTSTRAP_RESAMPLES = 2000;

function median(sorted: number[]): number {
  return quantileSorted(sorted, 0.5);
}

function resampleMedian(xs: readonly number[], random: () => number): number {
  const r = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) r[i] = xs[Math.floor(random() * xs.length)] as number;
  r.sort((a, b) => a - b);
  return median(r);
}

export interface RatioCI {
  ratio: number;
  low: number;
  high: number;
}

/**
 * Ratio of medians (variant / baseline) with a seeded percentile-bootstrap 95%
 * CI: both samples are resampled independently, B times.
 */
export function ratioOfMediansCI(variant: readonly number[], baseline: readonly number[], seed = 1, resamples = BOOTSTRAP_RESAMPLES): RatioCI | null {
  if (variant.length === 0 || baseline.length === 0) return null;
  const sv = [...variant].sort((a, b) => a - b);
  const sb = [...baseline].sort((a, b) => a - b);
  const base = median(sb);
  if (base === 0) return null;
  const random = seededRandom(seed);
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const b = resampleMedian(sb, random);
    if (b !== 0) ratios.push(resampleMedian(sv, random) / b);
  }
  ratios.sort((a, b) => a - b);
  return { ratio: median(sv) / base, low: quantileSorted(ratios, 0.025), high: quantileSorted(ratios, 0.975) };
}
