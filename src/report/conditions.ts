import {
  cpuNames,
  createOf,
  MIN_VERDICT_SAMPLES,
  paceFigures,
  perLaunchMedian,
  placementOf,
  rampFigure,
  type ScenarioResult,
  scalingRows,
} from '../results/index.ts';
import { formatNs, formatRatio } from '../util/index.ts';

/** Beyond this many variants the carry-over matrix (variants × predecessors) is shown as its list of cells instead. */
export const CARRY_MATRIX_MAX = 40;

/** What each pace answers, in a few words (README "Pacing"). */
const PACE_MEANING: Record<string, string> = {
  interleaved: 'variants in a fresh random order each round',
  quiesced: 'each launch waited for the kernel to finish tearing down the ones before',
  'back-to-back': 'each variant several times in a row inside the launcher (churn)',
};

/**
 * The scenario's pacing and gaps in one line, as a table heading states them: every figure below holds under these
 * conditions.
 */
export function paceLine(sc: ScenarioResult): string {
  const pace = sc.pace ?? 'interleaved';
  const f = paceFigures(sc);
  const parts = [`pace ${pace}: ${PACE_MEANING[pace] ?? pace}`];
  if (pace === 'back-to-back') parts.push(`bursts of ${sc.burst ?? '?'} after a lead-in (not summarized)`);
  if (f.gapP50Ns !== null)
    parts.push(
      `gap exit → next launch p50 ${formatNs(f.gapP50Ns)}${sc.gapMs ? ` (at least ${sc.gapMs} ms kept)` : " (nsbench's own round trip)"}`,
    );
  if (pace === 'quiesced') {
    parts.push(
      `quiesce wait p50 ${formatNs(f.quiesceWaitP50Ns ?? NaN)}${f.quiesceTimeouts ? `, ${f.quiesceTimeouts} timed out` : ''}`,
    );
  }
  if (sc.kind === 'launch') parts.push(placementLine(sc));
  parts.push(createLine(sc));
  return parts.join('; ');
}

/** Where a launch scenario's launcher and sandboxes ran, in words, with the CPUs. */
function placementLine(sc: ScenarioResult): string {
  const p = placementOf(sc);
  const where = sc.cpus ? `${cpuNames(sc.cpus.sandboxes)}, nsbench on ${cpuNames(sc.cpus.harness)}` : 'every CPU';
  if (p === 'one-cpu') return `placement one-cpu: the launcher and its sandboxes pinned to one CPU (${where})`;
  if (p === 'spread') return `placement spread: the launcher and its sandboxes on every CPU but nsbench's (${where})`;
  return 'placement free: the launcher, its sandboxes and nsbench free to move over every CPU';
}

/** How the sandboxes were made, in words, with the launches that could not be made as asked. */
function createLine(sc: ScenarioResult): string {
  const c = createOf(sc);
  const other = new Map<string, number>();
  for (const s of sc.samples) {
    const m = s.conditions?.create;
    if (m && m !== c) other.set(m, (other.get(m) ?? 0) + 1);
  }
  const exceptions = [...other].map(([m, n]) => `${n} launch${n === 1 ? '' : 'es'} ${m}`).join(', ');
  return `${c === 'vfork' ? 'created vfork-style (CLONE_VM | CLONE_VFORK, as posix_spawn)' : `created fork-style (a copy of the launcher, as runc)${sc.createWhy ? `: ${sc.createWhy.replace(/^made fork-style throughout: /, '')}` : ''}`}${exceptions ? ` — ${exceptions}` : ''}`;
}

/** A scenario's heading tail: its pace, for launch scenarios where it ran, and how its sandboxes were made. */
export function conditionsTag(sc: ScenarioResult): string {
  return `${sc.pace ?? 'interleaved'}${sc.kind === 'launch' ? `, ${placementOf(sc)}` : ''}, ${createOf(sc)}`;
}

/** Load and kernel-tracing facts of a scenario, in one line. */
export function watchLine(sc: ScenarioResult): string {
  const load = sc.load ?? [];
  const bad = load.filter((l) => l.disturbed.length).length;
  const parts: string[] = [];
  if (load.length)
    parts.push(
      `competing load: ${bad} of ${load.length} rounds disturbed (${load[0]?.source === 'psi' ? 'PSI and process CPU' : '/proc/stat and process CPU'})`,
    );
  if (sc.kernelWork)
    parts.push(
      sc.kernelWork.traced
        ? 'kernel work traced (workqueue, kworker scheduling)'
        : `kernel work not traced: ${sc.kernelWork.reason}`,
    );
  return parts.join('; ');
}

/**
 * Per predecessor: the shift of the launch right after it [95% CI], n, its
 * permutation p after Holm, and whether it stands (the overall test and its
 * own, both at 0.05). Files from before the test judge by the CI alone.
 */
export function carryOverRows(sc: ScenarioResult): string[][] {
  const c = sc.carryOver;
  if (!c) return [];
  return c.predecessors.map((p) => {
    const t = c.test?.predecessors.find((x) => x.prev === p.prev);
    const stands = c.test ? c.test.p < 0.05 && !!t && t.pHolm < 0.05 : !!p.ci && (p.ci[0] > 0 || p.ci[1] < 0);
    return [
      p.prev,
      String(p.n),
      p.ci ? `${p.shift >= 0 ? '+' : ''}${formatNs(p.shift)}` : 'too few',
      p.ci ? `[${formatNs(p.ci[0])}, ${formatNs(p.ci[1])}]` : '-',
      t ? (t.pHolm < 0.001 ? '<0.001' : t.pHolm.toFixed(3)) : '-',
      stands ? 'yes' : '',
    ];
  });
}

export const CARRY_HEADER = ['after', 'n', 'shift of the next launch', '95% CI', 'p (Holm)', 'significant'];

/** Per variant: the kernel's deferred work after its exits (median per launch), by the function it ran. */
export function kernelWorkRows(sc: ScenarioResult): { header: string[]; rows: string[][] } | null {
  const fns = new Set<string>();
  for (const s of sc.samples)
    if (s.state === 'completed')
      for (const k of Object.keys(s.metrics)) if (/^kernel\.work\..+\.cpuNs$/.test(k)) fns.add(k.slice(12, -6));
  const vs = sc.summary.filter((v) => v.metrics['kernel.deferredCpuNs'] || v.metrics['kernel.deferredDoneNs']);
  if (!vs.length) return null;
  const list = [...fns].sort();
  const header = ['variant', 'deferred cpu', 'until done', ...list.map((f) => `${f} cpu`)];
  const perLaunch = (variant: string, metric: string) => perLaunchMedian(sc, variant, metric);
  const rows = sc.summary.map((v) => [
    v.variant,
    formatNs(perLaunch(v.variant, 'kernel.deferredCpuNs')),
    formatNs(v.metrics['kernel.deferredDoneNs']?.median),
    ...list.map((f) => formatNs(perLaunch(v.variant, `kernel.work.${f}.cpuNs`))),
  ]);
  return { header, rows };
}

/**
 * A density figure over the variant's ramps: their mean (with its 95% CI when asked, from 6 ramps on); "invalid" where
 * a ramp's value was implausible.
 */
export function densityFigure(sc: ScenarioResult, variant: string, metric: string, withCI = false): string {
  const f = rampFigure(sc, variant, metric);
  const kib = (b: number) => `${(b / 1024).toFixed(0)}`;
  if (f.mean === null) return f.invalid ? 'invalid' : '-';
  // a CI from 6 ramps on, as every other verdict: from fewer, the mean and how many ramps it is of
  const ci = withCI && f.n >= MIN_VERDICT_SAMPLES ? f.ci : null;
  return `${kib(f.mean)} KiB${ci ? ` [${kib(ci.low)}, ${kib(ci.high)}]` : withCI ? ` (mean of ${f.n})` : ''}${f.invalid ? ` (${f.invalid} invalid)` : ''}`;
}

/**
 * The memory figures of a density scenario's variants, for a table: charged [CI], its kernel part, PSS, namespace
 * objects, MemAvailable.
 */
export const DENSITY_MEMORY_HEADER = [
  'variant',
  'ramps',
  'charged/inst [95% CI]',
  'of it kernel',
  'PSS/inst',
  'ns objects/inst',
  'MemAvailable/inst',
];
export function densityMemoryRows(sc: ScenarioResult): string[][] {
  return sc.summary.map((v) => [
    v.variant,
    String(v.completed),
    ...[
      'chargedPerInstanceBytes',
      'chargedKernelPerInstanceBytes',
      'pssPerInstanceBytes',
      'nsObjectsPerInstanceBytes',
      'memPerInstanceBytes',
    ].map((m, i) => densityFigure(sc, v.variant, m, i === 0)),
  ]);
}

/** A rate with its median CI: "412 [398, 430]". */
function formatRate(m: { median: number; medianCI95: [number, number] | null } | null): string {
  if (!m) return '-';
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));
  return m.medianCI95 ? `${f(m.median)} [${f(m.medianCI95[0])}, ${f(m.medianCI95[1])}]` : f(m.median);
}

type Table = { header: string[]; rows: string[][] };

/**
 * A scaling scenario's two tables — throughput and its scaling per set and K; what each launch cost the machine —
 * and the legend under them: one definition for the terminal, the HTML report and the Markdown summary.
 */
export function scalingTables(sc: ScenarioResult): { speed: Table; cost: Table; legend: string } {
  const rows = scalingRows(sc);
  const ns = (x: number | null) => (x === null ? '-' : formatNs(x));
  const baseK = rows[0]?.baseK ?? 1;
  return {
    speed: {
      header: ['set', 'K', 'n', 'launches/s [95% CI]', `vs K=${baseK} [95% CI]`, 'efficiency', 'boot p50', 'boot p90'],
      rows: rows.map((r) => [
        r.set,
        String(r.k),
        String(r.n),
        formatRate(r.perSec),
        r.speedup === null ? (r.k === r.baseK ? 'baseline' : '-') : formatRatio(r.speedup, r.speedupCI ?? undefined),
        r.efficiency === null ? '-' : `${Math.round(r.efficiency * 100)}%`,
        ns(r.bootP50Ns),
        ns(r.bootP90Ns),
      ]),
    },
    cost: {
      header: [
        'set',
        'K',
        'CPU',
        'off CPU',
        'blocked',
        'runqueue',
        'CPUs busy',
        'machine CPU',
        'backlog peak',
        'drained after',
      ],
      rows: rows.map((r) => [
        r.set,
        String(r.k),
        ns(r.cpuPerLaunchNs),
        ns(r.offCpuPerLaunchNs),
        ns(r.blockedPerLaunchNs),
        ns(r.runqueuePerLaunchNs),
        r.cpusBusy === null ? '-' : r.cpusBusy.toFixed(2),
        ns(r.hostCpuPerLaunchNs),
        r.backlog ? `${Math.round(r.backlog.peak)} ${r.backlog.kind}` : '-',
        r.drainNs === null ? '-' : r.drainNs < 0 ? 'not drained' : ns(r.drainNs),
      ]),
    },
    legend: `K launchers at once, each creating and destroying sandboxes in a row. launches/s: create + destroy throughput over the wall time from their release to the last exit. efficiency: the speedup over K=${baseK} per launcher added (100% = perfect scaling). CPU: the launchers' and sandboxes' CPU time per launch; off CPU: K × the wall time − that CPU, per launch (waiting in the kernel, or for a CPU once K exceeds the CPUs); blocked and runqueue: traced (sched_switch, where tracing is possible) — per launch, the time its launcher's and sandbox's tasks spent blocked in the kernel (uninterruptible sleep: a lock, an RCU grace period) and preempted waiting for a CPU; CPUs busy: their CPU time over the wall time; machine CPU: every CPU's busy time per launch until the backlog drained (the kernel's deferred teardown included, and nsbench's own reads); backlog peak: the most namespaces of a kind dying but not yet freed during the churn; drained after: from the last exit until they were freed.`,
  };
}
