import { basename, join } from 'node:path';
import { type Fleet, type FleetAnalysis, type FleetCell, fleetAnalysis, writeFileAtomic } from '../results/index.ts';
import { escapeHtml as esc, formatMetric, insideDir, notAnInput, outputDir, writing } from '../util/index.ts';

// The fleet report: per scenario, the hosts side by side — each host's
// headline median [95% CI] per variant, the ratio to the reference host
// [95% CI], which hosts differ significantly — and what differs in each
// host's environment; one self-contained HTML file and a Markdown summary.

const ratio = (c: FleetCell) =>
  c.ratio === null
    ? '-'
    : `${c.ratio.toFixed(2)}×${c.ratioCI ? ` [${c.ratioCI[0].toFixed(2)}, ${c.ratioCI[1].toFixed(2)}]` : ''}`;
const figure = (metric: string, c: FleetCell) =>
  c.median === null
    ? '-'
    : `${formatMetric(metric, c.median)}${c.ci ? ` [${formatMetric(metric, c.ci[0])}, ${formatMetric(metric, c.ci[1])}]` : ''}`;

/** One table per scenario: a row per host and variant, so that every host is a row. */
function fleetTables(
  fleet: Fleet,
  a: FleetAnalysis,
): {
  scenario: string;
  label: string;
  header: string[];
  rows: { host: string; cells: string[]; differs: boolean }[];
}[] {
  const out: ReturnType<typeof fleetTables> = [];
  for (const scenario of [...new Set(a.rows.map((r) => r.scenario))]) {
    const rows = a.rows.filter((r) => r.scenario === scenario);
    const label = rows[0]?.label ?? '';
    const table: (typeof out)[number] = {
      scenario,
      label,
      header: ['host', 'variant', 'n', `${label} p50 [95% CI]`, `vs ${a.reference} [95% CI]`, 'q', 'differs'],
      rows: [],
    };
    for (const h of fleet.hosts)
      for (const r of rows) {
        const c = r.cells.find((x) => x.host === h.key) as FleetCell;
        table.rows.push({
          host: h.key,
          differs: c.differs,
          cells: [
            h.key,
            r.variant,
            String(c.n),
            figure(r.metric, c),
            h.key === a.reference ? 'reference' : ratio(c),
            c.q === null ? '-' : c.q.toFixed(3),
            c.differs ? (c.ratio !== null && c.ratio > 1 ? 'slower' : 'faster') : '',
          ],
        });
      }
    out.push(table);
  }
  return out;
}

function hostsTable(fleet: Fleet, a: FleetAnalysis): { header: string[]; rows: string[][] } {
  return {
    header: ['host', 'CPU', 'cores', 'kernel', 'cgroups', 'run', 'differs from the reference in'],
    rows: [
      ...fleet.hosts.map((h) => [
        h.key,
        h.fingerprint.cpu,
        String(h.fingerprint.cores ?? '?'),
        h.fingerprint.kernel,
        h.fingerprint.cgroupMode,
        `${h.run.runId} (${h.run.status})`,
        h.key === a.reference ? '(reference)' : (a.environment[h.key] ?? []).join('; ') || 'nothing recorded',
      ]),
      ...fleet.failed.map((f) => [f.host, '-', '-', '-', '-', 'failed', f.reason]),
    ],
  };
}

function fleetHtml(fleet: Fleet, a: FleetAnalysis): string {
  const hosts = hostsTable(fleet, a);
  const table = (header: string[], rows: string[][], cls: (i: number) => string = () => '') =>
    `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r, i) => `<tr${cls(i)}>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const sections = fleetTables(fleet, a).map(
    (t) =>
      `<section id="${esc(t.scenario)}"><h2>${esc(t.scenario)}</h2><p class="meta">Each host's ${esc(t.label)} per variant, its ratio to ${esc(a.reference)} (bootstrap 95% CI), and the Benjamini-Hochberg q of a Mann-Whitney test over every host and row; "differs": q &lt; 0.05 and the CI excludes no change.</p>${table(
        t.header,
        t.rows.map((r) => r.cells),
        (i) => (t.rows[i]?.differs ? ' class="differs"' : ''),
      )}</section>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nsbench fleet ${esc(fleet.mergedAt)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child,td:nth-child(2){text-align:left}
tr.differs td{background:#fbe9d6}.meta{color:#666}.warning{color:#a40}
</style></head><body>
<h1>nsbench fleet — ${fleet.hosts.length} host(s)</h1>
<p>Merged ${esc(fleet.mergedAt)}${fleet.mixedPlans ? ' from runs of <strong>different plans</strong> (--mixed): only what they have in common is side by side' : ', one plan on every host'}; reference host <b>${esc(a.reference)}</b>.</p>
${fleet.failed.length ? `<p class="warning">⚠ ${fleet.failed.length} host(s) failed and are not in the figures: ${esc(fleet.failed.map((f) => `${f.host} (${f.reason})`).join('; '))}</p>` : ''}
${a.partial.length ? `<p class="warning">⚠ not on every host: ${esc(a.partial.join(', '))}</p>` : ''}
<h2 id="hosts">Hosts</h2>${table(hosts.header, hosts.rows)}
${sections.join('\n')}
</body></html>
`;
}

function fleetMarkdown(fleet: Fleet, a: FleetAnalysis): string {
  const hosts = hostsTable(fleet, a);
  const md = (header: string[], rows: string[][]) => [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ];
  const out = [
    `# nsbench fleet — ${fleet.hosts.length} host(s)`,
    '',
    `Merged ${fleet.mergedAt}${fleet.mixedPlans ? ' from runs of different plans (--mixed)' : ', one plan on every host'}; reference host **${a.reference}**.`,
  ];
  if (fleet.failed.length)
    out.push(
      '',
      `> ⚠️ ${fleet.failed.length} host(s) failed: ${fleet.failed.map((f) => `${f.host} (${f.reason})`).join('; ')}`,
    );
  out.push('', '## Hosts', '', ...md(hosts.header, hosts.rows));
  for (const t of fleetTables(fleet, a))
    out.push(
      '',
      `## ${t.scenario}`,
      '',
      ...md(
        t.header,
        t.rows.map((r) => r.cells),
      ),
    );
  return `${out.join('\n')}\n`;
}

/** Writes <dir>/<fleet file name>.html and .md. */
export function writeFleetReport(
  fleet: Fleet,
  file: string,
  dir: string,
  o: { reference?: string } = {},
): { html: string; markdown: string; analysis: FleetAnalysis } {
  const a = fleetAnalysis(fleet, o);
  const name = basename(file).replace(/\.json$/, '');
  const html = insideDir(dir, join(dir, `${name}.html`), 'the fleet report');
  const markdown = insideDir(dir, join(dir, `${name}.md`), 'the fleet report');
  notAnInput(html, [file], 'the fleet report');
  notAnInput(markdown, [file], 'the fleet report');
  outputDir(dir, 'the fleet report');
  writing(html, 'the fleet report', () => writeFileAtomic(html, fleetHtml(fleet, a)));
  writing(markdown, 'the fleet report', () => writeFileAtomic(markdown, fleetMarkdown(fleet, a)));
  return { html, markdown, analysis: a };
}
