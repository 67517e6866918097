import { median } from 'simple-statistics';
import {
  environmentDifferences,
  headlineMetric,
  higherIsBetter,
  isMeasured,
  MIN_VERDICT_SAMPLES,
  type RunResults,
  type ScenarioResult,
} from '../results/index.ts';
import { benjaminiHochberg, logMedianVariance, studentTQuantile, studentTSf } from '../stats/index.ts';

export interface CompareOptions {
  /** An effect must lie beyond this (percent) in the worse direction (default 5). */
  thresholdPct?: number;
  /** Per-metric thresholds (percent), e.g. { bootNs: 10 }. */
  thresholds?: Record<string, number>;
  /** False discovery rate for the Benjamini-Hochberg q-values (default 0.05). */
  alpha?: number;
  /** Only these metrics (default: the headline metrics both runs have). */
  metrics?: string[];
  /**
   * Fewer samples than this on a side: the row is reported but never decides (default 6, the fewest for a median CI).
   */
  minSamples?: number;
  seed?: number;
  /**
   * The run-to-run sd (percent) allowed for when there is one baseline run (default RUN_SD_DEFAULT_PCT, measured here
   * by A/A reruns).
   */
  runSdPct?: number;
  /** Both sides were measured interleaved in one run (nsbench ab): run-to-run variance cancels, none is added. */
  sameRun?: boolean;
}

type Verdict = 'regression' | 'improvement' | '~' | 'too few samples';

/** Where the run-to-run variance in a verdict comes from. */
type RunVarianceSource = 'baseline-runs' | 'default' | 'same-run';

export interface CompareRow {
  scenario: string;
  variant: string;
  metric: string;
  higherIsBetter: boolean;
  /** the baseline: one run's median, or the geometric mean of several runs' medians (n: their samples together) */
  baseline: { n: number; median: number; runs: number };
  current: { n: number; median: number };
  /** current / baseline medians */
  ratio: number;
  /** a 95% prediction interval of the ratio: the noise within both runs and between runs */
  ratioCI95: [number, number];
  p: number;
  q: number;
  thresholdPct: number;
  /** the run-to-run sd allowed for (percent), and where it comes from */
  runSdPct: number;
  runVariance: RunVarianceSource;
  verdict: Verdict;
}

export interface CompareResult {
  rows: CompareRow[];
  regressions: CompareRow[];
  improvements: CompareRow[];
  /** environment differences, scenarios or variants only on one side */
  warnings: string[];
  /** how run-to-run variance entered the verdicts, in words */
  method: string;
  /** 0: no regression, 1: a confirmed regression */
  exitCode: 0 | 1;
}

/**
 * The run-to-run sd (percent, of a run's median) allowed for when a verdict
 * has one baseline run: measured on this project's build machine (a shared
 * 2-core VM) by A/A reruns of the boot scenario, 8 runs each: 7.9% for runs
 * of 300 rounds (~10 s, 15 s apart), 18.5% for runs of 30 rounds (~1 s, 30 s
 * apart), every variant moving together (docs/statistics.md). Two runs then
 * differ by √2 times it. A quiet dedicated host varies far less: give 3 or
 * more baseline runs and compare estimates its own, or use `nsbench ab`.
 */
const RUN_SD_DEFAULT_PCT = 8;

export const COMPARE_DEFAULTS = {
  thresholdPct: 5,
  alpha: 0.05,
  minSamples: MIN_VERDICT_SAMPLES,
  runSdPct: RUN_SD_DEFAULT_PCT,
} as const;

/**
 * Prior degrees of freedom that pool a variant's own run-to-run variance with its scenario's (moderated, as limma
 * does).
 */
const PRIOR_DF = 4;

function measured(sc: ScenarioResult, variant: string, metric: string): number[] {
  return sc.samples.flatMap((s) =>
    s.state === 'completed' && isMeasured(s) && s.variant === variant && Number.isFinite(s.metrics[metric])
      ? [s.metrics[metric] as number]
      : [],
  );
}

function metricsOf(sc: ScenarioResult): Set<string> {
  const out = new Set<string>();
  for (const s of sc.samples) if (s.state === 'completed') for (const k of Object.keys(s.metrics)) out.add(k);
  return out;
}

/** One side's figures for a row: per run, the log median and its within-run variance. */
interface Side {
  n: number;
  logMedians: number[];
  within: number[];
}

function sideOf(values: readonly number[][], seed: number): Side | null {
  const logMedians: number[] = [];
  const within: number[] = [];
  let n = 0;
  for (const xs of values) {
    if (!xs.length) continue;
    const m = median(xs);
    const w = logMedianVariance(xs, seed);
    if (!(m > 0) || w === null) return null;
    logMedians.push(Math.log(m));
    within.push(w);
    n += xs.length;
  }
  return logMedians.length ? { n, logMedians, within } : null;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Compares a current run with one or several baseline runs, metric by metric:
 * the change of the median (log ratio) against everything that moves a run's
 * median when nothing changed — the noise within each run (a bootstrap of the
 * median) and the run-to-run variance (another boot, another host of the same
 * type, another day). With several baseline runs that variance is estimated
 * from how their medians disagree (a random run effect, pooled over the
 * scenario's variants and moderated per variant), and the interval is a
 * prediction interval for a new run (Student's t); with one baseline run a
 * documented default allowance is used (RUN_SD_DEFAULT_PCT); with both sides
 * from one interleaved run (nsbench ab) none is needed. p from that interval,
 * Benjamini–Hochberg q across everything compared. A regression: q < alpha
 * and the change beyond the threshold in the worse direction. Nothing
 * silences a variant whose own evidence says so (the old "same direction in
 * half the variants" guard silenced 26% of real +8% regressions).
 */
export function compareRuns(
  baseline: RunResults | readonly RunResults[],
  current: RunResults,
  opts: CompareOptions = {},
): CompareResult {
  const bases = Array.isArray(baseline) ? (baseline as readonly RunResults[]) : [baseline as RunResults];
  const first = bases[0] as RunResults;
  const thresholdPct = opts.thresholdPct ?? COMPARE_DEFAULTS.thresholdPct;
  const alpha = opts.alpha ?? COMPARE_DEFAULTS.alpha;
  const minSamples = opts.minSamples ?? COMPARE_DEFAULTS.minSamples;
  const seed = opts.seed ?? 1;
  const warnings = environmentDifferences(first, current);
  for (const b of bases.slice(1))
    for (const w of environmentDifferences(first, b))
      warnings.push(`baseline runs differ: ${w.replace(/^environments differ: /, '')}`);
  const rows: CompareRow[] = [];
  // per scenario and metric: the rows' sides, so that run-to-run variance can be pooled over the variants
  type Pending = {
    row: Omit<CompareRow, 'ratio' | 'ratioCI95' | 'p' | 'q' | 'runSdPct' | 'runVariance' | 'verdict'>;
    base: Side;
    cur: Side;
    group: string;
  };
  const pending: Pending[] = [];
  const nonPositive: string[] = [];
  for (const cur of current.scenarios) {
    const baseScs = bases.map((b) => b.scenarios.find((s) => s.name === cur.name));
    const base = baseScs[0];
    if (!base) {
      warnings.push(`scenario ${cur.name} is only in the current run`);
      continue;
    }
    const present = baseScs.filter((s): s is ScenarioResult => s !== undefined);
    if (present.length < bases.length)
      warnings.push(`scenario ${cur.name} is in ${present.length} of the ${bases.length} baseline runs`);
    const baseMetrics = metricsOf(base);
    const curMetrics = metricsOf(cur);
    const wanted = (m: string) => (opts.metrics ? opts.metrics.includes(m) : headlineMetric(m));
    const metrics = [...curMetrics].filter((m) => baseMetrics.has(m) && wanted(m)).sort();
    // fewer comparisons than the baseline had: say which
    for (const m of [...baseMetrics].filter((x) => wanted(x) && !curMetrics.has(x)).sort())
      warnings.push(`${cur.name}: metric ${m} is only in the baseline run`);
    for (const v of cur.variants) {
      if (!base.variants.some((b) => b.id === v.id)) {
        warnings.push(`${cur.name}/${v.id} is only in the current run`);
        continue;
      }
      for (const metric of metrics) {
        const xs = present.map((s) => measured(s, v.id, metric));
        const y = measured(cur, v.id, metric);
        if (xs.every((x) => x.length === 0) || y.length === 0) continue;
        const b = sideOf(xs, seed);
        const c = sideOf([y], seed + 1);
        if (!b || !c) {
          nonPositive.push(`${cur.name}/${v.id} ${metric}`);
          continue;
        }
        pending.push({
          row: {
            scenario: cur.name,
            variant: v.id,
            metric,
            higherIsBetter: higherIsBetter(metric),
            baseline: { n: b.n, median: Math.exp(mean(b.logMedians)), runs: b.logMedians.length },
            current: { n: y.length, median: median(y) },
            thresholdPct: opts.thresholds?.[metric] ?? thresholdPct,
          },
          base: b,
          cur: c,
          group: `${cur.name}\u0000${metric}`,
        });
      }
    }
    for (const b of base.variants)
      if (!cur.variants.some((v) => v.id === b.id)) warnings.push(`${cur.name}/${b.id} is only in the baseline run`);
  }
  for (const b of first.scenarios)
    if (!current.scenarios.some((s) => s.name === b.name))
      warnings.push(`scenario ${b.name} is only in the baseline run`);
  if (nonPositive.length)
    warnings.push(
      `not compared, a median is 0 or negative (no ratio): ${nonPositive.slice(0, 6).join(', ')}${nonPositive.length > 6 ? ` and ${nonPositive.length - 6} more` : ''}`,
    );

  // run-to-run variance per scenario and metric, from the baseline runs' disagreement (method of moments:
  // the spread of a variant's run medians minus what their within-run noise explains), pooled over the variants
  const k = Math.max(...pending.map((p) => p.base.logMedians.length), 1);
  const pooled = new Map<string, { v: number; df: number }>();
  if (!opts.sameRun && k >= 2) {
    const acc = new Map<string, { ss: number; df: number; within: number; n: number }>();
    for (const p of pending) {
      const ms = p.base.logMedians;
      if (ms.length < 2) continue;
      const m = mean(ms);
      const a = acc.get(p.group) ?? { ss: 0, df: 0, within: 0, n: 0 };
      a.ss += ms.reduce((s, x) => s + (x - m) ** 2, 0);
      a.df += ms.length - 1;
      a.within += mean(p.base.within);
      a.n++;
      acc.set(p.group, a);
    }
    for (const [g, a] of acc) pooled.set(g, { v: Math.max(0, a.ss / a.df - a.within / a.n), df: a.df });
  }
  const runSdDefault = (opts.runSdPct ?? COMPARE_DEFAULTS.runSdPct) / 100;
  for (const p of pending) {
    const kb = p.base.logMedians.length;
    const d = (p.cur.logMedians[0] as number) - mean(p.base.logMedians);
    const withinCur = p.cur.within[0] as number;
    const withinBase = mean(p.base.within) / kb;
    let runVar: number;
    let df: number;
    let source: RunVarianceSource;
    if (opts.sameRun) {
      runVar = 0;
      df = Infinity;
      source = 'same-run';
    } else if (kb >= 2) {
      const pool = pooled.get(p.group) ?? { v: 0, df: 0 };
      const ms = p.base.logMedians;
      const m = mean(ms);
      const own = Math.max(0, ms.reduce((s, x) => s + (x - m) ** 2, 0) / (kb - 1) - mean(p.base.within));
      const prior = Math.min(PRIOR_DF, pool.df);
      // the variant's own estimate moderated toward its scenario's pooled one (never below the pooled one alone)
      runVar = Math.max(pool.v, ((kb - 1) * own + prior * pool.v) / (kb - 1 + prior));
      df = kb - 1 + prior;
      source = 'baseline-runs';
    } else {
      runVar = runSdDefault ** 2;
      df = Infinity;
      source = 'default';
    }
    // the current run's effect, and the baseline's mean of kb run effects
    const v = runVar * (1 + 1 / kb) + withinCur + withinBase;
    const se = Math.sqrt(v);
    const t = studentTQuantile(0.975, df);
    const pValue = se > 0 ? Math.min(1, 2 * studentTSf(Math.abs(d) / se, df)) : d === 0 ? 1 : 0;
    rows.push({
      ...p.row,
      ratio: Math.exp(d),
      ratioCI95: [Math.exp(d - t * se), Math.exp(d + t * se)],
      p: pValue,
      q: 1,
      runSdPct: 100 * Math.sqrt(runVar),
      runVariance: source,
      verdict: '~',
    });
  }
  const qs = benjaminiHochberg(rows.map((r) => r.p));
  rows.forEach((r, i) => {
    r.q = qs[i] as number;
    const t = r.thresholdPct / 100;
    const worse = r.higherIsBetter ? r.ratio < 1 - t : r.ratio > 1 + t;
    const better = r.higherIsBetter ? r.ratio > 1 + t : r.ratio < 1 - t;
    if (r.baseline.n / r.baseline.runs < minSamples || r.current.n < minSamples) r.verdict = 'too few samples';
    else if (r.q < alpha && worse) r.verdict = 'regression';
    else if (r.q < alpha && better) r.verdict = 'improvement';
  });
  const regressions = rows.filter((r) => r.verdict === 'regression');
  return {
    rows,
    regressions,
    improvements: rows.filter((r) => r.verdict === 'improvement'),
    warnings,
    method: methodLine(rows, bases.length, opts),
    exitCode: regressions.length ? 1 : 0,
  };
}

/** How run-to-run variance entered the verdicts, for the report. */
function methodLine(rows: readonly CompareRow[], baselineRuns: number, opts: CompareOptions): string {
  if (opts.sameRun) return 'A and B interleaved round by round in one run: run-to-run variance cancels, none is added';
  if (baselineRuns >= 2) {
    const sds = rows.map((r) => r.runSdPct).sort((a, b) => a - b);
    const mid = sds.length ? (sds[sds.length >> 1] as number) : 0;
    return `run-to-run variance estimated from ${baselineRuns} baseline runs (median sd ${mid.toFixed(1)}% of a run's median);\n  the CI is a 95% prediction interval for a new run`;
  }
  return `one baseline run: a default run-to-run sd of ${(opts.runSdPct ?? COMPARE_DEFAULTS.runSdPct).toFixed(1)}% is allowed for (measured by A/A reruns on the build machine);\n  give 3+ baseline runs to estimate this machine's, --run-sd to set it, or use nsbench ab`;
}
