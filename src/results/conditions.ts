import { carryOverEstimate } from '../stats/index.ts';
import { isMeasured } from './summary.ts';
import type { CarryOver, RoundLoad, Sample, VariantSummary } from './types.ts';

/** Predecessors with fewer samples than this give no carry-over estimate worth a warning. */
const CARRY_MIN_N = 6;

/**
 * The carry-over table of a scenario's metric: how much each predecessor
 * shifts the next sample. Every launch is somebody's predecessor (warm-ups
 * too); only measured samples are judged. null where there is nothing to
 * compare (one variant, or no recorded predecessors).
 */
export function carryOverOf(samples: readonly Sample[], metric: string, summary: readonly VariantSummary[]): CarryOver | null {
  const values = samples.flatMap((s) => {
    const prev = s.conditions?.prev;
    const v = s.state === 'completed' ? s.metrics[metric] : undefined;
    return isMeasured(s) && prev && v !== undefined && Number.isFinite(v) ? [{ variant: s.variant, prev, value: v }] : [];
  });
  if (new Set(values.map((v) => v.prev)).size < 2) return null;
  const est = carryOverEstimate(values, { minN: CARRY_MIN_N });
  let smallest: CarryOver['smallestEffect'] = null;
  for (const v of summary) {
    const m = v.metrics[metric];
    const base = summary.find((b) => b.variant === v.baseline)?.metrics[metric];
    if (v.variant === v.baseline || !m?.ratioCI95 || !base || (m.ratioCI95[0] <= 1 && m.ratioCI95[1] >= 1)) continue;
    const effect = Math.abs(m.median - base.median);
    if (!smallest || effect < smallest.effect) smallest = { variant: v.variant, effect };
  }
  return { metric, ...est, smallestEffect: smallest };
}

const fmt = (ns: number) => (Math.abs(ns) >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(0)} µs`);

/** A carry-over below this share of the metric's median is too small to matter, significant or not. */
const CARRY_FLOOR = 0.01;

/**
 * A significant carry-over larger than the smallest effect the scenario
 * reports makes that effect depend on the order; where no effect is
 * significant at all, any carry-over above 1% of the median is worth saying.
 */
export function carryOverWarnings(c: CarryOver | null, medianOfMetric = 0, kind = 'launch'): string[] {
  if (!c || !/Ns$/.test(c.metric)) return [];
  const out: string[] = [];
  const bar = Math.max(c.smallestEffect?.effect ?? 0, CARRY_FLOOR * medianOfMetric);
  for (const p of c.predecessors) {
    if (!p.ci || (p.ci[0] <= 0 && p.ci[1] >= 0) || Math.abs(p.shift) <= bar) continue;
    const than = c.smallestEffect ? `more than the smallest effect this scenario reports (${c.smallestEffect.variant}: ${fmt(c.smallestEffect.effect)})` : 'and no effect of a variant here is significant';
    const hint = kind === 'launch' ? ' (compare with --pace quiesced)' : '';
    out.push(`carry-over: a ${kind === 'launch' ? 'launch' : 'sample'} right after ${p.prev} is ${fmt(Math.abs(p.shift))} ${p.shift > 0 ? 'slower' : 'faster'} [${fmt(p.ci[0])}, ${fmt(p.ci[1])}] on ${c.metric} than its variant's median — ${than}; the order decides part of it${hint}`);
  }
  return out;
}

/** Disturbed rounds, in one warning per scenario: how many, and what disturbed them. */
export function loadWarnings(load: readonly RoundLoad[] | undefined, retried: boolean): string[] {
  if (!load?.length) return [];
  const bad = load.filter((l) => l.disturbed.length);
  const out: string[] = [];
  if (load[0]?.source === 'proc-stat') out.push('this kernel has no pressure stall information (PSI): competing load is judged from /proc/stat and process CPU alone');
  if (!bad.length) return out;
  const reasons = [...new Set(bad.flatMap((l) => l.disturbed.map((d) => d.replace(/\d+%/g, 'N%').replace(/ \(.*\)$/, ''))))];
  const worst = bad.reduce((a, b) => (b.foreignCpu > a.foreignCpu ? b : a));
  const final = new Map<number, RoundLoad>();
  for (const l of load) if ((final.get(l.round)?.attempt ?? -1) < l.attempt) final.set(l.round, l);
  const stillBad = [...final.values()].filter((l) => l.disturbed.length).length;
  out.push(
    `competing load disturbed ${bad.length} of ${load.length} rounds (${reasons.join('; ')}; worst: ${worst.disturbed.join('; ')})` +
      (retried ? `: ${stillBad} still disturbed after the retries (their samples are marked "disturbed")` : ': their samples are marked "disturbed" — rerun on a quiet machine, or with --retry-noisy N'),
  );
  return out;
}
