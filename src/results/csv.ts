import { stringify } from 'csv-stringify/sync';
import type { RunResults } from './types.ts';

/** Unit of a metric from its name's suffix. */
export function unitOf(metric: string): string {
  const m = /(Ns|Us|Ms|Kb|Bytes|PerSec|Pct)$/.exec(metric);
  return m ? (m[1] as string).toLowerCase() : '';
}

/** Raw samples in long form: one row per sample and metric. */
export function samplesCsv(run: RunResults): string {
  const rows: (string | number | boolean)[][] = [];
  for (const sc of run.scenarios) {
    const nsOf = new Map(sc.variants.map((v) => [v.id, v.ns.join('+') || 'bare']));
    for (const s of sc.samples) {
      const base = [run.runId, sc.name, s.variant, nsOf.get(s.variant) ?? '', s.round, s.warmup, s.seq, s.state];
      if (s.state === 'completed' || (s.state === 'errored' && s.metrics)) {
        for (const [metric, value] of Object.entries(s.metrics ?? {})) rows.push([...base, metric, value, unitOf(metric), s.state === 'errored' ? s.reason : '']);
      } else {
        rows.push([...base, '', '', '', s.reason]);
      }
    }
  }
  return stringify(rows, { header: true, columns: ['run_id', 'scenario', 'variant', 'namespaces', 'round', 'warmup', 'seq', 'state', 'metric', 'value', 'unit', 'reason'] });
}

/** Per-variant summary: one row per variant and metric. */
export function summaryCsv(run: RunResults): string {
  const rows: (string | number | null)[][] = [];
  for (const sc of run.scenarios) {
    for (const v of sc.summary) {
      for (const [metric, m] of Object.entries(v.metrics)) {
        rows.push([run.runId, sc.name, v.variant, metric, unitOf(metric), m.n, m.median, m.medianCI95?.[0] ?? null, m.medianCI95?.[1] ?? null, m.p5, m.p75, m.p95, m.p99, m.mean, m.sd, m.mad, m.cv, m.min, m.max, m.outliers, m.ratioToBaseline, m.ratioCI95?.[0] ?? null, m.ratioCI95?.[1] ?? null, m.perRoundRatio ?? null, m.pPaired ?? null, v.errored]);
      }
    }
  }
  return stringify(rows, {
    header: true,
    columns: ['run_id', 'scenario', 'variant', 'metric', 'unit', 'n', 'median', 'median_ci95_low', 'median_ci95_high', 'p5', 'p75', 'p95', 'p99', 'mean', 'sd', 'mad', 'cv', 'min', 'max', 'outliers', 'ratio_to_baseline', 'ratio_ci95_low', 'ratio_ci95_high', 'per_round_ratio', 'p_paired', 'errored'],
  });
}
