import type { TopLevelSpec } from 'vega-lite';
import { PHASES } from '../launcher/index.ts';
import { headlineOf, isMeasured, type RunResults, type ScenarioResult } from '../results/index.ts';
import { isolationMatrix } from './axioms.ts';

/** A chart: its vega-lite spec (embedded in the report for provenance) and a caption. */
export interface Chart {
  id: string;
  title: string;
  /** one line on how to read it */
  read: string;
  spec: TopLevelSpec;
}

/** The boot phases in the order they happen, each with its colour: the same in every chart. */
export const PHASE_ORDER = PHASES.map((p) => p.replace(/Ns$/, ''));
const PHASE_COLOURS = ['#9e9e9e', '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f'];

const WIDTH = 640;

function measured(sc: ScenarioResult, only?: ReadonlySet<string>) {
  return sc.samples.filter((s) => s.state === 'completed' && isMeasured(s) && (!only || only.has(s.variant)));
}

/**
 * Most variants a per-variant chart shows: one row each stays readable, and
 * vega's scales stay within the stack (thousands of nominal rows overflow
 * it). A scenario with more is charted as an aggregate — the distribution of
 * every variant's ratio — and per variant for those at both ends; its tables
 * keep every variant.
 */
export const CHART_MAX_VARIANTS = 40;

/**
 * Each variant's ratio to its baseline on `metric`: the summary's ratio of
 * medians, or, where too few samples give it no verdict, the plain ratio of
 * the two medians (for ranking and binning only, never shown as a finding).
 */
function variantRatios(sc: ScenarioResult, metric: string): { id: string; r: number }[] {
  const medians = new Map(sc.summary.map((v) => [v.variant, v.metrics[metric]?.median]));
  return sc.summary.flatMap((v) => {
    if (v.variant === v.baseline) return [];
    const m = v.metrics[metric];
    const b = medians.get(v.baseline);
    const r = m?.ratioToBaseline ?? (m && b ? m.median / b : null);
    return r != null && Number.isFinite(r) ? [{ id: v.variant, r }] : [];
  });
}

/** The variants a per-variant chart shows: all of them, or the baseline and those with the highest and lowest ratio of the headline metric. */
export function chartedVariants(sc: ScenarioResult): { ids: string[]; note: string } {
  const all = sc.variants.map((v) => v.id);
  if (all.length <= CHART_MAX_VARIANTS) return { ids: all, note: '' };
  const { metric } = headline(sc);
  const ranked = variantRatios(sc, metric).sort((a, b) => b.r - a.r);
  const half = Math.floor((CHART_MAX_VARIANTS - 1) / 2);
  const pick = new Set([sc.baseline, ...ranked.slice(0, half).map((x) => x.id), ...ranked.slice(-(CHART_MAX_VARIANTS - 1 - half)).map((x) => x.id)]);
  const ids = all.filter((id) => pick.has(id));
  return { ids, note: ` — ${ids.length} of ${all.length} variants: the baseline and those with the highest and lowest ratio; every variant is in the table` };
}

/** The scenario's headline metric and its label (results' one definition, which its warnings are judged on too). */
export const headline = (sc: ScenarioResult): { metric: string; label: string } => headlineOf(sc);

function bootDistribution(sc: ScenarioResult): Chart {
  const { ids, note } = chartedVariants(sc);
  const values = measured(sc, new Set(ids)).map((s) => ({ variant: s.variant, bootUs: (s.state === 'completed' ? (s.metrics.bootNs ?? 0) : 0) / 1e3 }));
  return {
    id: `${sc.name}-boot`,
    title: `Boot time per variant (every measured sample, log scale)${note}`,
    read: 'Each dot is one launch; a variant further right boots slower; a wide cloud means a noisy variant (log scale: equal distances are equal ratios).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      mark: { type: 'tick', opacity: 0.6 },
      encoding: {
        y: { field: 'variant', type: 'nominal', sort: ids, title: null },
        x: { field: 'bootUs', type: 'quantitative', scale: { type: 'log' }, title: 'boot time (µs)' },
      },
    },
  };
}

function bootBreakdown(sc: ScenarioResult): Chart {
  const { ids, note } = chartedVariants(sc);
  const only = new Set(ids);
  const values = sc.summary.filter((v) => only.has(v.variant)).flatMap((v) =>
    PHASES.map((phase, step) => ({ variant: v.variant, phase: phase.replace(/Ns$/, ''), step, us: (v.metrics[phase]?.median ?? 0) / 1e3 })),
  );
  return {
    id: `${sc.name}-breakdown`,
    title: `Boot time breakdown (medians of each phase)${note}`,
    read: "Each bar is a variant's median boot, split into its phases in the order they happen (prepare → clone → map → cgroup → setup → exec); the longest segment is where its time goes.",
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'variant', type: 'nominal', sort: ids, title: null },
        x: { field: 'us', type: 'quantitative', stack: 'zero', title: 'µs' },
        // stacked in time order (prepare first), the legend in the same order, the same colour for a phase everywhere
        color: { field: 'phase', type: 'nominal', sort: PHASE_ORDER, scale: { domain: PHASE_ORDER, range: PHASE_COLOURS }, title: 'phase' },
        order: { field: 'step', type: 'quantitative' },
      },
    },
  };
}

function overhead(sc: ScenarioResult, metric: string, label: string): Chart | null {
  const { ids, note } = chartedVariants(sc);
  const only = new Set(ids);
  const values = sc.summary.flatMap((v) => {
    const m = v.metrics[metric];
    if (!only.has(v.variant) || !m || m.ratioToBaseline === null || !m.ratioCI95) return [];
    return [{ variant: v.variant, ratio: m.ratioToBaseline, low: m.ratioCI95[0], high: m.ratioCI95[1] }];
  });
  if (values.length === 0) return null;
  return {
    id: `${sc.name}-overhead-${metric}`,
    title: `Overhead vs baseline: ${label}, ratio of medians with bootstrap 95% CI${note}`,
    read: 'A dot right of 1 is slower than the baseline (left of 1 faster, for rates the other way round); a bar that crosses 1 is no measurable difference.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      layer: [
        { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { x: { datum: 1, type: 'quantitative' } } },
        { mark: 'rule', encoding: { y: { field: 'variant', type: 'nominal', sort: ids, title: null }, x: { field: 'low', type: 'quantitative', title: 'ratio to baseline' }, x2: { field: 'high' } } },
        { mark: { type: 'point', filled: true }, encoding: { y: { field: 'variant', type: 'nominal', sort: ids }, x: { field: 'ratio', type: 'quantitative' } } },
      ],
    },
  };
}

function freezeCurve(sc: ScenarioResult): Chart {
  const values = sc.summary.flatMap((v) => {
    const info = sc.variants.find((x) => x.id === v.variant)?.freeze;
    if (!info) return [];
    return (['freezeNs', 'thawNs'] as const).flatMap((metric) => {
      const m = v.metrics[metric];
      return m ? [{ processes: info.processes, series: `${info.freezer} ${info.mode} ${metric === 'freezeNs' ? 'freeze' : 'thaw'}`, p50Ms: m.median / 1e6 }] : [];
    });
  });
  return {
    id: `${sc.name}-freeze`,
    title: 'Pause and unpause latency (p50) vs processes in the sandbox',
    read: 'Each line is a freezer and mode; a steeper line means pausing costs more per process held (log scale).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'processes', type: 'quantitative', scale: { type: 'log' } },
        y: { field: 'p50Ms', type: 'quantitative', scale: { type: 'log' }, title: 'p50 (ms)' },
        color: { field: 'series', type: 'nominal' },
      },
    },
  };
}

function throughput(sc: ScenarioResult): Chart {
  const values = sc.summary.flatMap((v) => {
    const m = v.metrics['workload.throughputMbitPerSec'];
    return m ? [{ variant: v.variant, mbit: m.median, low: m.p5, high: m.p95 }] : [];
  });
  return {
    id: `${sc.name}-throughput`,
    title: 'TCP throughput per topology (median, p5–p95)',
    read: "Longer bars carry more data per second; compare each topology's bars with host loopback's, the bare baseline.",
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      layer: [
        { mark: 'bar', encoding: { y: { field: 'variant', type: 'nominal', title: null }, x: { field: 'mbit', type: 'quantitative', title: 'Mbit/s' } } },
        { mark: { type: 'rule', color: '#333' }, encoding: { y: { field: 'variant', type: 'nominal' }, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
      ],
    },
  };
}

function densityCurve(sc: ScenarioResult): Chart {
  const values = sc.samples.flatMap((s) => {
    if (s.state !== 'completed' || !isMeasured(s) || s.round !== (sc.warmupRounds ?? 0)) return [];
    const boots = s.series?.bootNs ?? [];
    const step = Math.max(1, Math.floor(boots.length / 400)); // at most ~400 points per curve
    return boots.flatMap((b, i) => (i % step === 0 ? [{ variant: s.variant, instance: i + 1, bootUs: b / 1e3 }] : []));
  });
  return {
    id: `${sc.name}-density`,
    title: 'Boot time of each launch as the number of held sandboxes grows (first measured ramp)',
    read: 'Each dot is one launch during a ramp; a line that rises means each new sandbox boots slower while more are held.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      mark: { type: 'line', opacity: 0.8 },
      encoding: {
        x: { field: 'instance', type: 'quantitative', title: 'sandboxes held' },
        y: { field: 'bootUs', type: 'quantitative', scale: { type: 'log' }, title: 'boot time (µs)' },
        color: { field: 'variant', type: 'nominal' },
      },
    },
  };
}

/** Every variant's ratio to the baseline, binned here (at most 40 bars whatever the number of variants): the aggregate view of a scenario too large to chart per variant. */
function ratioHistogram(sc: ScenarioResult, metric: string, label: string): Chart | null {
  if (sc.variants.length <= CHART_MAX_VARIANTS) return null;
  const ratios = variantRatios(sc, metric).map((x) => x.r);
  if (ratios.length === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of ratios) (lo = Math.min(lo, r)), (hi = Math.max(hi, r));
  const bins = Math.min(40, Math.max(1, Math.ceil(Math.sqrt(ratios.length))));
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const r of ratios) counts[Math.min(bins - 1, Math.floor((r - lo) / width))] = (counts[Math.min(bins - 1, Math.floor((r - lo) / width))] ?? 0) + 1;
  const values = counts.map((n, i) => ({ from: lo + i * width, to: lo + (i + 1) * width, variants: n }));
  return {
    id: `${sc.name}-ratios-${metric}`,
    title: `${label}: ratio to baseline of all ${ratios.length} variants (how many fall in each bin)`,
    read: 'Most variants in the bin at 1 means most settings cost nothing measurable; bins far right are the expensive ones.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      mark: 'bar',
      encoding: { x: { field: 'from', type: 'quantitative', title: 'ratio to baseline', scale: { zero: false } }, x2: { field: 'to' }, y: { field: 'variants', type: 'quantitative', title: 'variants' } },
    },
  };
}

/** Isolation gained (cells isolated) against the boot overhead paid, one point per namespace set. */
export function isolationVsCost(run: RunResults, sc: ScenarioResult): Chart | null {
  const values = isolationMatrix(run, sc).flatMap((r) => (r.bootRatio === null ? [] : [{ set: r.variant, isolated: r.isolated, boot: r.bootRatio }]));
  if (values.length === 0) return null;
  return {
    id: `${sc.name}-isolation-vs-cost`,
    title: 'Isolation gained (of 8 kinds) vs boot overhead paid (ratio to bare), per namespace set',
    read: 'Up is more isolation, right is more boot cost: the sets up and to the left buy the most isolation for the least.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: 320,
      data: { values },
      encoding: {
        x: { field: 'boot', type: 'quantitative', title: 'boot time vs bare (×)', scale: { zero: false } },
        y: { field: 'isolated', type: 'quantitative', title: 'kinds isolated', scale: { domain: [0, 8] } },
      },
      layer: [{ mark: { type: 'point', filled: true, size: 60 } }, { mark: { type: 'text', align: 'left', dx: 6, fontSize: 10 }, encoding: { text: { field: 'set' } } }],
    },
  };
}

/** The charts of a scenario, by its kind. */
export function chartsFor(sc: ScenarioResult): Chart[] {
  const { metric, label } = headline(sc);
  const out: (Chart | null)[] =
    sc.kind === 'density'
      ? [densityCurve(sc)]
      : sc.kind === 'freeze'
      ? [freezeCurve(sc), overhead(sc, 'freezeNs', 'freeze latency')]
      : sc.kind === 'network'
        ? [throughput(sc), overhead(sc, metric, label), overhead(sc, 'workload.p50Ns', 'request/response p50')]
        : [ratioHistogram(sc, metric, label), bootDistribution(sc), bootBreakdown(sc), overhead(sc, 'bootNs', 'boot time'), metric !== 'bootNs' ? overhead(sc, metric, label) : null];
  return out.filter((c): c is Chart => c !== null && ((c.spec as { data?: { values?: unknown[] } }).data?.values?.length ?? 0) > 0);
}
