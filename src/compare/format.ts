import { fitTable, formatNs, wrapText } from '../util/index.ts';
import type { CompareResult, CompareRow } from './compare.ts';

function value(metric: string, v: number): string {
  return /Ns$/.test(metric) ? formatNs(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

function change(r: CompareRow): string {
  const pct = (x: number) => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(1)}%`;
  return `${pct(r.ratio)} [${pct(r.ratioCI95[0])}, ${pct(r.ratioCI95[1])}]`;
}

function mark(r: CompareRow): string {
  return r.verdict === '~' ? '~' : r.verdict;
}

const HEADER = ['scenario', 'variant', 'metric', 'baseline', 'current', 'change [95% CI]', 'q', 'verdict'];

function cells(r: CompareRow): string[] {
  const base = `${value(r.metric, r.baseline.median)} (n=${r.baseline.n}${r.baseline.runs > 1 ? `, ${r.baseline.runs} runs` : ''})`;
  return [
    r.scenario,
    r.variant,
    r.metric,
    base,
    `${value(r.metric, r.current.median)} (n=${r.current.n})`,
    change(r),
    r.q < 0.001 ? '<0.001' : r.q.toPrecision(2),
    mark(r),
  ];
}

/** A change in percent with its CI, the sign once per figure and the % once: "+1.2% [−3.4, +5.6]". */
function changeShort(r: CompareRow): string {
  const p = (x: number) => `${x >= 1 ? '+' : '−'}${Math.abs((x - 1) * 100).toFixed(1)}`;
  return `${p(r.ratio)}% [${p(r.ratioCI95[0])}, ${p(r.ratioCI95[1])}]`;
}

/**
 * A benchstat-style text table with the verdict line, within `width` columns
 * (100 unless the terminal is wider): the rows of each scenario/variant under
 * a line naming it, one row per metric; a table still too wide is split into
 * tables that each repeat what is compared.
 */
export function compareText(res: CompareResult, width = 100): string {
  const header = ['metric', 'baseline', 'current', 'n', 'change [95% CI]', 'q', 'verdict'];
  const rowOf = (r: CompareRow) => {
    const c = cells(r);
    const n = `${r.baseline.n}${r.baseline.runs > 1 ? ` (${r.baseline.runs} runs)` : ''}/${r.current.n}`;
    return [
      r.metric.replace(/^workload\./, ''),
      value(r.metric, r.baseline.median),
      value(r.metric, r.current.median),
      n,
      changeShort(r),
      c[6] as string,
      r.verdict === 'too few samples' ? 'too few' : (c[7] as string),
    ];
  };
  const table = fitTable(header, res.rows.map(rowOf), width - 2, 1);
  let body: string;
  if (!table.includes('\n\n')) {
    // one table: a line per scenario/variant above its rows
    const [head, rule, ...lines] = table.split('\n');
    const out = [`  ${head}`, `  ${rule}`];
    let group = '';
    res.rows.forEach((r, i) => {
      const g = `${r.scenario}/${r.variant}`;
      if (g !== group) out.push(wrapText(g, width));
      group = g;
      out.push(`  ${lines[i] ?? ''}`);
    });
    body = out.join('\n');
  } else
    body = fitTable(
      ['scenario/variant metric', ...header.slice(1)],
      res.rows.map((r) => [`${r.scenario}/${r.variant} ${r.metric}`, ...rowOf(r).slice(1)]),
      width,
      1,
    );
  body += '\nn: samples of the baseline (its runs) / of the current run';
  const lines = [body];
  lines.push(
    wrapText(`how: ${res.method}`, width, '  '),
    wrapText('a regression: q < alpha and a change beyond its threshold in the worse direction', width, '  '),
  );
  for (const w of res.warnings) lines.push(wrapText(`warning: ${w}`, width, '    '));
  lines.push(wrapText(verdictLine(res), width, '  '));
  return lines.join('\n');
}

function verdictLine(res: CompareResult): string {
  if (res.regressions.length === 0)
    return `no regression (${res.rows.length} comparisons, ${res.improvements.length} improvements)`;
  return `REGRESSION in ${res.regressions.length} of ${res.rows.length} comparisons: ${res.regressions.map((r) => `${r.scenario}/${r.variant} ${r.metric} ${change(r)}`).join('; ')}`;
}

/** The same as Markdown, for a CI job page or a pull-request comment. */
export function compareMarkdown(res: CompareResult): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = [
    `### nsbench compare: ${res.regressions.length ? '❌ regression' : '✅ no regression'}`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
  ];
  for (const r of res.rows) out.push(`| ${cells(r).map(esc).join(' | ')} |`);
  out.push(
    '',
    verdictLine(res),
    '',
    `How: ${esc(res.method)}. A regression: q < alpha and a change beyond its threshold in the worse direction.`,
  );
  for (const w of res.warnings) out.push(`- ⚠️ ${esc(w)}`);
  return `${out.join('\n')}\n`;
}
