import { stringify } from 'csv-stringify/sync';
import type { TopLevelSpec } from 'vega-lite';
import { headlineOf, higherIsBetter, type RunResults } from '../results/index.ts';
import { changePoints, pooledSigma } from '../stats/index.ts';
import { escapeHtml, renderSvg } from '../util/index.ts';
import { hostFingerprint } from './fingerprint.ts';

export interface HistoryPoint {
  host: string;
  runId: string;
  startedAt: string;
  commit: string | null;
  scenario: string;
  variant: string;
  metric: string;
  median: number;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
}

/** One point per run, scenario, variant and the scenario's headline metric, oldest first. */
export function historyPoints(runs: readonly RunResults[]): HistoryPoint[] {
  const out: HistoryPoint[] = [];
  for (const run of [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    const host = hostFingerprint(run);
    for (const sc of run.scenarios) {
      const { metric } = headlineOf(sc);
      for (const v of sc.summary) {
        const m = v.metrics[metric];
        if (!m) continue;
        out.push({
          host,
          runId: run.runId,
          startedAt: run.startedAt,
          commit: run.tool.commit,
          scenario: sc.name,
          variant: v.variant,
          metric,
          median: m.median,
          ciLow: m.medianCI95?.[0] ?? null,
          ciHigh: m.medianCI95?.[1] ?? null,
          n: m.n,
        });
      }
    }
  }
  return out;
}

/** A step in one series: where a new level starts, the levels before and after, and whether it is for the worse. */
interface HistoryStep {
  host: string;
  scenario: string;
  variant: string;
  metric: string;
  /** the first run of the new level */
  runId: string;
  startedAt: string;
  commit: string | null;
  /** geometric means of the medians of the runs on each side (back to the previous step, on to the next) */
  before: number;
  after: number;
  /** after / before */
  ratio: number;
  worse: boolean;
  /** whether the new level lasts to the newest run */
  latest: boolean;
}

/** How a host's series were judged: σ pooled over its series, or from each series alone. */
interface HistorySigma {
  host: string;
  series: number;
  /** σ of the log medians pooled over the host's series (null: too few runs to pool, each series alone) */
  pooled: number | null;
}

/**
 * Steps in each headline metric across the runs of one host: exact optimal
 * partitioning on the log of each run's median (a step is a ratio), one
 * series per host, scenario and variant, oldest first, at least 3 runs on
 * each side of a step. σ is pooled over the host's series (their neighbour
 * differences), never below what a series' own scatter or its runs' median
 * CIs say; the penalty is calibrated for that (stats/changepoint.ts: under 2%
 * false steps at any n, 0.5% at 10 runs; a 10% step among 10 runs at σ 2% is
 * found in 97%). A step smaller than `minChangePct` is real perhaps but too
 * small to matter, and is merged away.
 */
export function historySteps(points: readonly HistoryPoint[], minChangePct = 2): HistoryStep[] {
  return historyAnalysis(points, minChangePct).steps;
}

/** Runs a series needs before it is judged for steps: at least 3 on each side of one. */
export const MIN_HISTORY_RUNS = 6;

export function historyAnalysis(
  points: readonly HistoryPoint[],
  minChangePct = 2,
): { steps: HistoryStep[]; sigma: HistorySigma[]; judged: number; series: number } {
  const series = new Map<string, HistoryPoint[]>();
  for (const p of points) {
    const k = `${p.host}\u0000${p.scenario}\u0000${p.variant}\u0000${p.metric}`;
    const group = series.get(k);
    if (group) group.push(p);
    else series.set(k, [p]);
  }
  const usable = [...series.values()].filter((ps) => ps.length >= MIN_HISTORY_RUNS && ps.every((p) => p.median > 0));
  const byHost = new Map<string, number[][]>();
  for (const ps of usable) {
    const host = (ps[0] as HistoryPoint).host;
    byHost.set(host, [...(byHost.get(host) ?? []), ps.map((p) => Math.log(p.median))]);
  }
  const pooled = new Map([...byHost].map(([host, xs]) => [host, pooledSigma(xs)] as const));
  const out: HistoryStep[] = [];
  for (const ps of usable) {
    const host = (ps[0] as HistoryPoint).host;
    const logs = ps.map((p) => Math.log(p.median));
    // each run's own median CI: a 95% CI spans about 2·1.96 standard errors
    const ses = ps.flatMap((p) =>
      p.ciLow !== null && p.ciHigh !== null && p.ciLow > 0 && p.ciHigh > p.ciLow
        ? [Math.log(p.ciHigh / p.ciLow) / (2 * 1.96)]
        : [],
    );
    const floor = ses.length ? (ses.sort((a, b) => a - b)[ses.length >> 1] as number) : 0;
    const sigma = pooled.get(host);
    const cps = changePoints(logs, { sigmaFloor: floor, ...(sigma ? { pooledSigma: sigma } : {}) });
    let bounds = [0, ...cps, ps.length];
    const level = (i: number) =>
      Math.exp(
        logs.slice(bounds[i], bounds[i + 1]).reduce((a, b) => a + b, 0) /
          ((bounds[i + 1] as number) - (bounds[i] as number)),
      );
    // a step too small to matter (under minChangePct) is no step: merge its two levels, smallest first, and look again
    for (;;) {
      const sizes = cps.map((_, i) => Math.abs(Math.log(level(i + 1) / level(i))));
      const k = sizes.indexOf(Math.min(...sizes));
      if (k < 0 || (sizes[k] as number) >= Math.log(1 + minChangePct / 100)) break;
      cps.splice(k, 1);
      bounds = [0, ...cps, ps.length];
    }
    cps.forEach((cp, i) => {
      const at = ps[cp] as HistoryPoint;
      const before = level(i);
      const after = level(i + 1);
      const ratio = after / before;
      out.push({
        host: at.host,
        scenario: at.scenario,
        variant: at.variant,
        metric: at.metric,
        runId: at.runId,
        startedAt: at.startedAt,
        commit: at.commit,
        before,
        after,
        ratio,
        worse: higherIsBetter(at.metric) ? ratio < 1 : ratio > 1,
        latest: i === cps.length - 1,
      });
    });
  }
  const sigma = [...byHost].map(([host, xs]) => ({ host, series: xs.length, pooled: pooled.get(host) ?? null }));
  return { steps: out, sigma, judged: usable.length, series: series.size };
}

export function historyCsv(points: readonly HistoryPoint[]): string {
  return stringify(
    points.map((p) => [
      p.host,
      p.runId,
      p.startedAt,
      p.commit ?? '',
      p.scenario,
      p.variant,
      p.metric,
      p.median,
      p.ciLow,
      p.ciHigh,
      p.n,
    ]),
    {
      header: true,
      columns: [
        'host',
        'run_id',
        'started_at',
        'commit',
        'scenario',
        'variant',
        'metric',
        'median',
        'median_ci95_low',
        'median_ci95_high',
        'n',
      ],
    },
  );
}

const esc = escapeHtml;

/** A trend report: per host and scenario, the headline metric's median (with its CI) run after run. */
export async function historyHtml(
  points: readonly HistoryPoint[],
  steps: readonly HistoryStep[] = historySteps(points),
): Promise<string> {
  const sections: string[] = [];
  const groups = new Map<string, HistoryPoint[]>();
  for (const p of points) {
    const key = `${p.host}\u0000${p.scenario}`;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  for (const [key, ps] of groups) {
    const [host, scenario] = key.split('\u0000');
    const mine = steps.filter((x) => x.host === host && x.scenario === scenario);
    const spec: TopLevelSpec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 640,
      data: {
        values: ps.map((p) => ({
          run: p.startedAt,
          variant: p.variant,
          median: p.median,
          low: p.ciLow ?? p.median,
          high: p.ciHigh ?? p.median,
        })),
      },
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'run', type: 'temporal' },
            y: { field: 'median', type: 'quantitative', title: ps[0]?.metric },
            color: { field: 'variant', type: 'nominal' },
          },
        },
        {
          mark: 'rule',
          encoding: {
            x: { field: 'run', type: 'temporal' },
            y: { field: 'low', type: 'quantitative' },
            y2: { field: 'high' },
            color: { field: 'variant', type: 'nominal' },
          },
        },
        // each step: a dashed line at the first run of its new level
        ...(mine.length
          ? [
              {
                data: { values: mine.map((x) => ({ run: x.startedAt, label: `${x.variant} ×${x.ratio.toFixed(2)}` })) },
                mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#a40' },
                encoding: { x: { field: 'run', type: 'temporal' as const } },
              },
            ]
          : []),
      ],
    };
    const list = mine.length
      ? `<table><tr><th>variant</th><th>from run</th><th>before</th><th>after</th><th>change</th></tr>${mine.map((x) => `<tr><td>${esc(x.variant)}</td><td>${esc(x.runId)}${x.commit ? ` (${esc(x.commit.slice(0, 10))})` : ''}</td><td>${x.before.toPrecision(4)}</td><td>${x.after.toPrecision(4)}</td><td class="${x.worse ? 'worse' : 'better'}">${x.ratio >= 1 ? '+' : ''}${((x.ratio - 1) * 100).toFixed(1)}%${x.worse ? ' (worse)' : ''}</td></tr>`).join('')}</table>`
      : '<p class="meta">No step (exact segmentation of the log medians, σ pooled over the host\'s series, at least 3 runs on each side of a step).</p>';
    sections.push(
      `<section><h2>${esc(scenario)}</h2><p class="meta">host: ${esc(host)}</p><figure class="chart">${await renderSvg(spec)}<figcaption>How to read it: one line per variant, each run's median with its 95% CI; a dashed line marks the first run of a new level (a step: at least 3 runs on each side, beyond the host's run-to-run noise).</figcaption></figure>${list}</section>`,
    );
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nsbench history</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px system-ui,sans-serif;margin:2em auto;max-width:1000px}.meta{color:#666}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px}.worse{color:#a40}</style></head><body>
<h1>nsbench history</h1><p>${new Set(points.map((p) => p.runId)).size} runs, keyed by host fingerprint (hostname | CPU | cores | kernel | cgroup mode).</p>
${sections.join('\n')}</body></html>
`;
}
