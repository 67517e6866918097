import type { TopLevelSpec } from 'vega-lite';
import { CELL_DEFINITION, NAMESPACES } from '../isolation/index.ts';
import {
  interferenceRows,
  isolationMatrix,
  keyFindings,
  type RunResults,
  type ScenarioResult,
} from '../results/index.ts';
import { escapeHtml, formatMetric, formatNs, formatRatio, renderSvg } from '../util/index.ts';
import { cellSymbol } from './axioms.ts';
import { chartsFor, isolationVsCost, PALETTE, ratioScale, styled } from './charts.ts';
import {
  CARRY_HEADER,
  CARRY_MATRIX_MAX,
  carryOverRows,
  conditionsTag,
  DENSITY_MEMORY_HEADER,
  densityMemoryRows,
  kernelWorkRows,
  paceLine,
  scalingTables,
  watchLine,
} from './conditions.ts';
import { formatP, formatShare, formatVs, systemLine } from './format.ts';
import { kernelSections } from './kernel.ts';
import { SUMMARY_HEADER, summaryRows } from './summary.ts';

const esc = escapeHtml;

/**
 * The metrics a scenario's table shows, each with its p50, p95 and ratio to the baseline: every figure its kind
 * reports, so no row is empty.
 */
export function tableMetrics(sc: ScenarioResult): { metric: string; label: string }[] {
  const has = (m: string) => sc.summary.some((v) => v.metrics[m]);
  const list: { metric: string; label: string }[] =
    sc.kind === 'freeze'
      ? [
          { metric: 'freezeNs', label: 'freeze' },
          { metric: 'thawNs', label: 'thaw' },
        ]
      : sc.kind === 'network'
        ? [
            { metric: 'workload.throughputMbitPerSec', label: 'throughput (Mbit/s)' },
            { metric: 'workload.p50Ns', label: 'request/response p50' },
          ]
        : sc.kind === 'density'
          ? [
              { metric: 'launchesPerSec', label: 'launches/s' },
              { metric: 'teardownNs', label: 'teardown' },
            ]
          : sc.kind === 'interference'
            ? [
                { metric: 'workload.elapsedNs', label: 'victim run time' },
                { metric: 'bootNs', label: 'victim boot time' },
              ]
            : [
                { metric: 'bootNs', label: 'boot time' },
                { metric: 'workload.elapsedNs', label: 'run time' },
                { metric: 'workload.nsPerCall', label: 'time per call' },
              ];
  return list.filter((m) => has(m.metric));
}

/** Whether the scenario has a baseline the run ran (a freeze scenario, or a profile that left it out, has none). */
export const hasBaseline = (sc: ScenarioResult): boolean =>
  sc.variants.some((v) => v.id === sc.baseline) || sc.variants.some((v) => v.baseline);

function table(sc: ScenarioResult): string {
  const metrics = tableMetrics(sc);
  const noBase = !hasBaseline(sc);
  const cols = metrics.flatMap((m) => [`${m.label} p50`, 'p95', ...(noBase ? ['p99'] : ['vs baseline [95% CI]'])]);
  const rows = sc.summary.map((v) => {
    const cells = metrics.flatMap(({ metric }) => {
      const m = v.metrics[metric];
      return [
        formatMetric(metric, m?.median),
        formatMetric(metric, m?.p95),
        noBase ? formatMetric(metric, m?.p99) : m ? formatVs(m, v.variant === v.baseline) : '-',
      ];
    });
    return `<tr><td>${esc(v.variant)}</td><td>${v.completed}</td>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}<td>${v.errored ? `${v.errored} errored` : v.skipped ? 'skipped' : ''}</td></tr>`;
  });
  return `<table><thead><tr><th>variant</th><th>n</th>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}<th>problems</th></tr></thead><tbody>${rows.join('')}</tbody></table><p class="meta">${noBase ? 'No baseline: each variant stands on its own.' : 'vs baseline: ratio of medians with a bootstrap 95% CI; for times above 1 is slower, for rates (Mbit/s, launches/s) above 1 is faster.'} "-": not measured, or not applicable to that variant.</p>`;
}

/** The isolation matrix with every cell's evidence on hover and in a list below. */
function matrixTable(run: RunResults, sc: ScenarioResult): string {
  const rows = isolationMatrix(run, sc);
  const body = rows.map((r) => {
    const cells = r.cells
      .map(
        (c) =>
          `<td class="cell ${c ? c.status.replace('/', '') : 'none'}" title="${esc(c?.evidence ?? 'no completed sample')}">${cellSymbol(c)}</td>`,
      )
      .join('');
    return `<tr><td>${esc(r.variant)}</td>${cells}<td>${r.isolated}</td><td>${esc(r.bootRatio === null ? (r.bootMissing ?? '-') : formatRatio(r.bootRatio, r.bootRatioCI ?? undefined))}</td><td>${esc(r.runRatio === null ? '-' : formatRatio(r.runRatio))}${r.runWorkloads ? ` (${r.runWorkloads})` : ''}</td></tr>`;
  });
  const evidence = rows
    .map(
      (r) =>
        `<details><summary>${esc(r.variant)}: ${r.isolated} of 8 isolated</summary><ul>${r.cells.map((c, i) => `<li><b>${esc(NAMESPACES[i])}</b> ${cellSymbol(c)} ${esc(c?.evidence ?? 'no completed sample')}</li>`).join('')}</ul></details>`,
    )
    .join('');
  return `<table class="matrix"><thead><tr><th>namespace set</th>${NAMESPACES.map((n) => `<th>${n}</th>`).join('')}<th>isolated</th><th>boot vs bare [95% CI]</th><th>run time vs bare (workloads)</th></tr></thead><tbody>${body.join('')}</tbody></table><p class="meta">What a cell means — ${esc(CELL_DEFINITION)}. Boot: the run's boot scenario's matching set (never the probe's own few launches); run time: geometric mean over the run's launch scenarios; both only from at least 6 samples a side.</p>${evidence}`;
}

/** Victim slowdown per antagonist and cgroup setting. */
function interferenceTable(sc: ScenarioResult): string {
  const rows = interferenceRows(sc).map(
    (r) =>
      `<tr><td>${esc(r.victim)}</td><td>${esc(r.antagonist)}</td><td>${esc(r.setting)}</td><td>${esc(formatRatio(r.slowdown, r.slowdownCI ?? undefined))}</td><td>${r.removed === null ? '-' : `${formatShare(r.removed)} of ${esc(r.referenceSetting)}'s`}</td><td>${esc(formatP(r.pLessThanReference))}</td><td>${r.antagonistPidsPeak ?? '-'}</td><td>${r.antagonistPidsMaxEvents ?? '-'}</td></tr>`,
  );
  return `<table><thead><tr><th>victim</th><th>antagonist</th><th>cgroup setting</th><th>slowdown vs alone [95% CI]</th><th>harm removed (of the reference's)</th><th>p (victim faster than beside the reference)</th><th>antagonist pids peak</th><th>pids.max hits</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const plainTable = (header: string[], rows: string[][]) =>
  `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

/** The conditions behind the figures, folded: carry-over, the kernel's deferred work, disturbed rounds. */
function conditionsDetails(sc: ScenarioResult): string[] {
  const out: string[] = [];
  const carry = carryOverRows(sc);
  if (carry.length) {
    const c = sc.carryOver;
    const vs = [...new Set(c?.cells.map((x) => x.variant))];
    const prevs = c?.predecessors.map((p) => p.prev) ?? [];
    const cells = new Map((c?.cells ?? []).map((x) => [`${x.prev}\u0000${x.variant}`, x]));
    const fmt = (x: { shift: number; ci?: unknown }) =>
      `${x.shift >= 0 ? '+' : ''}${formatNs(x.shift)}${x.ci ? '' : ' (n<6)'}`;
    const cell = (p: string, v: string) => {
      const x = cells.get(`${p}\u0000${v}`);
      return x ? fmt(x) : '-';
    };
    // a matrix while it stays readable; beyond that every cell as a row, largest shift first (still complete)
    const grid =
      vs.length <= CARRY_MATRIX_MAX && prevs.length <= CARRY_MATRIX_MAX
        ? plainTable(
            ['after ↓ / variant →', ...vs],
            prevs.map((p) => [p, ...vs.map((v) => cell(p, v))]),
          )
        : plainTable(
            ['after', 'variant', 'shift'],
            [...(c?.cells ?? [])]
              .sort((a, b) => Math.abs(b.shift) - Math.abs(a.shift))
              .map((x) => [x.prev, x.variant, fmt(x)]),
          );
    out.push(
      `<details><summary>Carry-over on ${esc(c?.metric)}: how much the launch before shifts the next</summary><p class="meta">Each launch against its own variant's median, grouped by the variant launched just before it. ${c?.test ? `Does the predecessor matter at all? One permutation test (predecessors shuffled within rounds): p = ${esc(c.test.p < 0.001 ? '< 0.001' : c.test.p.toFixed(3))}; each predecessor's p is Holm-adjusted.` : ''} ${
        c?.bias?.length
          ? `The largest bias the measured shifts put into a reported ratio: ${esc(
              [...c.bias]
                .sort((a, b) => Math.abs(b.pct) - Math.abs(a.pct))
                .slice(0, 3)
                .map((b) => `${b.variant} ${b.pct >= 0 ? '+' : ''}${b.pct.toFixed(2)}%`)
                .join(', '),
            )}.`
          : ''
      }</p>${plainTable(CARRY_HEADER, carry)}${grid}</details>`,
    );
  }
  const kw = kernelWorkRows(sc);
  if (kw)
    out.push(
      `<details><summary>The kernel's deferred work after each exit (median per launch)</summary>${plainTable(kw.header, kw.rows)}</details>`,
    );
  const bad = (sc.load ?? []).filter((l) => l.disturbed.length);
  if (bad.length)
    out.push(
      `<details><summary>${bad.length} disturbed round(s)</summary><ul>${bad.map((l) => `<li>round ${l.round}${l.attempt ? ` (attempt ${l.attempt + 1})` : ''}: ${esc(l.disturbed.join('; '))}</li>`).join('')}</ul></details>`,
    );
  return out;
}

function environment(run: RunResults): string {
  const e = run.environment;
  const facts: [string, unknown][] = [
    ['kernel', e.kernel?.release],
    ['CPU', `${e.cpu?.model ?? '?'} × ${e.cpu?.cores ?? '?'}`],
    ['memory', e.memoryBytes === undefined ? '?' : `${Math.round(e.memoryBytes / 2 ** 30)} GiB`],
    ['virtualisation', e.virtualization?.detected ?? (e.virtualization?.hypervisorFlag ? 'hypervisor' : 'none')],
    ['cgroups', e.cgroups?.mode],
    ['steal during the run', `${((e.stealFraction ?? 0) * 100).toFixed(2)} %`],
    ['load average at start', JSON.stringify(e.loadAverage)],
    ['node', e.node],
    ['nsbench', `${run.tool.version} ${run.tool.commit ?? ''}`],
    ['nsb- objects left by the run', e.leaks?.join('; ') || 'none'],
  ];
  return `<dl>${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v ?? '-')}</dd>`).join('')}</dl>`;
}

/** Isolation, cost and noninterference side by side, with the chart of isolation gained vs overhead paid. */
async function axiomsSection(
  run: RunResults,
  specs: Record<string, unknown>,
): Promise<{ html: string | null; charts: number }> {
  const iso = run.scenarios.filter((s) => s.kind === 'isolation');
  const inter = run.scenarios.filter((s) => s.kind === 'interference');
  if (!iso.length && !inter.length) return { html: null, charts: 0 };
  const parts = [
    '<section id="axioms"><h2>What isolation buys, and what it costs</h2><p>Per namespace set: what it hides (isolation), what it costs (boot and run-time overhead vs bare); per cgroup setting: how much of a noisy neighbour\'s harm it takes away (noninterference).</p>',
  ];
  let charts = 0;
  for (const sc of iso) {
    const c = isolationVsCost(run, sc);
    if (c) {
      specs[c.id] = styled(c.spec);
      parts.push(
        `<figure class="chart" data-chart="${esc(c.id)}">${await renderSvg(styled(c.spec))}<figcaption>${esc(c.title)}<br><span class="read">How to read it: ${esc(c.read)}</span></figcaption></figure>`,
      );
      charts++;
    }
    parts.push(`<h3>Isolation vs cost (${esc(sc.name)})</h3>`, matrixTable(run, sc));
  }
  for (const sc of inter) parts.push(`<h3>Noninterference (${esc(sc.name)})</h3>`, interferenceTable(sc));
  parts.push('</section>');
  return { html: parts.join('\n'), charts };
}

/**
 * "Inside the kernel": per traced launch scenario, the boot split into kernel work, waiting, system calls, what each
 * exit leaves behind, carry-over beside it.
 */
async function kernelSection(
  run: RunResults,
  specs: Record<string, unknown>,
): Promise<{ html: string | null; charts: number }> {
  const traced = kernelSections(run);
  if (!traced.length) return { html: null, charts: 0 };
  const parts = [
    '<section id="kernel"><h2>Inside the kernel</h2><p>Where each launch\'s time goes inside the kernel (kernelTrace, <code>--kernel-trace</code>): its system calls and those the launcher makes for it, running and waiting per boot phase, cgroup events, and the work the kernel still does after the sandbox exited. Tracing has a cost of its own: compare boot times with and without it (<code>npm run perf:kernel-trace</code>), not across the two.</p>',
  ];
  let charts = 0;
  for (const t of traced) {
    parts.push(`<h3>${esc(t.sc.name)}</h3><p class="meta">${esc(t.traced)}</p>`);
    if (t.chart) {
      specs[t.chart.id] = styled(t.chart.spec);
      parts.push(
        `<figure class="chart" data-chart="${esc(t.chart.id)}">${await renderSvg(styled(t.chart.spec))}<figcaption>${esc(t.chart.title)}<br><span class="read">How to read it: ${esc(t.chart.read)}</span></figcaption></figure>`,
      );
      charts++;
    }
    for (const tb of t.tables)
      parts.push(`<h4>${esc(tb.title)}</h4><p class="meta">${esc(tb.note)}</p>`, plainTable(tb.header, tb.rows));
  }
  parts.push('</section>');
  return { html: parts.join('\n'), charts };
}

/** The variants a run actually ran (a profile may run fewer than the scenario's description names). */
export function variantsLine(sc: ScenarioResult): string {
  const ids = sc.variants.map((v) => v.id);
  return `${ids.length} variant${ids.length === 1 ? '' : 's'} (${ids.length > 16 ? `${ids.slice(0, 16).join(', ')}, … ${ids.length - 16} more` : ids.join(', ')})`;
}

/**
 * The first screen: the system in one line, the summary table (cost per namespace set and cgroup setting, absolute and
 * ratio with CIs, direction, memory) and the overview chart beside it.
 */
async function firstScreen(run: RunResults, specs: Record<string, unknown>): Promise<{ html: string; charts: number }> {
  const rows = summaryRows(run);
  const table = rows.length
    ? `<table class="summary"><thead><tr>${SUMMARY_HEADER.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map(
          (r) =>
            `<tr class="${esc(r.direction.replace(/ /g, '-'))}"><td><a href="#${esc(r.scenario)}">${esc(r.setting)}</a></td><td>${esc(r.what)}</td><td>${esc(r.delta)}</td><td>${esc(r.ratio)}</td><td>${esc(r.direction)}</td></tr>`,
        )
        .join(
          '',
        )}</tbody></table><p class="meta">Medians; difference = the variant's median less its baseline's, its 95% CI the ratio's CI times the baseline's median; direction only where the 95% CI excludes no change; memory: charged per sandbox, mean of the density ramps.</p>`
    : '<p>No boot, cgroup or density scenario in this run: see each scenario below.</p>';
  const values = rows
    .filter((r) => r.r !== null && r.ci)
    .map((r) => ({
      what: `${r.setting} · ${r.what}`,
      ratio: r.r as number,
      low: (r.ci as [number, number])[0],
      high: (r.ci as [number, number])[1],
    }));
  let chart = '';
  let charts = 0;
  if (values.length) {
    const scale = ratioScale(values);
    const spec = styled({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 300,
      height: { step: 17 },
      data: { values },
      layer: [
        {
          mark: { type: 'rule', color: '#555', strokeDash: [4, 4] },
          encoding: { x: { datum: 1, type: 'quantitative', scale } },
        },
        {
          mark: { type: 'rule', strokeWidth: 2, color: PALETTE[0] },
          encoding: {
            y: { field: 'what', type: 'nominal', sort: values.map((v) => v.what), title: null },
            x: { field: 'low', type: 'quantitative', scale, title: 'ratio to its baseline (×, log; lower is better)' },
            x2: { field: 'high' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 40, color: PALETTE[0] },
          encoding: {
            y: { field: 'what', type: 'nominal', sort: values.map((v) => v.what), title: null },
            x: { field: 'ratio', type: 'quantitative' },
          },
        },
      ],
    } as TopLevelSpec);
    specs.overview = spec;
    chart = `<figure class="chart overview" data-chart="overview">${await renderSvg(spec)}<figcaption>What each setting costs: ratio to its baseline with its 95% CI<br><span class="read">How to read it: right of the dashed line at 1 is slower; a bar across 1 is no measurable difference.</span></figcaption></figure>`;
    charts = 1;
  }
  return {
    html: `<section id="summary" class="first"><div class="grid"><div>${table}</div>${chart}</div></section>`,
    charts,
  };
}

/** The run's key results in a few lines, each linking to the section it comes from (results.keyFindings). */
function findingsSection(run: RunResults): string {
  const items = keyFindings(run).map(
    (f) =>
      `<li>${esc(f.text)}${f.section ? ` <a href="#${esc(f.section)}">→ ${esc(f.section === 'axioms' ? 'isolation vs cost' : f.section === 'kernel' ? 'inside the kernel' : f.section)}</a>` : ''}</li>`,
  );
  return items.length
    ? `<section id="findings"><h2>Key findings</h2><ul class="findings">${items.join('')}</ul></section>`
    : '';
}

/** A table of contents: the findings, the environment, each scenario, the axioms. */
function contents(run: RunResults, axioms: boolean, kernel: boolean): string {
  const links = [
    ['findings', 'Key findings'],
    ['environment', 'Environment'],
    ...run.scenarios.map((s) => [s.name, `${s.name} (${s.kind})`]),
    ...(kernel ? [['kernel', 'Inside the kernel']] : []),
    ...(axioms ? [['axioms', 'What isolation buys, and what it costs']] : []),
  ] as [string, string][];
  return `<nav id="contents"><h2>Contents</h2><ol>${links.map(([id, t]) => `<li><a href="#${esc(id)}">${esc(t)}</a></li>`).join('')}</ol></nav>`;
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
    const parts = [
      `<section id="${esc(sc.name)}"><h2>${esc(sc.name)} <small>${esc(conditionsTag(sc))}</small></h2><p>${esc(sc.description)}</p><p class="meta">This run: ${esc(variantsLine(sc))}. ${sc.rounds} rounds after ${sc.warmupRounds} warm-up, seed ${sc.seed}, ${hasBaseline(sc) ? `baseline ${esc(sc.baseline)}` : 'no baseline'}.</p><p class="meta">${esc(paceLine(sc))}</p>${watchLine(sc) ? `<p class="meta">${esc(watchLine(sc))}</p>` : ''}`,
    ];
    for (const c of chartsFor(sc)) {
      specs[c.id] = styled(c.spec);
      parts.push(
        `<figure class="chart" data-chart="${esc(c.id)}">${await renderSvg(styled(c.spec))}<figcaption>${esc(c.title)}<br><span class="read">How to read it: ${esc(c.read)}</span></figcaption></figure>`,
      );
      charts++;
    }
    if (sc.kind === 'isolation')
      parts.push(matrixTable(run, sc)); // its launches are a probe's, no estimate: no per-variant timing table
    else if (sc.kind === 'density')
      parts.push(
        plainTable(DENSITY_MEMORY_HEADER, densityMemoryRows(sc)),
        '<p class="meta">Memory per instance, mean of the ramps [95% CI]: charged — a cgroup held the ramp with the launcher in it, kernel memory included; PSS of the sandboxes; their namespace objects (slab); MemAvailable, which the page cache and other processes move. An implausible value (nothing or less, more than 64 MiB) is shown as invalid.</p>',
      );
    else if (sc.kind === 'interference') parts.push(interferenceTable(sc));
    else if (sc.kind === 'scaling') {
      const t = scalingTables(sc);
      parts.push(
        plainTable(t.speed.header, t.speed.rows),
        '<p class="meta">What each launch cost (medians):</p>',
        plainTable(t.cost.header, t.cost.rows),
        `<p class="meta">${esc(t.legend)}</p>`,
      );
    }
    if (sc.kind !== 'isolation' && sc.kind !== 'scaling') parts.push(table(sc));
    for (const w of sc.warnings ?? []) parts.push(`<p class="warning">⚠ ${esc(w)}</p>`);
    parts.push(...conditionsDetails(sc));
    parts.push('</section>');
    sections.push(parts.join('\n'));
  }
  const kernel = await kernelSection(run, specs);
  charts += kernel.charts;
  if (kernel.html) sections.push(kernel.html);
  const axioms = await axiomsSection(run, specs);
  charts += axioms.charts;
  if (axioms.html) sections.push(axioms.html);
  const top = await firstScreen(run, specs);
  charts += top.charts;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nsbench ${esc(run.runId)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:1em auto;max-width:1240px;padding:0 1em;color:#222}\n.grid{display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap}.grid>div{max-width:660px}.grid figure{margin:0;max-width:520px}.summary td,.summary th{padding:1px 6px}table.summary{font-size:13px;margin:.3em 0}tr.slower td:last-child,tr.more td:last-child{color:#a33}tr.faster td:last-child,tr.less td:last-child{color:#176}.system{color:#444;margin:.2em 0}h1{margin:.2em 0}
h1{font-size:1.4em}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dt{font-weight:600}
figure{margin:1em 0}td.cell{text-align:center}td.isolated{background:#e3f4e3}td.not-isolated{background:#fbe3e3}td.na{color:#888}details{margin:.2em 0}figcaption{color:#555}.read{color:#777;font-size:.92em}ul.findings li{margin:.3em 0}nav#contents ol{columns:2}.meta{color:#666}.warning{color:#a40}
</style></head><body>
<h1>nsbench — ${esc(run.runId)}${run.status === 'complete' ? '' : ' <strong>(partial run)</strong>'}</h1>
<p class="system">${esc(systemLine(run))}</p>
${top.html}
${findingsSection(run)}
${contents(run, axioms.html !== null, kernel.html !== null)}
<h2 id="environment">Environment</h2>${environment(run)}
${sections.join('\n')}
<script type="application/json" id="vega-lite-specs">${JSON.stringify(specs).replace(/</g, '\\u003c')}</script>
</body></html>
`;
  return { html, charts };
}
