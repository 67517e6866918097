import type { RunResults, ScenarioResult } from '../results/index.ts';
import { formatNs, formatRatio, textTable } from './format.ts';

/** Boot-time table of one scenario: distribution, overhead and breakdown. */
export function scenarioTable(sc: ScenarioResult): string {
  const header = ['variant', 'n', 'boot p50', 'p95', 'p99', `vs ${sc.baseline}`, 'clone', 'map', 'setup', 'exec', 'cpu (child+launcher)', 'errors'];
  const rows = sc.summary.map((v) => {
    const m = v.metrics;
    const cpu = m.childCpuUs && m.launcherCpuUs ? formatNs((m.childCpuUs.median + m.launcherCpuUs.median) * 1e3) : '-';
    const issues = v.errored ? `${v.errored} errored` : v.skipped ? `skipped` : '';
    return [
      v.variant,
      String(v.completed),
      formatNs(m.bootNs?.median),
      formatNs(m.bootNs?.p95),
      formatNs(m.bootNs?.p99),
      v.variant === sc.baseline ? 'baseline' : formatRatio(m.bootNs?.ratioToBaseline),
      formatNs(m.cloneNs?.median),
      formatNs(m.mapNs?.median),
      formatNs(m.setupNs?.median),
      formatNs(m.execNs?.median),
      cpu,
      issues,
    ];
  });
  return textTable(header, rows);
}

/** Why samples failed or were skipped, one line per distinct reason. */
export function problemLines(sc: ScenarioResult): string[] {
  const seen = new Map<string, number>();
  for (const s of sc.samples) {
    if (s.state === 'completed') continue;
    const key = `${s.variant}: ${s.state === 'skipped' ? 'skipped' : s.cause} — ${s.reason}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.entries()].map(([k, n]) => `  ${k}${n > 1 ? ` (×${n})` : ''}`);
}

export function runSummary(run: RunResults): string {
  const out: string[] = [];
  for (const sc of run.scenarios) {
    out.push(`\n${sc.name} — ${sc.description}`);
    out.push(`${sc.rounds} rounds after ${sc.warmupRounds} warm-up, seed ${sc.seed}; medians unless marked`);
    out.push(scenarioTable(sc));
    const problems = problemLines(sc);
    if (problems.length) out.push('problems:', ...problems);
  }
  return out.join('\n');
}
