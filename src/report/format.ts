import type { MetricSummary, RunResults } from '../results/index.ts';
import { formatRatio } from '../util/index.ts';

/**
 * A variant's ratio to its baseline with its CI, "baseline" for the baseline itself, "too few (n=…)" below the minimum.
 */
export function formatVs(m: MetricSummary | undefined, isBaseline: boolean): string {
  if (isBaseline) return 'baseline';
  if (m?.tooFew) return `too few (n=${Math.min(m.n, m.baselineN ?? 0)})`;
  if (m && m.ratioToBaseline === null && m.baselineN === undefined) return '-'; // the run has no baseline for it
  return formatRatio(m?.ratioToBaseline, m?.ratioCI95);
}

/** A p value: three decimals, "< 0.001" below that (never "0.000"). */
export const formatP = (p: number | null | undefined): string =>
  p === null || p === undefined || !Number.isFinite(p) ? '-' : p < 0.001 ? '< 0.001' : p.toFixed(3);

/** A share that is 0–100% by meaning (beyond the ends: the measured effect overshot, shown at the end it passed). */
export const formatShare = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x)
    ? '-'
    : x > 1
      ? '100 %'
      : x < 0
        ? '0 %'
        : `${Math.round(x * 100)} %`;

/** The machine and the run in one line: kernel, CPU, cgroup mode, profile, date, and what disturbed it. */
export function systemLine(run: RunResults): string {
  const e = run.environment;
  const bad = run.scenarios.flatMap((s) => {
    const n = (s.load ?? []).filter((l) => l.disturbed.length).length;
    return n ? [`${s.name} ${n} of ${s.load?.length} rounds`] : [];
  });
  const parts = [
    `Linux ${e.kernel?.release ?? '?'}`,
    `${e.cpu?.model ?? '?'} × ${e.cpu?.cores ?? '?'} CPUs`,
    `cgroups ${e.cgroups?.mode ?? '?'}`,
    `profile ${run.profile?.name ?? 'none'}`,
    run.startedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC'),
    bad.length ? `disturbed by other load: ${bad.join(', ')}` : 'no round disturbed by other load',
  ];
  return parts.join(' · ');
}
