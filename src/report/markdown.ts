import { CELL_DEFINITION, NAMESPACES } from '../isolation/index.ts';
import {
  interferenceRows,
  isolationMatrix,
  keyFindings,
  type RunResults,
  type ScenarioResult,
} from '../results/index.ts';
import { formatMetric, formatRatio } from '../util/index.ts';
import { cellSymbol } from './axioms.ts';
import { conditionsTag, DENSITY_MEMORY_HEADER, densityMemoryRows, paceLine, scalingTables } from './conditions.ts';
import { formatP, formatShare, formatVs, systemLine } from './format.ts';
import { hasBaseline, tableMetrics, variantsLine } from './html.ts';
import { kernelSections } from './kernel.ts';
import { SUMMARY_HEADER, summaryRows } from './summary.ts';

/** A Markdown table; cells have their pipes escaped. */
function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cell = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** A scenario's table: every metric its kind reports (p50, p95, ratio to the baseline), so no row is empty. */
function scenarioRows(sc: ScenarioResult): string[] {
  const metrics = tableMetrics(sc);
  const noBase = !hasBaseline(sc);
  const header = [
    'variant',
    'n',
    ...metrics.flatMap((m) => [`${m.label} p50`, 'p95', noBase ? 'p99' : 'vs baseline [95% CI]']),
    'errors',
  ];
  const rows = sc.summary.map((v) => [
    v.variant,
    String(v.completed),
    ...metrics.flatMap(({ metric }) => {
      const m = v.metrics[metric];
      return [
        formatMetric(metric, m?.median),
        formatMetric(metric, m?.p95),
        noBase ? formatMetric(metric, m?.p99) : m ? formatVs(m, v.variant === v.baseline) : '-',
      ];
    }),
    v.errored ? `${v.errored} errored` : v.skipped ? 'skipped' : '',
  ]);
  return mdTable(header, rows);
}

/**
 * A Markdown summary of a run: the system, the summary table and findings, then one section per scenario with every
 * metric it reports.
 */
export function markdownSummary(run: RunResults): string {
  const out = [
    `# nsbench ${run.runId}`,
    '',
    `${run.status === 'complete' ? 'Complete' : '**Partial**'} run of nsbench ${run.tool.version}${run.tool.commit ? ` (${run.tool.commit.slice(0, 10)})` : ''}.`,
    '',
    systemLine(run),
  ];
  const rows = summaryRows(run);
  if (rows.length)
    out.push(
      '',
      '## Summary',
      '',
      ...mdTable(
        SUMMARY_HEADER,
        rows.map((r) => [r.setting, r.what, r.delta, r.ratio, r.direction]),
      ),
      '',
      "_Medians; difference = the variant's median less its baseline's, with the ratio's bootstrap 95% CI times the baseline's median; a direction only where the 95% CI excludes no change; memory: charged per sandbox, mean of the density ramps._",
    );
  const findings = keyFindings(run);
  const kernel = kernelSections(run);
  const link = (section: string) =>
    section === 'kernel'
      ? ' ([inside the kernel](#inside-the-kernel))'
      : section === 'axioms'
        ? ' ([isolation vs cost](#isolation-vs-cost))'
        : ` ([${section}](#${anchor(
            headingOf(
              run.scenarios.find((s) => s.name === section),
              section,
            ),
          )}))`;
  if (findings.length)
    out.push('', '## Key findings', '', ...findings.map((f) => `- ${f.text}${f.section ? link(f.section) : ''}`));
  out.push(
    '',
    '## Contents',
    '',
    ...(findings.length ? ['- [Key findings](#key-findings)'] : []),
    ...run.scenarios.map((s) => `- [${s.name}](#${anchor(headingOf(s))}) (${s.kind})`),
    ...(kernel.length ? ['- [Inside the kernel](#inside-the-kernel)'] : []),
  );
  for (const sc of run.scenarios) {
    out.push(
      '',
      `## ${headingOf(sc)}`,
      '',
      sc.description,
      '',
      `_This run: ${variantsLine(sc)}. ${paceLine(sc)}._`,
      '',
    );
    if (sc.kind === 'isolation') {
      // the probe's own launches (a few) are no estimate: the cost comes from the boot scenario, with its CI
      out.push(
        ...mdTable(
          ['namespace set', ...NAMESPACES, 'isolated', 'boot vs bare [95% CI]'],
          isolationMatrix(run, sc).map((r) => [
            r.variant,
            ...r.cells.map(cellSymbol),
            String(r.isolated),
            r.bootRatio === null ? (r.bootMissing ?? '-') : formatRatio(r.bootRatio, r.bootRatioCI ?? undefined),
          ]),
        ),
      );
      out.push('', `_What a cell means — ${CELL_DEFINITION}._`);
    } else if (sc.kind === 'scaling') {
      const t = scalingTables(sc);
      out.push(
        ...mdTable(t.speed.header, t.speed.rows),
        '',
        'What each launch cost (medians):',
        '',
        ...mdTable(t.cost.header, t.cost.rows),
        '',
        `_${t.legend}_`,
      );
    } else out.push(...scenarioRows(sc));
    if (sc.kind === 'interference')
      out.push(
        '',
        ...mdTable(
          [
            'variant',
            'slowdown vs alone [95% CI]',
            'harm removed (of the reference)',
            'p (faster than beside the reference)',
          ],
          interferenceRows(sc).map((r) => [
            r.variant,
            formatRatio(r.slowdown, r.slowdownCI ?? undefined),
            r.removed === null ? '-' : `${formatShare(r.removed)} of ${r.referenceSetting}'s`,
            formatP(r.pLessThanReference),
          ]),
        ),
      );
    if (sc.kind === 'density') out.push('', ...mdTable(DENSITY_MEMORY_HEADER, densityMemoryRows(sc)));
    for (const w of sc.warnings ?? []) out.push('', `> ⚠️ ${w}`);
  }
  const iso = run.scenarios.filter((s) => s.kind === 'isolation');
  if (iso.length)
    out.push(
      '',
      '## Isolation vs cost',
      '',
      'Per namespace set: kinds isolated (of 8) and boot time vs bare from the boot scenario, with its 95% CI — the tables above.',
    );
  if (kernel.length) {
    out.push(
      '',
      '## Inside the kernel',
      '',
      "Where each launch's time goes inside the kernel (kernelTrace, `--kernel-trace`). Tracing has a cost of its own: compare with and without it (`npm run perf:kernel-trace`), not across the two.",
    );
    for (const t of kernel) {
      out.push('', `### ${t.sc.name}`, '', `_${t.traced}._`);
      for (const tb of t.tables) out.push('', `**${tb.title}.** ${tb.note}`, '', ...mdTable(tb.header, tb.rows));
    }
  }
  return `${out.join('\n')}\n`;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** A scenario's Markdown heading (and so its anchor): its name and the conditions its figures hold under. */
function headingOf(sc: ScenarioResult | undefined, name = sc?.name ?? ''): string {
  return `${name} — ${sc ? conditionsTag(sc) : 'interleaved'}`;
}
