import { isMeasured, precisionOf, type Sample } from '../results/index.ts';

/**
 * Adaptive sampling: a scenario runs rounds until the 95% CI half-width of
 * its headline metric is within `precisionPct` of the median for every
 * variant that measures (skipped and always-failing variants do not hold it
 * back), or until one more round would pass its time budget, or until
 * `maxRounds` — never fewer than `minRounds`. Every round runs every variant
 * once, in a fresh random order, as with fixed rounds: stopping early never
 * leaves a variant behind.
 */
export interface Adaptive {
  precisionPct: number;
  minRounds: number;
  maxRounds: number;
  /** the scenario's budget, warm-up and setup included; null: none */
  budgetMs: number | null;
}

export type StopReason = 'precision' | 'budget' | 'max-rounds' | 'rounds' | 'interrupted';

export const ADAPTIVE_DEFAULTS = { precisionPct: 2, minRounds: 3 } as const;

/**
 * Whether to stop after `measuredRounds` measured rounds: the reason, or null
 * to go on. `elapsedMs` is the scenario's time so far, `roundMs` what the
 * rounds took on average (the next one is expected to take as long).
 */
export function stopAfterRound(a: Adaptive, measuredRounds: number, elapsedMs: number, roundMs: number, samples: readonly Sample[], variants: readonly string[], metric: string): StopReason | null {
  if (measuredRounds >= a.maxRounds) return 'max-rounds';
  if (measuredRounds < a.minRounds) return null;
  const reached = precisionOf(samples.filter((s) => isMeasured(s)), variants, metric).filter((p) => p.n > 0);
  if (reached.length && reached.every((p) => p.halfWidthPct !== null && p.halfWidthPct <= a.precisionPct)) return 'precision';
  if (a.budgetMs !== null && elapsedMs + roundMs > a.budgetMs) return 'budget';
  return null;
}
