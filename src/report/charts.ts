import type { TopLevelSpec } from 'vega-lite';
import { PHASES } from '../launcher/index.ts';
import {
  headlineOf,
  isMeasured,
  isolationMatrix,
  type RunResults,
  type ScenarioResult,
  scalingRows,
  senseOf,
} from '../results/index.ts';

/** A chart: its vega-lite spec (embedded in the report for provenance) and a caption. */
export interface Chart {
  id: string;
  title: string;
  /** one line on how to read it */
  read: string;
  spec: TopLevelSpec;
}

/** The boot phases in the order they happen, each with its colour: the same in every chart. */
const PHASE_ORDER = PHASES.map((p) => p.replace(/Ns$/, ''));
const PHASE_COLOURS = ['#9e9e9e', '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f'];

const WIDTH = 640;

/**
 * Okabe & Ito's palette: told apart with every common colour-vision deficiency (the first eight colours of every
 * chart).
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/**
 * The look every chart shares, for the report and for a paper: text of at
 * least 12 px, the colour-blind-safe palette, axis labels never cut (no label
 * limit: a long variant name widens the chart instead of losing its end).
 */
export function styled(spec: TopLevelSpec): TopLevelSpec {
  return {
    ...wrapLongLabels(spec),
    config: {
      font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
      axis: { labelFontSize: 12, titleFontSize: 13, labelLimit: 0, titleFontWeight: 'normal' },
      legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0 },
      header: { labelFontSize: 12, titleFontSize: 13 },
      text: { fontSize: 12 },
      title: { fontSize: 14 },
      range: { category: PALETTE },
      ...(spec as { config?: object }).config,
    },
  } as TopLevelSpec;
}

/** Labels longer than this wrap onto two lines (at the last "/" or "+" that keeps the first line within it). */
const LABEL_WRAP = 28;

/**
 * A vega expression that wraps a long axis label onto two lines at a "/" or
 * "+" (never cutting it): the whole name stays readable, and the chart keeps
 * its width.
 */
const WRAP_EXPR = `length(datum.label) > ${LABEL_WRAP} ? [slice(datum.label, 0, max(lastindexof(slice(datum.label, 0, ${LABEL_WRAP}), '/'), lastindexof(slice(datum.label, 0, ${LABEL_WRAP}), '+')) + 1), slice(datum.label, max(lastindexof(slice(datum.label, 0, ${LABEL_WRAP}), '/'), lastindexof(slice(datum.label, 0, ${LABEL_WRAP}), '+')) + 1)] : datum.label`;

/**
 * Every nominal y axis of a chart whose labels are long gets the wrapping label expression and rows tall enough for two
 * lines.
 */
function wrapLongLabels(spec: TopLevelSpec): TopLevelSpec {
  const values = chartValues(spec);
  const fields = new Set<string>();
  const visit = (o: unknown): void => {
    if (!o || typeof o !== 'object') return;
    const r = o as Record<string, unknown>;
    const y = (r.encoding as Record<string, unknown> | undefined)?.y as Record<string, unknown> | undefined;
    if (y && y.type === 'nominal' && typeof y.field === 'string') fields.add(y.field);
    for (const v of Object.values(r)) if (v && typeof v === 'object') visit(v);
  };
  visit(spec);
  const long = [...fields].some((f) =>
    values.some((v) => typeof v[f] === 'string' && (v[f] as string).length > LABEL_WRAP),
  );
  if (!long) return spec;
  const wrap = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(wrap);
    if (!o || typeof o !== 'object') return o;
    const r = { ...(o as Record<string, unknown>) };
    for (const [k, v] of Object.entries(r)) r[k] = wrap(v);
    const enc = r.encoding as Record<string, Record<string, unknown>> | undefined;
    if (enc?.y && enc.y.type === 'nominal' && enc.y.field)
      enc.y = { ...enc.y, axis: { ...((enc.y.axis as object) ?? {}), labelExpr: WRAP_EXPR } };
    return r;
  };
  const out = wrap(spec) as Record<string, unknown>;
  // two lines of 12 px text need about 32 px a row
  if (!out.facet && !out.height) out.height = { step: 32 };
  return out as unknown as TopLevelSpec;
}

/**
 * The x scale of a ratio: logarithmic, so that 0.5× and 2× are as far from 1; its domain spans every CI and 1 itself.
 */
export function ratioScale(values: { low: number; high: number; ratio?: number }[]): {
  type: 'log';
  domain: [number, number];
  nice: false;
} {
  let lo = 1;
  let hi = 1;
  for (const v of values) {
    lo = Math.min(lo, v.low, v.ratio ?? v.low);
    hi = Math.max(hi, v.high, v.ratio ?? v.high);
  }
  const pad = Math.max(1.02, (hi / lo) ** 0.06);
  return { type: 'log', domain: [lo / pad, hi * pad], nice: false };
}

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
const CHART_MAX_VARIANTS = 40;

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

/**
 * The variants a per-variant chart shows: all of them, or the baseline and those with the highest and lowest ratio of
 * the headline metric.
 */
function chartedVariants(sc: ScenarioResult): { ids: string[]; note: string } {
  const all = sc.variants.map((v) => v.id);
  if (all.length <= CHART_MAX_VARIANTS) return { ids: all, note: '' };
  const { metric } = headline(sc);
  const ranked = variantRatios(sc, metric).sort((a, b) => b.r - a.r);
  const half = Math.floor((CHART_MAX_VARIANTS - 1) / 2);
  const pick = new Set([
    sc.baseline,
    ...ranked.slice(0, half).map((x) => x.id),
    ...ranked.slice(-(CHART_MAX_VARIANTS - 1 - half)).map((x) => x.id),
  ]);
  const ids = all.filter((id) => pick.has(id));
  return {
    ids,
    note: ` — ${ids.length} of ${all.length} variants: the baseline and those with the highest and lowest ratio; every variant is in the table`,
  };
}

/** The scenario's headline metric and its label (results' one definition, which its warnings are judged on too). */
export const headline = (sc: ScenarioResult): { metric: string; label: string } => headlineOf(sc);

/**
 * Most variants an ECDF chart draws as lines (one colour, or colour and dash, each): beyond it the distribution is
 * drawn as ticks per variant.
 */
const ECDF_MAX = 16;

function bootDistribution(sc: ScenarioResult): Chart {
  const { ids, note } = chartedVariants(sc);
  const samples = measured(sc, new Set(ids));
  if (ids.length > ECDF_MAX) {
    const values = samples.map((s) => ({
      variant: s.variant,
      bootUs: (s.state === 'completed' ? (s.metrics.bootNs ?? 0) : 0) / 1e3,
    }));
    return {
      id: `${sc.name}-boot`,
      title: `Boot time per variant (every measured sample, log scale)${note}`,
      read: 'Each tick is one launch; a variant further right boots slower; a wide cloud means a noisy variant (log scale: equal distances are equal ratios).',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: WIDTH,
        data: { values },
        mark: { type: 'tick', opacity: 0.6 },
        encoding: {
          y: { field: 'variant', type: 'nominal', sort: ids, title: null },
          x: {
            field: 'bootUs',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'boot time (µs, log scale; lower is better)',
          },
        },
      },
    };
  }
  // the empirical CDF of each variant: every sample a step, at most ~300 points a variant
  const values = ids.flatMap((id) => {
    const xs = samples
      .flatMap((s) => (s.variant === id && s.state === 'completed' && s.metrics.bootNs ? [s.metrics.bootNs / 1e3] : []))
      .sort((a, b) => a - b);
    const step = Math.max(1, Math.floor(xs.length / 300));
    return xs.flatMap((x, i) =>
      i % step === 0 || i === xs.length - 1 ? [{ variant: id, bootUs: x, fraction: (i + 1) / xs.length }] : [],
    );
  });
  const dashes = [
    [1, 0],
    [6, 3],
    [2, 2],
    [8, 2, 2, 2],
  ];
  return {
    id: `${sc.name}-boot`,
    title: `Distribution of boot times per variant (empirical CDF)${note}`,
    read: "Each line rises through one variant's launches from fastest to slowest: a line further right boots slower, a flatter line is noisier; where a line reaches 0.5 is its median, 0.99 its p99 (log scale: equal distances are equal ratios).",
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: 320,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
      encoding: {
        x: {
          field: 'bootUs',
          type: 'quantitative',
          scale: { type: 'log' },
          title: 'boot time (µs, log scale; lower is better)',
        },
        y: {
          field: 'fraction',
          type: 'quantitative',
          title: 'fraction of launches at or below',
          scale: { domain: [0, 1] },
        },
        color: {
          field: 'variant',
          type: 'nominal',
          sort: ids,
          scale: { domain: ids, range: ids.map((_, i) => PALETTE[i % PALETTE.length] as string) },
          title: 'variant',
        },
        strokeDash: {
          field: 'variant',
          type: 'nominal',
          sort: ids,
          scale: {
            domain: ids,
            range: ids.map((_, i) => dashes[Math.floor(i / PALETTE.length) % dashes.length] as number[]),
          },
          title: 'variant',
        },
      },
    },
  };
}

function bootBreakdown(sc: ScenarioResult): Chart {
  const { ids, note } = chartedVariants(sc);
  const only = new Set(ids);
  const values = sc.summary
    .filter((v) => only.has(v.variant))
    .flatMap((v) =>
      PHASES.map((phase, step) => ({
        variant: v.variant,
        phase: phase.replace(/Ns$/, ''),
        step,
        us: (v.metrics[phase]?.median ?? 0) / 1e3,
      })),
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
        x: { field: 'us', type: 'quantitative', stack: 'zero', title: 'median time per phase (µs; lower is better)' },
        // stacked in time order (prepare first), the legend in the same order, the same colour for a phase everywhere
        color: {
          field: 'phase',
          type: 'nominal',
          sort: PHASE_ORDER,
          scale: { domain: PHASE_ORDER, range: PHASE_COLOURS },
          title: 'phase',
        },
        order: { field: 'step', type: 'quantitative' },
      },
    },
  };
}

function overhead(sc: ScenarioResult, metric: string, label: string, against = 'the baseline'): Chart | null {
  const { ids, note } = chartedVariants(sc);
  const only = new Set(ids);
  const values = sc.summary.flatMap((v) => {
    const m = v.metrics[metric];
    if (!only.has(v.variant) || !m || m.ratioToBaseline === null || !m.ratioCI95) return [];
    return [{ variant: v.variant, ratio: m.ratioToBaseline, low: m.ratioCI95[0], high: m.ratioCI95[1] }];
  });
  if (values.length === 0) return null;
  const rate = senseOf(metric) === 'rate';
  const order = ids.filter((id) => values.some((v) => v.variant === id));
  return {
    id: `${sc.name}-overhead-${metric}`,
    title: `${label}: ratio to ${against}, ratio of medians with bootstrap 95% CI${note}`,
    read: rate
      ? `A dot right of the dashed line at 1 is faster (more per second) than ${against}, left of it slower; a bar that crosses 1 is no measurable difference (log scale: 0.5× and 2× are equally far from 1).`
      : `A dot right of the dashed line at 1 takes longer than ${against}, left of it less; a bar that crosses 1 is no measurable difference (log scale: 0.5× and 2× are equally far from 1).`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      layer: [
        {
          mark: { type: 'rule', color: '#555', strokeDash: [4, 4] },
          encoding: { x: { datum: 1, type: 'quantitative', scale: ratioScale(values) } },
        },
        {
          mark: { type: 'rule', strokeWidth: 2, color: PALETTE[0] },
          encoding: {
            y: { field: 'variant', type: 'nominal', sort: order, title: null },
            x: {
              field: 'low',
              type: 'quantitative',
              scale: ratioScale(values),
              title: `ratio to ${against} (×, log scale; ${rate ? 'higher is better' : 'lower is better'})`,
            },
            x2: { field: 'high' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 50, color: PALETTE[0] },
          encoding: {
            y: { field: 'variant', type: 'nominal', sort: order, title: null },
            x: { field: 'ratio', type: 'quantitative' },
          },
        },
      ],
    },
  };
}

function freezeCurve(sc: ScenarioResult): Chart {
  const ids = sc.variants.map((v) => v.id);
  const values = sc.summary.flatMap((v) =>
    (['freezeNs', 'thawNs'] as const).flatMap((metric) => {
      const m = v.metrics[metric];
      const what = metric === 'freezeNs' ? 'freeze' : 'thaw';
      return m && m.n >= 6
        ? [
            { variant: v.variant, what, stat: 'p50', ms: m.median / 1e6 },
            { variant: v.variant, what, stat: 'p99', ms: m.p99 / 1e6 },
          ]
        : [];
    }),
  );
  return {
    id: `${sc.name}-freeze`,
    title: 'Pause (freeze) and resume (thaw) latency per freezer, mode and processes held: p50 and p99',
    read: 'Each row is a variant (freezer/mode/processes); a filled dot is the median, a hollow one the p99, joined by a line: further right is slower; a long line means a long tail (log scale).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      facet: { row: { field: 'what', type: 'nominal', title: null, sort: ['freeze', 'thaw'] } },
      spec: {
        width: WIDTH,
        layer: [
          {
            mark: { type: 'line', color: '#999' },
            encoding: {
              y: { field: 'variant', type: 'nominal', sort: ids, title: null },
              x: { field: 'ms', type: 'quantitative', scale: { type: 'log' } },
              detail: { field: 'variant' },
            },
          },
          {
            mark: { type: 'point', size: 60 },
            encoding: {
              y: { field: 'variant', type: 'nominal', sort: ids, title: null },
              x: {
                field: 'ms',
                type: 'quantitative',
                scale: { type: 'log' },
                title: 'latency (ms, log scale; lower is better)',
              },
              shape: { field: 'stat', type: 'nominal', title: 'statistic' },
              fill: {
                field: 'stat',
                type: 'nominal',
                scale: { domain: ['p50', 'p99'], range: [PALETTE[0] as string, 'white'] },
                title: 'statistic',
              },
              stroke: { value: PALETTE[0] },
            },
          },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}

/**
 * The kernel's teardown backlog over time beside each churning antagonist: per sample, the live namespace objects of
 * the kind that grew most over the count before the churn, read every 50 ms, the last point where the drain ended.
 */
function backlogCurve(sc: ScenarioResult): Chart | null {
  const values: Record<string, unknown>[] = [];
  for (const s of sc.samples) {
    if (s.state !== 'completed' || !isMeasured(s)) continue;
    const t = s.series?.['backlog.t'];
    if (!t) continue;
    const kinds = Object.keys(s.series ?? {}).filter((k) => k !== 'backlog.t' && k.startsWith('backlog.'));
    const top = kinds.sort((a, b) => Math.max(...(s.series?.[b] ?? [0])) - Math.max(...(s.series?.[a] ?? [0])))[0];
    if (!top) continue;
    const ys = s.series?.[top] ?? [];
    const what = `${s.variant} (${top.slice('backlog.'.length).replace(/_namespace$/, '')})`;
    for (const [i, x] of t.entries()) values.push({ what, sample: s.seq, t: x, n: ys[i] ?? 0 });
  }
  if (!values.length) return null;
  return {
    id: `${sc.name}-backlog`,
    title: 'The teardown backlog over time beside each churning tenant: namespaces dying but not yet freed',
    read: 'One line per sample: the live namespace objects of the kind the churn grew most, over the count before it, every 50 ms from the antagonist’s start; the last point is where the kernel had freed them after the churn was killed. A line that keeps rising is a backlog the kernel does not keep up with.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: 260,
      data: { values },
      mark: { type: 'line', opacity: 0.7 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'seconds since the antagonist started' },
        y: { field: 'n', type: 'quantitative', title: 'namespaces dying, not yet freed (count; lower is better)' },
        color: { field: 'what', type: 'nominal', title: 'variant (namespace kind)', scale: { range: PALETTE } },
        detail: { field: 'sample' },
      },
    } as unknown as TopLevelSpec,
  };
}

/** A median and its 95% CI (the median where there is none), in a unit: the points a set's line runs through. */
function medianWithCI(m: { median: number; medianCI95: [number, number] | null }, per = 1) {
  return {
    median: m.median / per,
    low: (m.medianCI95?.[0] ?? m.median) / per,
    high: (m.medianCI95?.[1] ?? m.median) / per,
  };
}

/**
 * A line per namespace set through its medians against a quantitative x, each median's 95% CI a rule: the chart of
 * parallel creation (throughput against K) and of crowded mount tables (boot against mounts). `values` hold `set`,
 * the x and y fields, `low` and `high`.
 */
function setLines(o: {
  id: string;
  title: string;
  read: string;
  height: number;
  values: Record<string, unknown>[];
  x: { field: string; scale: Record<string, unknown>; axis: Record<string, unknown>; title: string };
  y: { field: string; title: string; scale?: Record<string, unknown> };
  sets?: string[];
}): Chart {
  const x = { ...o.x, type: 'quantitative' };
  const colour = {
    field: 'set',
    type: 'nominal',
    ...(o.sets ? { sort: o.sets } : {}),
    title: 'namespace set',
    scale: { range: PALETTE },
  };
  return {
    id: o.id,
    title: o.title,
    read: o.read,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: o.height,
      data: { values: o.values },
      layer: [
        {
          mark: { type: 'line', point: { size: 50 } },
          encoding: { x, y: { ...o.y, type: 'quantitative' }, color: colour },
        },
        {
          mark: { type: 'rule' },
          encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color: colour },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** A crowded mount table: boot p50 against the mounts of the namespace each sandbox was created from, per set. */
function mountCurve(sc: ScenarioResult): Chart | null {
  const mountsOf = new Map(sc.variants.flatMap((v) => (v.mounts === undefined ? [] : [[v.id, v.mounts] as const])));
  if (!mountsOf.size) return null;
  const values = sc.summary.flatMap((v) => {
    const mounts = mountsOf.get(v.variant);
    const m = v.metrics.bootNs;
    if (mounts === undefined || !m) return [];
    const { median, low, high } = medianWithCI(m, 1e6);
    return [{ set: v.variant.replace(/\/m\d+$/, ''), mounts, ms: median, low, high }];
  });
  return setLines({
    id: `${sc.name}-mounts`,
    title: 'Boot time against the number of mounts a new mount namespace copies, per namespace set (median, 95% CI)',
    read: 'Each line is a namespace set created from a private mount namespace holding that many bind mounts; a set with a mount namespace of its own copies them all and rises, one without stays flat; the bars are 95% CIs of the medians.',
    height: 260,
    values,
    x: {
      field: 'mounts',
      scale: { type: 'symlog', constant: 10 },
      axis: { values: [...new Set(mountsOf.values())].sort((a, b) => a - b), format: 'd' },
      title: 'mounts in the namespace copied (symmetric log scale)',
    },
    y: { field: 'ms', title: 'boot time p50 (ms; lower is better)' },
  });
}

/** Parallel creation: create+destroy throughput against K per namespace set, with the medians' 95% CIs. */
function scalingCurve(sc: ScenarioResult): Chart {
  const rows = scalingRows(sc).filter((r) => r.perSec);
  const ks = [...new Set(rows.map((r) => r.k))].sort((a, b) => a - b);
  const values = rows.map((r) => {
    const { median, low, high } = medianWithCI(r.perSec as NonNullable<typeof r.perSec>);
    return { set: r.set, k: r.k, perSec: median, low, high };
  });
  return setLines({
    id: `${sc.name}-scaling`,
    title: 'Create + destroy throughput against the number of launchers at once, per namespace set (median, 95% CI)',
    read: 'Each line is a namespace set; a line that rises with K scales, a flat one is serialised somewhere (in the kernel, or on the CPUs once K exceeds them); the bars are 95% CIs of the medians.',
    height: 280,
    values,
    x: {
      field: 'k',
      scale: { type: 'log', base: 2, domain: [ks[0] ?? 1, ks.at(-1) ?? 1] },
      axis: { values: ks, format: 'd' },
      title: 'launchers at once, K (log scale)',
    },
    y: { field: 'perSec', title: 'launches per second (higher is better)', scale: { zero: false } },
    sets: [...new Set(rows.map((r) => r.set))],
  });
}

function throughput(sc: ScenarioResult): Chart {
  const values = sc.summary.flatMap((v) => {
    const m = v.metrics['workload.throughputMbitPerSec'];
    return m ? [{ variant: v.variant, mbit: m.median, low: m.p5, high: m.p95 }] : [];
  });
  return {
    id: `${sc.name}-throughput`,
    title: 'TCP throughput per topology and test (median, p5–p95)',
    read: "Longer bars carry more data per second; compare each topology's bars with host loopback's, the bare baseline.",
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      layer: [
        {
          mark: { type: 'bar', color: PALETTE[4] },
          encoding: {
            y: { field: 'variant', type: 'nominal', title: null },
            x: { field: 'mbit', type: 'quantitative', title: 'throughput (Mbit/s; higher is better)' },
          },
        },
        {
          mark: { type: 'rule', color: '#333' },
          encoding: {
            y: { field: 'variant', type: 'nominal' },
            x: { field: 'low', type: 'quantitative' },
            x2: { field: 'high' },
          },
        },
      ],
    },
  };
}

/** A density chart of one line per ramp (the ramp's id in `ramp`), coloured by variant, on the given axes. */
function perRampLines(
  values: Record<string, unknown>[],
  x: Record<string, unknown>,
  y: Record<string, unknown>,
  strokeWidth: number,
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    data: { values },
    mark: { type: 'line', opacity: 0.7, strokeWidth },
    encoding: { x, y, color: { field: 'variant', type: 'nominal', title: 'variant' }, detail: { field: 'ramp' } },
  } as TopLevelSpec;
}

function densityCurve(sc: ScenarioResult): Chart {
  const values = sc.samples.flatMap((s) => {
    if (s.state !== 'completed' || !isMeasured(s)) return [];
    const boots = s.series?.bootNs ?? [];
    const step = Math.max(1, Math.floor(boots.length / 150)); // at most ~150 points per ramp
    return boots.flatMap((b, i) =>
      i % step === 0
        ? [{ variant: s.variant, ramp: `${s.variant} #${s.round + 1}`, instance: i + 1, bootUs: b / 1e3 }]
        : [],
    );
  });
  return {
    id: `${sc.name}-density`,
    title: 'Boot time of each launch as the number of held sandboxes grows (every measured ramp)',
    read: 'Each line is one ramp, its colour the variant: a line that rises means each new sandbox boots slower while more are held; lines of one colour apart from each other mean the ramps disagree.',
    spec: perRampLines(
      values,
      { field: 'instance', type: 'quantitative', title: 'sandboxes held when it launched' },
      {
        field: 'bootUs',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'boot time (µs, log scale; lower is better)',
      },
      1,
    ),
  };
}

/**
 * Memory the ramp's cgroup was charged against the sandboxes it held, after each batch: one line per ramp (runs that
 * recorded it).
 */
function densityMemory(sc: ScenarioResult): Chart | null {
  const values = sc.samples.flatMap((s) => {
    if (s.state !== 'completed' || !isMeasured(s)) return [];
    const heldAt = s.series?.chargedHeld ?? [];
    const bytes = s.series?.chargedBytes ?? [];
    return heldAt.map((h, i) => ({
      variant: s.variant,
      ramp: `${s.variant} #${s.round + 1}`,
      held: h,
      mib: (bytes[i] ?? 0) / 2 ** 20,
    }));
  });
  if (!values.length) return null;
  return {
    id: `${sc.name}-memory`,
    title: "Memory charged to the ramp's cgroup against the sandboxes it held (every measured ramp)",
    read: 'Each line is one ramp, its colour the variant: a straight line means every sandbox costs the same; its slope is the memory per sandbox (the table gives it with its CI); a bend means the cost changes as more are held.',
    spec: perRampLines(
      values,
      { field: 'held', type: 'quantitative', title: 'sandboxes held' },
      { field: 'mib', type: 'quantitative', title: 'memory charged (MiB; lower is better)' },
      1.5,
    ),
  };
}

/** Teardown of each ramp: the time to end every held sandbox, and the kernel's work after it, per ramp. */
function teardown(sc: ScenarioResult): Chart {
  const values = sc.samples.flatMap((s) => {
    if (s.state !== 'completed' || !isMeasured(s) || s.metrics.teardownNs === undefined) return [];
    return [
      { variant: s.variant, ramp: s.round + 1, part: 'ending the sandboxes', ms: s.metrics.teardownNs / 1e6 },
      ...(s.metrics.teardownDebtNs !== undefined && s.metrics.teardownDebtNs >= 0
        ? [{ variant: s.variant, ramp: s.round + 1, part: 'kernel work after it', ms: s.metrics.teardownDebtNs / 1e6 }]
        : []),
    ];
  });
  return {
    id: `${sc.name}-teardown`,
    title: 'Teardown of each ramp: ending every held sandbox, and the kernel work still running after it',
    read: "Each dot is one ramp; the kernel's deferred work (freeing namespaces, RCU) often dwarfs the time to end the processes themselves: it is load the next workload on the machine pays for.",
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
      encoding: {
        y: { field: 'variant', type: 'nominal', title: null },
        yOffset: { field: 'part', type: 'nominal' },
        x: {
          field: 'ms',
          type: 'quantitative',
          scale: { type: 'log' },
          title: 'time per ramp (ms, log scale; lower is better)',
        },
        color: { field: 'part', type: 'nominal', title: 'part' },
      },
    },
  };
}

/**
 * Every variant's ratio to the baseline, binned here (at most 40 bars whatever the number of variants): the aggregate
 * view of a scenario too large to chart per variant.
 */
function ratioHistogram(sc: ScenarioResult, metric: string, label: string): Chart | null {
  if (sc.variants.length <= CHART_MAX_VARIANTS) return null;
  const ratios = variantRatios(sc, metric).map((x) => x.r);
  if (ratios.length === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of ratios) {
    lo = Math.min(lo, r);
    hi = Math.max(hi, r);
  }
  const bins = Math.min(40, Math.max(1, Math.ceil(Math.sqrt(ratios.length))));
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const r of ratios)
    counts[Math.min(bins - 1, Math.floor((r - lo) / width))] =
      (counts[Math.min(bins - 1, Math.floor((r - lo) / width))] ?? 0) + 1;
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
      encoding: {
        x: { field: 'from', type: 'quantitative', title: 'ratio to baseline', scale: { zero: false } },
        x2: { field: 'to' },
        y: { field: 'variants', type: 'quantitative', title: 'variants' },
      },
    },
  };
}

/**
 * Isolation gained (cells isolated) against the boot overhead paid: one row per namespace set, its boot ratio with its
 * CI, ordered by isolation.
 */
export function isolationVsCost(run: RunResults, sc: ScenarioResult): Chart | null {
  const rows = isolationMatrix(run, sc).filter((r) => r.bootRatio !== null);
  const values = rows.map((r) => ({
    set: `${r.variant} (${r.isolated}/8)`,
    isolated: r.isolated,
    ratio: r.bootRatio as number,
    low: r.bootRatioCI?.[0] ?? (r.bootRatio as number),
    high: r.bootRatioCI?.[1] ?? (r.bootRatio as number),
  }));
  if (values.length === 0) return null;
  const order = [...values].sort((a, b) => b.isolated - a.isolated || a.ratio - b.ratio).map((v) => v.set);
  return {
    id: `${sc.name}-isolation-vs-cost`,
    title:
      'Isolation gained (kinds isolated of 8, in brackets) and boot time paid (ratio to bare, 95% CI), per namespace set',
    read: 'Rows from most to least isolation; further right costs more boot time. A set below another that sits further right buys less for more: the sets worth choosing are those no row above beats on cost.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      data: { values },
      layer: [
        {
          mark: { type: 'rule', color: '#555', strokeDash: [4, 4] },
          encoding: { x: { datum: 1, type: 'quantitative', scale: ratioScale(values) } },
        },
        {
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: {
            y: { field: 'set', type: 'nominal', sort: order, title: null },
            x: {
              field: 'low',
              type: 'quantitative',
              scale: ratioScale(values),
              title: 'boot time vs bare (×, log scale; lower is better)',
            },
            x2: { field: 'high' },
            color: {
              field: 'isolated',
              type: 'quantitative',
              scale: { domain: [0, 8], scheme: 'viridis' },
              title: 'kinds isolated',
            },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            y: { field: 'set', type: 'nominal', sort: order, title: null },
            x: { field: 'ratio', type: 'quantitative' },
            color: {
              field: 'isolated',
              type: 'quantitative',
              scale: { domain: [0, 8], scheme: 'viridis' },
              title: 'kinds isolated',
            },
          },
        },
      ],
    },
  };
}

/**
 * The charts of a scenario, by its kind (none for the isolation probe: its few launches are no estimate; its chart is
 * in the axioms section).
 */
export function chartsFor(sc: ScenarioResult): Chart[] {
  const { metric, label } = headline(sc);
  const out: (Chart | null)[] =
    sc.kind === 'density'
      ? [densityCurve(sc), densityMemory(sc), teardown(sc)]
      : sc.kind === 'freeze'
        ? [freezeCurve(sc)]
        : sc.kind === 'network'
          ? [
              throughput(sc),
              overhead(sc, metric, label, 'host loopback'),
              overhead(sc, 'workload.p50Ns', 'request/response latency p50', 'host loopback'),
            ]
          : sc.kind === 'isolation'
            ? []
            : sc.kind === 'scaling'
              ? [scalingCurve(sc)]
              : sc.kind === 'interference'
                ? [
                    overhead(
                      sc,
                      'workload.elapsedNs',
                      "The victim's run time beside an antagonist (slowdown; the boot-only victims are in the table)",
                      'running alone',
                    ),
                    backlogCurve(sc),
                  ]
                : [
                    mountCurve(sc),
                    ratioHistogram(sc, metric, label),
                    bootDistribution(sc),
                    bootBreakdown(sc),
                    overhead(sc, 'bootNs', 'boot time'),
                    metric !== 'bootNs' ? overhead(sc, metric, label) : null,
                  ];
  return out
    .filter((c): c is Chart => c !== null && chartValues(c.spec).length > 0)
    .map((c) => ({ ...c, spec: styled(c.spec) }));
}

/** The data a chart draws (its inline values). */
export const chartValues = (spec: TopLevelSpec): Record<string, unknown>[] =>
  (spec as { data?: { values?: Record<string, unknown>[] } }).data?.values ?? [];
