import type { Scenario } from '../scenario/index.ts';
import { PACING_DEFAULTS } from './pacing.ts';

/**
 * The least one sample of each kind takes on a fast machine: a floor, not an
 * estimate (a 2-core VM takes two to five times as long). Enough to tell a
 * plan of minutes from one of days before it starts.
 */
const FLOOR_SECONDS: Record<Scenario['kind'], (sc: Scenario) => number> = {
  launch: () => 0.002,
  freeze: () => 0.03,
  network: (sc) => Math.max(0.2, ...sc.variants.map((v) => v.net?.seconds ?? 0.2)),
  density: (sc) => Math.max(...sc.variants.map((v) => (v.density?.target ?? 0) * 0.003 + 2)),
  isolation: () => 0.05,
  interference: () => 0.3,
};

/** The least a plan can take (seconds): rounds × variants × bursts × the floor of a sample of its kind. */
export function planFloorSeconds(
  plans: readonly { sc: Scenario; rounds: number; warmup: number; variants: number; burst: number }[],
): number {
  return plans.reduce(
    (t, p) => t + (p.rounds + p.warmup) * p.variants * (p.burst + 1) * FLOOR_SECONDS[p.sc.kind](p.sc),
    0,
  );
}

/** A plan longer than this asks for --yes. */
export const LONG_PLAN_SECONDS = 3600;

export { PACING_DEFAULTS };
