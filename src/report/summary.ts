import { sampleStandardDeviation } from 'simple-statistics';
import { costRows, type RunResults, rampFigure, type ScenarioResult } from '../results/index.ts';
import { formatDelta, formatNs, formatRatio } from '../util/index.ts';

/**
 * One row of the headline summary: a namespace set or cgroup setting, what it costs (absolute and ratio, 95% CIs) and
 * which way.
 */
interface SummaryRow {
  scenario: string;
  setting: string;
  /** boot, run, memory */
  what: string;
  delta: string;
  ratio: string;
  direction: string;
  /** the ratio and its CI as numbers, for the overview chart (null on a baseline row) */
  r: number | null;
  ci: [number, number] | null;
}

export const SUMMARY_HEADER = ['setting', 'cost', 'difference [95% CI]', 'ratio [95% CI]', 'direction'];

function rowsOf(
  sc: ScenarioResult,
  keep: (variant: string) => boolean,
  label: (variant: string) => string,
): SummaryRow[] {
  const rows = costRows(sc).filter((r) => keep(r.variant));
  const out: SummaryRow[] = [];
  for (const b of [...new Set(rows.map((r) => r.baseline))]) {
    const first = rows.find((r) => r.baseline === b && r.metric === 'bootNs');
    if (first)
      out.push({
        scenario: sc.name,
        setting: label(b),
        what: 'boot',
        delta: `${formatNs(first.base)} p50`,
        ratio: '1',
        direction: 'baseline',
        r: null,
        ci: null,
      });
    for (const r of rows.filter((x) => x.baseline === b))
      out.push({
        scenario: sc.name,
        setting: label(r.variant),
        what: r.what.replace(' time', ''),
        delta: formatDelta(r.delta, r.deltaCI),
        ratio: formatRatio(r.ratio, r.ratioCI ?? undefined),
        direction: r.direction ?? 'too few',
        r: r.ratio,
        ci: r.ratioCI,
      });
  }
  return out;
}

/**
 * Memory charged per sandbox in the density scenario: its baseline (the bare set) first, each other set's difference; a
 * CI and a direction word from 6 ramps a side.
 */
function memoryRows(sc: ScenarioResult): SummaryRow[] {
  const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  const base = sc.variants.find((v) => v.ns.length === 0 && !v.cgroup)?.id ?? sc.baseline;
  const b = rampFigure(sc, base, 'chargedPerInstanceBytes');
  if (b.mean === null) return [];
  const out: SummaryRow[] = [
    {
      scenario: sc.name,
      setting: base,
      what: 'memory',
      delta: `${kib(b.mean)} per sandbox`,
      ratio: '1',
      direction: 'baseline',
      r: null,
      ci: null,
    },
  ];
  const bv = b.values;
  for (const v of sc.variants) {
    if (v.id === base) continue;
    const f = rampFigure(sc, v.id, 'chargedPerInstanceBytes');
    if (f.mean === null) continue;
    const xv = f.values; // the ramps rampFigure averaged: measured ones only, as everywhere
    // the difference of two means with Welch's normal approximation: from 6 ramps a side, as every other verdict
    const enough = xv.length >= 6 && bv.length >= 6;
    const sd = (xs: number[]) => (xs.length > 1 ? sampleStandardDeviation(xs) : 0);
    const se = Math.sqrt(sd(xv) ** 2 / Math.max(1, xv.length) + sd(bv) ** 2 / Math.max(1, bv.length));
    const d = f.mean - b.mean;
    const ci: [number, number] | null = enough ? [d - 1.96 * se, d + 1.96 * se] : null;
    const dir = !ci
      ? `too few (${Math.min(xv.length, bv.length)} ramps)`
      : ci[0] > 0
        ? 'more'
        : ci[1] < 0
          ? 'less'
          : 'no difference';
    const sign = (x: number) => `${x >= 0 ? '+' : '−'}${(Math.abs(x) / 1024).toFixed(0)}`;
    out.push({
      scenario: sc.name,
      setting: v.id,
      what: 'memory',
      delta: `${sign(d)} KiB${ci ? ` [${sign(ci[0])}, ${sign(ci[1])}]` : ''}`,
      ratio: formatRatio(f.mean / b.mean),
      direction: dir,
      r: f.mean / b.mean,
      ci: null,
    });
  }
  return out;
}

/**
 * The first thing a reader sees: per namespace set (the boot scenario), per
 * cgroup placement (cgroup-overhead's own cgroup, per workload) and per set's
 * memory (density), what it costs in absolute units and as a ratio with 95%
 * CIs, and a direction word only where the CI excludes no change.
 */
export function summaryRows(run: RunResults): SummaryRow[] {
  const out: SummaryRow[] = [];
  const boot = run.scenarios.find((s) => s.name === 'boot');
  if (boot)
    out.push(
      ...rowsOf(
        boot,
        () => true,
        (v) => v,
      ),
    );
  const cg = run.scenarios.find((s) => s.name === 'cgroup-overhead');
  if (cg)
    out.push(
      ...rowsOf(
        cg,
        (v) => v.endsWith('/own'),
        (v) => (v.endsWith('/own') ? `${v.split('/')[0]}, own cgroup` : v),
      ),
    );
  const de = run.scenarios.find((s) => s.kind === 'density');
  if (de) out.push(...memoryRows(de));
  return out;
}
