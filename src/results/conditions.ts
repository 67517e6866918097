import { carryOverBias, carryOverEstimate, carryOverTest } from '../stats/index.ts';
import { isMeasured } from './summary.ts';
import type { CarryOver, RoundLoad, Sample, VariantSummary } from './types.ts';

/** Predecessors with fewer samples than this get no CI of their shift. */
const CARRY_MIN_N = 6;

/**
 * The carry-over table of a scenario's metric: how much each predecessor
 * shifts the next sample. Every launch is somebody's predecessor (warm-ups
 * too); only measured samples are judged. null where there is nothing to
 * compare (one variant, or no recorded predecessors).
 */
export function carryOverOf(
  samples: readonly Sample[],
  metric: string,
  summary: readonly VariantSummary[],
): CarryOver | null {
  const values = samples.flatMap((s) => {
    const prev = s.conditions?.prev;
    const v = s.state === 'completed' ? s.metrics[metric] : undefined;
    return isMeasured(s) && prev && v !== undefined && Number.isFinite(v)
      ? [{ variant: s.variant, prev, value: v, round: s.round }]
      : [];
  });
  if (new Set(values.map((v) => v.prev)).size < 2) return null;
  const est = carryOverEstimate(values, { minN: CARRY_MIN_N });
  const test = carryOverTest(values);
  const bias = carryOverBias(
    values,
    summary.map((v) => ({ variant: v.variant, baseline: v.baseline })),
  ).map((b) => ({ variant: b.variant, baseline: b.baseline, pct: 100 * (Math.exp(b.logBias) - 1) }));
  let smallest: CarryOver['smallestEffect'] = null;
  for (const v of summary) {
    const m = v.metrics[metric];
    const base = summary.find((b) => b.variant === v.baseline)?.metrics[metric];
    if (v.variant === v.baseline || !m?.ratioCI95 || !base || (m.ratioCI95[0] <= 1 && m.ratioCI95[1] >= 1)) continue;
    const effect = Math.abs(m.median - base.median);
    if (!smallest || effect < smallest.effect) smallest = { variant: v.variant, effect };
  }
  return { metric, ...est, smallestEffect: smallest, ...(test ? { test } : {}), bias };
}

const fmt = (ns: number) => (Math.abs(ns) >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(0)} µs`);

/** The overall test's level, and the bias in a reported ratio worth a word (percent). */
const CARRY_ALPHA = 0.05;
const CARRY_BIAS_PCT = 1;

/**
 * A warning only when carry-over is shown and matters: the overall
 * permutation test rejects "the predecessor does not matter" (p < 0.05), a
 * predecessor stands after Holm's correction, and the bias that the
 * measured shifts put into a reported ratio reaches 1%. A raw shift of a
 * predecessor is not the yardstick: in a random order it reaches another
 * variant's ratio diluted about 1/(k − 1). Files written before the test
 * (no `test`) keep the old rule's silence: no warning from them.
 */
export function carryOverWarnings(c: CarryOver | null, medianOfMetric = 0, kind = 'launch'): string[] {
  if (!c || !/Ns$/.test(c.metric) || !c.test || c.test.p >= CARRY_ALPHA) return [];
  const biased = (c.bias ?? [])
    .filter((b) => Math.abs(b.pct) >= CARRY_BIAS_PCT)
    .sort((a, b) => Math.abs(b.pct) - Math.abs(a.pct));
  if (!biased.length) return [];
  // the predecessors that stand after Holm and shift the next launch by a share worth naming (1% of the median),
  // largest first: the others stand only because the culprits' successors move every variant's median a little
  const named = c.test.predecessors
    .filter((t) => t.pHolm < CARRY_ALPHA)
    .flatMap((t) => {
      const p = c.predecessors.find((x) => x.prev === t.prev);
      return p && (medianOfMetric <= 0 || Math.abs(p.shift) >= (CARRY_BIAS_PCT / 100) * medianOfMetric)
        ? [{ ...p, pHolm: t.pHolm }]
        : [];
    })
    .sort((a, b) => Math.abs(b.shift) - Math.abs(a.shift));
  if (!named.length) return [];
  const what = kind === 'launch' ? 'launch' : 'sample';
  const one = (p: (typeof named)[number], i: number) =>
    `${i === 0 ? `a ${what} right after` : 'after'} ${p.prev} is ${fmt(Math.abs(p.shift))} ${p.shift > 0 ? 'slower' : 'faster'}${p.ci ? ` [${fmt(p.ci[0])}, ${fmt(p.ci[1])}]` : ''} (Holm p ${fmtP(p.pHolm)})`;
  const ratios = `${biased
    .slice(0, 4)
    .map((b) => `${b.variant}/${b.baseline} by ${b.pct >= 0 ? '+' : ''}${b.pct.toFixed(1)}%`)
    .join(', ')}${biased.length > 4 ? ` and ${biased.length - 4} more` : ''}`;
  const hint = kind === 'launch' ? ' (compare with --pace quiesced)' : '';
  return [
    `carry-over: ${named.slice(0, 3).map(one).join('; ')}${named.length > 3 ? `; and ${named.length - 3} more` : ''} on ${c.metric} than its variant's median (one permutation test over all predecessors: p ${fmtP(c.test.p)}); the order shifts the reported ratios ${ratios}${hint}`,
  ];
}

const fmtP = (p: number) => (p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`);

/**
 * Distinct reasons with the measured figures kept: "other processes used 29%
 * of the CPUs" and "… 61% …" become "other processes used 29–61% of the CPUs"
 * (the range of what was measured, never a placeholder).
 */
function measuredRanges(reasons: readonly string[]): string[] {
  const groups = new Map<string, number[][]>();
  for (const r of reasons) {
    const nums = [...r.matchAll(/(\d+(?:\.\d+)?)%/g)].map((m) => Number(m[1]));
    const key = r.replace(/\d+(?:\.\d+)?%/g, '\u0000');
    groups.set(key, [...(groups.get(key) ?? []), nums]);
  }
  return [...groups].map(([key, lists]) => {
    let i = 0;
    return key.replace(/\u0000/g, () => {
      const xs = lists.map((l) => l[i] as number).filter(Number.isFinite);
      i++;
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      return lo === hi ? `${lo}%` : `${lo}–${hi}%`;
    });
  });
}

/** Disturbed rounds, in one warning per scenario: how many, and what disturbed them. */
export function loadWarnings(load: readonly RoundLoad[] | undefined, retried: boolean): string[] {
  if (!load?.length) return [];
  const bad = load.filter((l) => l.disturbed.length);
  const out: string[] = [];
  if (load[0]?.source === 'proc-stat')
    out.push(
      'this kernel has no pressure stall information (PSI): competing load is judged from /proc/stat and process CPU alone',
    );
  if (!bad.length) return out;
  const reasons = measuredRanges(bad.flatMap((l) => l.disturbed.map((d) => d.replace(/ \(.*\)$/, ''))));
  const worst = bad.reduce((a, b) => (b.foreignCpu > a.foreignCpu ? b : a));
  const final = new Map<number, RoundLoad>();
  for (const l of load) if ((final.get(l.round)?.attempt ?? -1) < l.attempt) final.set(l.round, l);
  const stillBad = [...final.values()].filter((l) => l.disturbed.length).length;
  out.push(
    `competing load disturbed ${bad.length} of ${load.length} rounds (${reasons.join('; ')}; worst: ${worst.disturbed.join('; ')})` +
      (retried
        ? `: ${stillBad} still disturbed after the retries (their samples are marked "disturbed")`
        : ': their samples are marked "disturbed" — rerun on a quiet machine, or with --retry-noisy N'),
  );
  return out;
}
