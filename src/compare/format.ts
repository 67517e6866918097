import { formatNs, textTable } from '../util/index.ts';
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
  return [r.scenario, r.variant, r.metric, base, `${value(r.metric, r.current.median)} (n=${r.current.n})`, change(r), r.q < 0.001 ? '<0.001' : r.q.toPrecision(2), mark(r)];
}

/** A benchstat-style text table with the verdict line. */
export function compareText(res: CompareResult): string {
  const lines = [textTable(HEADER, res.rows.map(cells), 3)];
  lines.push(`how: ${res.method}`, `a regression: q < alpha and a change beyond its threshold in the worse direction`);
  for (const w of res.warnings) lines.push(`warning: ${w}`);
  lines.push(verdictLine(res));
  return lines.join('\n');
}

export function verdictLine(res: CompareResult): string {
  if (res.regressions.length === 0) return `no regression (${res.rows.length} comparisons, ${res.improvements.length} improvements)`;
  return `REGRESSION in ${res.regressions.length} of ${res.rows.length} comparisons: ${res.regressions.map((r) => `${r.scenario}/${r.variant} ${r.metric} ${change(r)}`).join('; ')}`;
}

/** The same as Markdown, for a CI job page or a pull-request comment. */
export function compareMarkdown(res: CompareResult): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = [`### nsbench compare: ${res.regressions.length ? '❌ regression' : '✅ no regression'}`, '', `| ${HEADER.join(' | ')} |`, `| ${HEADER.map(() => '---').join(' | ')} |`];
  for (const r of res.rows) out.push(`| ${cells(r).map(esc).join(' | ')} |`);
  out.push('', verdictLine(res), '', `How: ${esc(res.method)}. A regression: q < alpha and a change beyond its threshold in the worse direction.`);
  for (const w of res.warnings) out.push(`- ⚠️ ${esc(w)}`);
  return `${out.join('\n')}\n`;
}
