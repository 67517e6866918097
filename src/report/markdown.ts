import { keyFindings, type RunResults } from '../results/index.ts';
import { NAMESPACES } from '../isolation/index.ts';
import { cellSymbol, isolationMatrix } from './axioms.ts';
import { headline } from './charts.ts';
import { paceLine } from './conditions.ts';
import { kernelSections } from './kernel.ts';
import { formatMetric, formatRatio, formatVs } from './format.ts';


/** A Markdown summary of a run: one table per scenario, headline metric with its ratio and CI. */
export function markdownSummary(run: RunResults): string {
  const env = run.environment as Record<string, Record<string, unknown>>;
  const out = [
    `# nsbench ${run.runId}`,
    '',
    `${run.status === 'complete' ? 'Complete' : '**Partial**'} run of nsbench ${run.tool.version}${run.tool.commit ? ` (${run.tool.commit.slice(0, 10)})` : ''}, ${run.startedAt}.`,
    `Kernel ${String(env.kernel?.release ?? '?')}, ${String(env.cpu?.model ?? '?')} × ${String(env.cpu?.cores ?? '?')}, cgroups ${String(env.cgroups?.mode ?? '?')}.`,
  ];
  const findings = keyFindings(run);
  const kernel = kernelSections(run);
  const link = (section: string) => (section === 'kernel' ? ' ([inside the kernel](#inside-the-kernel))' : ` ([${section}](#${anchor(`${section} — ${run.scenarios.find((s) => s.name === section)?.pace ?? 'interleaved'}`)}))`);
  if (findings.length) out.push('', '## Key findings', '', ...findings.map((f) => `- ${f.text}${f.section && f.section !== 'axioms' ? link(f.section) : ''}`));
  out.push('', '## Contents', '', ...(findings.length ? ['- [Key findings](#key-findings)'] : []), ...run.scenarios.map((s) => `- [${s.name}](#${anchor(`${s.name} — ${s.pace ?? 'interleaved'}`)}) (${s.kind})`), ...(kernel.length ? ['- [Inside the kernel](#inside-the-kernel)'] : []));
  for (const sc of run.scenarios) {
    const { metric, label } = headline(sc);
    out.push('', `## ${sc.name} — ${sc.pace ?? 'interleaved'}`, '', sc.description, '', `_${paceLine(sc)}._`, '', `| variant | n | ${label} p50 | p95 | vs baseline [95% CI] | errors |`, '| --- | --- | --- | --- | --- | --- |');
    for (const v of sc.summary) {
      const m = v.metrics[metric];
      const vs = formatVs(m, v.variant === v.baseline);
      out.push(`| ${v.variant} | ${v.completed} | ${formatMetric(metric, m?.median)} | ${formatMetric(metric, m?.p95)} | ${vs} | ${v.errored ? `${v.errored} errored` : v.skipped ? 'skipped' : ''} |`);
    }
    if (sc.kind === 'isolation') {
      out.push('', `| namespace set | ${NAMESPACES.join(' | ')} | isolated | boot vs bare |`, `| --- |${' --- |'.repeat(NAMESPACES.length + 2)}`);
      for (const r of isolationMatrix(run, sc)) out.push(`| ${r.variant} | ${r.cells.map(cellSymbol).join(' | ')} | ${r.isolated} | ${r.bootRatio === null ? (r.bootMissing ?? '-') : formatRatio(r.bootRatio)} |`);
    }
    for (const w of sc.warnings ?? []) out.push('', `> ⚠️ ${w}`);
  }
  if (kernel.length) {
    out.push('', '## Inside the kernel', '', 'Where each launch\'s time goes inside the kernel (kernelTrace, `--kernel-trace`). Tracing has a cost of its own: compare with and without it (`npm run perf:kernel-trace`), not across the two.');
    for (const t of kernel) {
      out.push('', `### ${t.sc.name}`, '', `_${t.traced}._`);
      for (const tb of t.tables) out.push('', `**${tb.title}.** ${tb.note}`, '', `| ${tb.header.join(' | ')} |`, `| ${tb.header.map(() => '---').join(' | ')} |`, ...tb.rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`));
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
