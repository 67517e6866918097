import { stringify } from 'csv-stringify/sync';
import { directionOf } from './headlines.ts';
import { isMeasured } from './summary.ts';
import type { CreateMethod, Placement, RunResults, ScenarioResult } from './types.ts';

/**
 * The units of the CSV files, one fixed vocabulary: every value is converted
 * to one of these (microseconds and milliseconds to ns, KiB to bytes, a rate
 * to ops/s or Mbit/s, a percentage to a ratio); whatever counts something —
 * samples, processes, calls, retries, an isolated cell (0 or 1) — is "count".
 */
export const CSV_UNITS = ['ns', 'bytes', 'ops/s', 'Mbit/s', 'ratio', 'count'] as const;
type CsvUnit = (typeof CSV_UNITS)[number];

/**
 * A metric's CSV unit and the factor its recorded value is multiplied by to be in it (from the name's suffix: ...Ns,
 * ...Us, ...Kb).
 */
export function csvUnit(metric: string): { unit: CsvUnit; factor: number } {
  if (/MbitPerSec$/.test(metric)) return { unit: 'Mbit/s', factor: 1 };
  if (/PerSec$/.test(metric)) return { unit: 'ops/s', factor: 1 };
  if (/Ns$|NsPerInstance$/.test(metric) || /nsPer(Call|Op)$/.test(metric)) return { unit: 'ns', factor: 1 };
  if (/Us$/.test(metric)) return { unit: 'ns', factor: 1e3 };
  if (/Ms$/.test(metric)) return { unit: 'ns', factor: 1e6 };
  if (/Sec$/.test(metric)) return { unit: 'ns', factor: 1e9 };
  if (/Kb$/.test(metric)) return { unit: 'bytes', factor: 1024 };
  if (/Bytes$/.test(metric)) return { unit: 'bytes', factor: 1 };
  if (/Pct$/.test(metric)) return { unit: 'ratio', factor: 0.01 };
  if (/Fraction$|Ratio$/.test(metric)) return { unit: 'ratio', factor: 1 };
  return { unit: 'count', factor: 1 };
}

/**
 * Where a scenario's launcher and sandboxes ran: as recorded, or, in a file from before placement was recorded, what
 * its CPU split says (a split then gave the sandboxes every CPU but nsbench's: spread; none: free).
 */
export function placementOf(sc: Pick<ScenarioResult, 'placement' | 'cpus'>): Placement {
  return sc.placement ?? (sc.cpus ? 'spread' : 'free');
}

/** How a scenario's sandboxes were made: as recorded, or fork-style in a file from before it was recorded. */
export function createOf(sc: Pick<ScenarioResult, 'create'>): CreateMethod {
  return sc.create ?? 'fork';
}

/**
 * The CPUs a scenario's sandboxes were kept on, as text that always reads as
 * text ("cpu1", "cpu2,cpu3"; "all" where they shared every CPU): a bare "1"
 * would make pandas read the column as numbers in one part of a file and
 * text in another.
 */
function cpuText(cpus: { sandboxes: readonly number[] } | undefined): string {
  return cpus ? cpuNames(cpus.sandboxes) : 'all';
}

/** CPUs as the CSV and the reports name them: cpu0,cpu2. */
export const cpuNames = (cpus: readonly number[]): string => cpus.map((c) => `cpu${c}`).join(',');

/** Booleans as true/false (pandas and R read them as logicals), absent values as empty cells (NA). */
const CAST = { boolean: (v: boolean) => (v ? 'true' : 'false') };

export const SAMPLES_CSV_COLUMNS = [
  'run_id',
  'scenario',
  'variant',
  'namespaces',
  'round',
  'attempt',
  'warmup',
  'seq',
  'state',
  'measured',
  'disturbed',
  'superseded',
  'pace',
  'placement',
  'create',
  'prev',
  'gap_ns',
  'cpus',
  'metric',
  'value',
  'unit',
  'problem',
] as const;

/**
 * Raw samples in long (tidy) form: one row per sample and metric, with every
 * recorded condition as its own column — the round's attempt, whether it was
 * a warm-up, counted in the statistics (measured), disturbed by other load or
 * run again (superseded), the pace, the variant launched just before (prev),
 * the gap since the previous exit, the CPUs the sandboxes were kept on — so a
 * researcher can filter what nsbench itself flagged. A sample without
 * metrics (skipped, errored early) is one row with its reason in `problem`;
 * every other row says "none" there (a text column that stays text).
 */
export function samplesCsv(run: RunResults): string {
  const rows: (string | number | boolean | null)[][] = [];
  for (const sc of run.scenarios) {
    const nsOf = new Map(sc.variants.map((v) => [v.id, v.ns.join('+') || 'bare']));
    const cpus = cpuText(sc.cpus);
    for (const s of sc.samples) {
      const c = s.conditions;
      const base = [
        run.runId,
        sc.name,
        s.variant,
        nsOf.get(s.variant) ?? '',
        s.round,
        s.attempt ?? 0,
        s.warmup,
        s.seq,
        s.state,
        isMeasured(s) && s.state === 'completed',
        (s.disturbed?.length ?? 0) > 0,
        s.superseded === true,
        c?.pace ?? sc.pace ?? 'interleaved',
        c?.placement ?? placementOf(sc),
        c?.create ?? createOf(sc),
        c?.prev ?? null,
        c?.gapNs ?? null,
        cpus,
      ];
      const metrics =
        s.state === 'completed' || (s.state === 'errored' && s.metrics) ? Object.entries(s.metrics ?? {}) : [];
      if (!metrics.length) rows.push([...base, null, null, null, s.state === 'completed' ? 'none' : s.reason]);
      for (const [metric, value] of metrics) {
        const { unit, factor } = csvUnit(metric);
        rows.push([...base, metric, value * factor, unit, s.state === 'errored' ? s.reason : 'none']);
      }
    }
  }
  return stringify(rows, { header: true, columns: [...SAMPLES_CSV_COLUMNS], cast: CAST });
}

export const SUMMARY_CSV_COLUMNS = [
  'run_id',
  'scenario',
  'variant',
  'baseline',
  'metric',
  'unit',
  'n',
  'median',
  'median_ci95_low',
  'median_ci95_high',
  'p5',
  'p75',
  'p95',
  'p99',
  'mean',
  'sd',
  'mad',
  'cv',
  'min',
  'max',
  'outliers',
  'ratio_to_baseline',
  'ratio_ci95_low',
  'ratio_ci95_high',
  'direction',
  'per_round_ratio',
  'p_paired',
  'too_few',
  'errored',
  'pace',
  'placement',
  'create',
  'cpus',
] as const;

/**
 * Per-variant summary: one row per variant and metric, in the same units as the raw CSV; ratios are unit-free;
 * direction as the tables say it.
 */
export function summaryCsv(run: RunResults): string {
  const rows: (string | number | boolean | null)[][] = [];
  for (const sc of run.scenarios) {
    const present = new Set(sc.variants.map((v) => v.id));
    for (const v of sc.summary) {
      for (const [metric, m] of Object.entries(v.metrics)) {
        const { unit, factor } = csvUnit(metric);
        const x = (n: number | null | undefined) => (n === null || n === undefined ? null : n * factor);
        rows.push([
          run.runId,
          sc.name,
          v.variant,
          present.has(v.baseline) ? v.baseline : null,
          metric,
          unit,
          m.n,
          x(m.median),
          x(m.medianCI95?.[0]),
          x(m.medianCI95?.[1]),
          x(m.p5),
          x(m.p75),
          x(m.p95),
          x(m.p99),
          x(m.mean),
          x(m.sd),
          x(m.mad),
          m.cv,
          x(m.min),
          x(m.max),
          m.outliers,
          m.ratioToBaseline,
          m.ratioCI95?.[0] ?? null,
          m.ratioCI95?.[1] ?? null,
          directionOf(m, metric),
          m.perRoundRatio ?? null,
          m.pPaired ?? null,
          m.tooFew === true,
          v.errored,
          sc.pace ?? 'interleaved',
          placementOf(sc),
          createOf(sc),
          cpuText(sc.cpus),
        ]);
      }
    }
  }
  return stringify(rows, { header: true, columns: [...SUMMARY_CSV_COLUMNS], cast: CAST });
}
