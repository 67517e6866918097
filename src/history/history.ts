import { stringify } from 'csv-stringify/sync';
import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml, renderSvg } from '../util/index.ts';
import { headlineOf, type RunResults } from '../results/index.ts';
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
        out.push({ host, runId: run.runId, startedAt: run.startedAt, commit: run.tool.commit, scenario: sc.name, variant: v.variant, metric, median: m.median, ciLow: m.medianCI95?.[0] ?? null, ciHigh: m.medianCI95?.[1] ?? null, n: m.n });
      }
    }
  }
  return out;
}

export function historyCsv(points: readonly HistoryPoint[]): string {
  return stringify(
    points.map((p) => [p.host, p.runId, p.startedAt, p.commit ?? '', p.scenario, p.variant, p.metric, p.median, p.ciLow, p.ciHigh, p.n]),
    { header: true, columns: ['host', 'run_id', 'started_at', 'commit', 'scenario', 'variant', 'metric', 'median', 'median_ci95_low', 'median_ci95_high', 'n'] },
  );
}

const esc = escapeHtml;

/** A trend report: per host and scenario, the headline metric's median (with its CI) run after run. */
export async function historyHtml(points: readonly HistoryPoint[]): Promise<string> {
  const sections: string[] = [];
  const groups = new Map<string, HistoryPoint[]>();
  for (const p of points) {
    const key = `${p.host}\u0000${p.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const [key, ps] of groups) {
    const [host, scenario] = key.split('\u0000');
    const spec: TopLevelSpec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 640,
      data: { values: ps.map((p) => ({ run: p.startedAt, variant: p.variant, median: p.median, low: p.ciLow ?? p.median, high: p.ciHigh ?? p.median })) },
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x: { field: 'run', type: 'temporal' }, y: { field: 'median', type: 'quantitative', title: ps[0]?.metric }, color: { field: 'variant', type: 'nominal' } } },
        { mark: 'rule', encoding: { x: { field: 'run', type: 'temporal' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color: { field: 'variant', type: 'nominal' } } },
      ],
    };
    sections.push(`<section><h2>${esc(scenario)}</h2><p class="meta">host: ${esc(host)}</p><figure class="chart">${await renderSvg(spec)}</figure></section>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nsbench history</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px system-ui,sans-serif;margin:2em auto;max-width:1000px}.meta{color:#666}</style></head><body>
<h1>nsbench history</h1><p>${new Set(points.map((p) => p.runId)).size} runs, keyed by host fingerprint (hostname | CPU | cores | kernel | cgroup mode).</p>
${sections.join('\n')}</body></html>
`;
}
