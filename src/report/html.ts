import type { RunResults, ScenarioResult } from '../results/index.ts';
import { chartsFor, headline } from './charts.ts';
import { escapeHtml, formatMetric, formatRatio } from './format.ts';
import { renderSvg } from './svg.ts';

const esc = escapeHtml;


function table(sc: ScenarioResult): string {
  const { metric, label } = headline(sc);
  const rows = sc.summary.map((v) => {
    const m = v.metrics[metric];
    const vs = v.variant === v.baseline ? 'baseline' : formatRatio(m?.ratioToBaseline, m?.ratioCI95);
    return `<tr><td>${esc(v.variant)}</td><td>${v.completed}</td><td>${formatMetric(metric, m?.median)}</td><td>${formatMetric(metric, m?.p5)}</td><td>${formatMetric(metric, m?.p95)}</td><td>${formatMetric(metric, m?.p99)}</td><td>${esc(vs)}</td><td>${v.errored ? `${v.errored} errored` : v.skipped ? 'skipped' : ''}</td></tr>`;
  });
  return `<table><thead><tr><th>variant</th><th>n</th><th>${esc(label)} p50</th><th>p5</th><th>p95</th><th>p99</th><th>vs baseline [95% CI]</th><th>problems</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function environment(run: RunResults): string {
  const e = run.environment as Record<string, Record<string, unknown> | unknown>;
  const get = (...p: string[]) => p.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), e);
  const facts: [string, unknown][] = [
    ['kernel', get('kernel', 'release')],
    ['CPU', `${String(get('cpu', 'model'))} × ${String(get('cpu', 'cores'))}`],
    ['memory', `${Math.round(Number(get('memoryBytes')) / 2 ** 30)} GiB`],
    ['virtualisation', get('virtualization', 'detected') ?? (get('virtualization', 'hypervisorFlag') ? 'hypervisor' : 'none')],
    ['cgroups', get('cgroups', 'mode')],
    ['steal during the run', `${(Number(get('stealFraction') ?? 0) * 100).toFixed(2)} %`],
    ['load average at start', JSON.stringify(get('loadAverage'))],
    ['node', get('node')],
    ['nsbench', `${run.tool.version} ${run.tool.commit ?? ''}`],
  ];
  return `<dl>${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v ?? '-')}</dd>`).join('')}</dl>`;
}

/**
 * One self-contained HTML file: charts rendered to inline SVG in Node (no
 * script, no network), tables with the same figures, and every vega-lite spec
 * embedded as JSON for provenance.
 */
export async function htmlReport(run: RunResults): Promise<{ html: string; charts: number }> {
  const sections: string[] = [];
  const specs: Record<string, unknown> = {};
  let charts = 0;
  for (const sc of run.scenarios) {
    const parts = [`<section id="${esc(sc.name)}"><h2>${esc(sc.name)}</h2><p>${esc(sc.description)}</p><p class="meta">${sc.rounds} rounds after ${sc.warmupRounds} warm-up, seed ${sc.seed}, baseline ${esc(sc.baseline)}</p>`];
    for (const c of chartsFor(sc)) {
      specs[c.id] = c.spec;
      parts.push(`<figure class="chart" data-chart="${esc(c.id)}">${await renderSvg(c.spec)}<figcaption>${esc(c.title)}</figcaption></figure>`);
      charts++;
    }
    parts.push(table(sc));
    for (const w of sc.warnings ?? []) parts.push(`<p class="warning">⚠ ${esc(w)}</p>`);
    parts.push('</section>');
    sections.push(parts.join('\n'));
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nsbench ${esc(run.runId)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dt{font-weight:600}
figure{margin:1em 0}figcaption{color:#555}.meta{color:#666}.warning{color:#a40}
</style></head><body>
<h1>nsbench — ${esc(run.runId)}</h1>
<p>${run.status === 'complete' ? 'Complete run' : '<strong>Partial run</strong>'}, started ${esc(run.startedAt)}.</p>
<h2>Environment</h2>${environment(run)}
${sections.join('\n')}
<script type="application/json" id="vega-lite-specs">${JSON.stringify(specs).replace(/</g, '\\u003c')}</script>
</body></html>
`;
  return { html, charts };
}
