import type { RunResults, ScenarioResult } from '../results/index.ts';
import { formatNs, formatRatio, textTable } from './format.ts';

function issues(v: ScenarioResult['summary'][number]): string {
  return v.errored ? `${v.errored} errored` : v.skipped ? 'skipped' : '';
}

function vsBaseline(v: ScenarioResult['summary'][number], metric: string): string {
  const m = v.metrics[metric];
  return v.variant === v.baseline ? 'baseline' : formatRatio(m?.ratioToBaseline, m?.ratioCI95);
}

/** Boot-time table of a launch scenario: distribution, overhead, breakdown, and the workload's own time where it reports one. */
function launchTable(sc: ScenarioResult): string {
  const hasRun = sc.summary.some((v) => v.metrics['workload.elapsedNs']);
  const header = ['variant', 'n', 'boot p50', 'p95', 'p99', 'vs base [95% CI]', 'clone', 'map', 'cgroup', 'setup', 'exec', 'cpu (child+launcher)'];
  if (hasRun) header.push('run p50', 'vs base [95% CI]');
  header.push('errors');
  const rows = sc.summary.map((v) => {
    const m = v.metrics;
    const cpu = m.childCpuUs && m.launcherCpuUs ? formatNs((m.childCpuUs.median + m.launcherCpuUs.median) * 1e3) : '-';
    const row = [
      v.variant,
      String(v.completed),
      formatNs(m.bootNs?.median),
      formatNs(m.bootNs?.p95),
      formatNs(m.bootNs?.p99),
      vsBaseline(v, 'bootNs'),
      formatNs(m.cloneNs?.median),
      formatNs(m.mapNs?.median),
      formatNs(m.cgroupNs?.median),
      formatNs(m.setupNs?.median),
      formatNs(m.execNs?.median),
      cpu,
    ];
    if (hasRun) row.push(formatNs(m['workload.elapsedNs']?.median), vsBaseline(v, 'workload.elapsedNs'));
    row.push(issues(v));
    return row;
  });
  return textTable(header, rows);
}

/** Pause/unpause latency table of a freeze scenario. */
function freezeTable(sc: ScenarioResult): string {
  const header = ['variant', 'n', 'freeze p50', 'p99', 'thaw p50', 'p99', 'retries', 'errors'];
  const rows = sc.summary.map((v) => {
    const m = v.metrics;
    return [
      v.variant,
      String(v.completed),
      formatNs(m.freezeNs?.median),
      formatNs(m.freezeNs?.p99),
      formatNs(m.thawNs?.median),
      formatNs(m.thawNs?.p99),
      m.freezeRetries ? String(Math.round(m.freezeRetries.mean * m.freezeRetries.n)) : '-',
      issues(v),
    ];
  });
  return textTable(header, rows);
}

/** Throughput and latency table of a network scenario. */
function networkTable(sc: ScenarioResult): string {
  const header = ['variant', 'n', 'Mbit/s p50', 'p5', 'vs base [95% CI]', 'rr p50', 'rr p99', 'vs base [95% CI]', 'errors'];
  const rows = sc.summary.map((v) => {
    const m = v.metrics;
    const tput = m['workload.throughputMbitPerSec'];
    const rr = m['workload.p50Ns'];
    return [
      v.variant,
      String(v.completed),
      tput ? tput.median.toFixed(0) : '-',
      tput ? tput.p5.toFixed(0) : '-',
      tput ? vsBaseline(v, 'workload.throughputMbitPerSec') : '-',
      formatNs(rr?.median),
      formatNs(m['workload.p99Ns']?.median),
      rr ? vsBaseline(v, 'workload.p50Ns') : '-',
      issues(v),
    ];
  });
  return textTable(header, rows);
}

/** Density ramps: how many were held, how fast, what each cost, how long teardown took. */
function densityTable(sc: ScenarioResult): string {
  const header = ['variant', 'ramps', 'held', 'launch/s', 'boot first 10%', 'last 10%', 'slope/inst', 'mem/inst', 'slab/inst', 'cgroup/inst', 'teardown', 'debt', 'errors'];
  const kib = (b?: number) => (b === undefined ? '-' : `${(b / 1024).toFixed(0)} KiB`);
  const rows = sc.summary.map((v) => {
    const m = v.metrics;
    return [
      v.variant,
      String(v.completed),
      m.held ? m.held.median.toFixed(0) : '-',
      m.launchesPerSec ? m.launchesPerSec.median.toFixed(0) : '-',
      formatNs(m.bootFirstTenthP50Ns?.median),
      formatNs(m.bootLastTenthP50Ns?.median),
      formatNs(m.bootSlopeNsPerInstance?.median),
      kib(m.memPerInstanceBytes?.median),
      kib(m.slabPerInstanceBytes?.median),
      kib(m.cgroupMemPerInstanceBytes?.median),
      formatNs(m.teardownNs?.median),
      m.teardownDebtNs && m.teardownDebtNs.median >= 0 ? formatNs(m.teardownDebtNs.median) : '-',
      issues(v),
    ];
  });
  const notes = [...new Set(sc.samples.flatMap((s) => (s.state === 'completed' ? (s.notes ?? []).map((n) => `  ${s.variant}: ${n}`) : [])))];
  return [textTable(header, rows), ...notes].join('\n');
}

const TABLES: Record<ScenarioResult['kind'], (sc: ScenarioResult) => string> = {
  launch: launchTable,
  freeze: freezeTable,
  network: networkTable,
  density: densityTable,
};

/** The table for one scenario, by its kind. */
export function scenarioTable(sc: ScenarioResult): string {
  return (TABLES[sc.kind] ?? launchTable)(sc);
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
    out.push(`${sc.rounds} rounds after ${sc.warmupRounds} warm-up, seed ${sc.seed}; medians unless marked; vs base: ratio of medians with a bootstrap 95% CI`);
    out.push(scenarioTable(sc));
    const problems = problemLines(sc);
    if (problems.length) out.push('problems:', ...problems);
    for (const w of sc.warnings ?? []) out.push(`warning: ${w}`);
  }
  return out.join('\n');
}
