import type { RunResults, ScenarioResult } from '../results/index.ts';
import { NAMESPACES } from '../isolation/index.ts';
import { cellSymbol, interferenceRows, isolationMatrix } from './axioms.ts';
import { CARRY_HEADER, carryOverRows, densityFigure, paceLine, watchLine } from './conditions.ts';
import { formatNs, formatRatio, formatVs, textTable } from './format.ts';

function issues(v: ScenarioResult['summary'][number]): string {
  return v.errored ? `${v.errored} errored` : v.skipped ? 'skipped' : '';
}

function vsBaseline(v: ScenarioResult['summary'][number], metric: string): string {
  return formatVs(v.metrics[metric], v.variant === v.baseline);
}

/** Boot-time table of a launch scenario: distribution, overhead, breakdown, and the workload's own time where it reports one. */
function launchTable(sc: ScenarioResult): string {
  const hasRun = sc.summary.some((v) => v.metrics['workload.elapsedNs']);
  const hasSetup = sc.summary.some((v) => v.metrics.setupWorkNs);
  const hasKernel = sc.summary.some((v) => v.metrics['kernel.deferredDoneNs']);
  const header = ['variant', 'n', 'boot p50', 'p95', 'p99', 'vs base [95% CI]', 'clone', 'map', 'cgroup', 'setup', 'exec', 'cpu (child+launcher)'];
  if (hasSetup) header.push('of it: setup work');
  if (hasKernel) header.push('kernel after exit: cpu', 'done after');
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
    if (hasSetup) row.push(formatNs(m.setupWorkNs?.median));
    if (hasKernel) row.push(formatNs(m['kernel.deferredCpuNs']?.median), formatNs(m['kernel.deferredDoneNs']?.median));
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

/** Density ramps: how many were held, how fast, what each cost (mean of the ramps [95% CI]), how long teardown took. */
function densityTable(sc: ScenarioResult): string {
  const header = ['variant', 'ramps', 'held', 'launch/s', 'boot first 10%', 'last 10%', 'slope/inst', 'charged/inst [95% CI]', 'of it kernel', 'PSS/inst', 'ns objects/inst', 'MemAvailable/inst', 'teardown', 'debt', 'errors'];
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
      densityFigure(sc, v.variant, 'chargedPerInstanceBytes', true),
      densityFigure(sc, v.variant, 'chargedKernelPerInstanceBytes'),
      densityFigure(sc, v.variant, 'pssPerInstanceBytes'),
      densityFigure(sc, v.variant, 'nsObjectsPerInstanceBytes'),
      densityFigure(sc, v.variant, 'memPerInstanceBytes'),
      formatNs(m.teardownNs?.median),
      m.teardownDebtNs && m.teardownDebtNs.median >= 0 ? formatNs(m.teardownDebtNs.median) : '-',
      issues(v),
    ];
  });
  const notes = [...new Set(sc.samples.flatMap((s) => (s.state === 'completed' ? (s.notes ?? []).map((n) => `  ${s.variant}: ${n}`) : [])))];
  return [textTable(header, rows), ...notes].join('\n');
}

/** The isolation matrix: ✓ isolated, ✗ not isolated, – not applicable; evidence in the JSON and HTML report. */
function isolationTable(sc: ScenarioResult): string {
  const header = ['variant', 'n', ...NAMESPACES, 'isolated', 'errors'];
  const rows = isolationMatrix({ scenarios: [sc] } as RunResults, sc).map((r) => {
    const v = sc.summary.find((x) => x.variant === r.variant);
    const applicable = r.cells.filter((c) => c && c.status !== 'n/a').length;
    return [
      r.variant,
      String(v?.completed ?? 0),
      ...r.cells.map(cellSymbol),
      `${r.isolated}/${applicable}${r.inconsistentRounds ? ` (${r.inconsistentRounds} rounds differ)` : ''}`,
      v ? issues(v) : '',
    ];
  });
  return `${textTable(header, rows, header.length)}\n  ✓ isolated  ✗ not isolated  – not applicable (evidence per cell: results JSON, HTML report); what each set costs: "isolation vs cost" below, from the boot and launch scenarios`;
}

/** A figure, or "-" where there is none. */
const orDash = (x: number | null | undefined, show: (x: number) => string): string => (x === null || x === undefined ? '-' : show(x));

/** Victim slowdown beside each antagonist and cgroup setting. */
function interferenceTable(sc: ScenarioResult): string {
  const rows = interferenceRows(sc);
  const header = ['variant', 'n', 'victim run p50', 'slowdown vs alone [95% CI]', 'removed', 'p (faster than none)', 'antag. pids peak', 'pids.max hits', 'antag. throttled', 'errors'];
  const table = sc.summary.map((v) => {
    const r = rows.find((x) => x.variant === v.variant);
    return [
      v.variant,
      String(v.completed),
      formatNs(v.metrics['workload.elapsedNs']?.median),
      v.variant === v.baseline ? 'alone (baseline)' : v.metrics['workload.elapsedNs']?.tooFew ? formatVs(v.metrics['workload.elapsedNs'], false) : formatRatio(r?.slowdown ?? v.metrics['workload.elapsedNs']?.ratioToBaseline, r?.slowdownCI ?? undefined),
      orDash(r?.removed, (x) => `${Math.round(x * 100)} %`),
      orDash(r?.pLessThanReference, (x) => x.toFixed(3)),
      orDash(r?.antagonistPidsPeak, String),
      orDash(r?.antagonistPidsMaxEvents, String),
      r?.antagonistThrottledUs ? formatNs(r.antagonistThrottledUs * 1e3) : '-',
      issues(v),
    ];
  });
  return `${textTable(header, table)}\n  removed: share of the unlimited antagonist's extra slowdown that the setting took away`;
}

/** Isolation beside its cost, per namespace set of the run's isolation scenarios. */
export function axiomsTable(run: RunResults): string | null {
  const out: string[] = [];
  for (const sc of run.scenarios.filter((s) => s.kind === 'isolation')) {
    const rows = isolationMatrix(run, sc).map((r) => [
      r.variant,
      r.cells.map(cellSymbol).join(' '),
      String(r.isolated),
      r.bootRatio === null ? (r.bootMissing ?? '-') : formatRatio(r.bootRatio),
      r.runRatio === null ? '-' : `${formatRatio(r.runRatio)}${r.runWorkloads ? ` (${r.runWorkloads} workloads)` : ''}`,
    ]);
    out.push(`\nisolation vs cost (${sc.name}) — cells in the order ${NAMESPACES.join(' ')}`, textTable(['namespace set', 'cells', 'isolated', 'boot vs bare', 'run time vs bare'], rows, 2));
  }
  return out.length ? out.join('\n') : null;
}

const TABLES: Record<ScenarioResult['kind'], (sc: ScenarioResult) => string> = {
  launch: launchTable,
  freeze: freezeTable,
  network: networkTable,
  density: densityTable,
  isolation: isolationTable,
  interference: interferenceTable,
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
    out.push(`\n${sc.name} [${sc.pace ?? 'interleaved'}] — ${sc.description}`);
    out.push(`${sc.rounds} rounds after ${sc.warmupRounds} warm-up, seed ${sc.seed}; medians unless marked; vs base: ratio of medians with a bootstrap 95% CI`);
    out.push(paceLine(sc));
    const watch = watchLine(sc);
    if (watch) out.push(watch);
    out.push(scenarioTable(sc));
    const carry = carryOverRows(sc);
    if (carry.some((r) => r[5] === 'yes')) out.push(`carry-over on ${sc.carryOver?.metric} (the launch right after each variant, against its own variant's median):`, textTable(CARRY_HEADER, carry));
    const problems = problemLines(sc);
    if (problems.length) out.push('problems:', ...problems);
    for (const w of sc.warnings ?? []) out.push(`warning: ${w}`);
  }
  const axioms = axiomsTable(run);
  if (axioms) out.push(axioms);
  return out.join('\n');
}
