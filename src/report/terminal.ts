import { NAMESPACES } from '../isolation/index.ts';
import {
  createOf,
  densityMemAvailableDoubt,
  interferenceRows,
  isolationMatrix,
  keyFindings,
  placementOf,
  type RunResults,
  rampFigure,
  type ScenarioResult,
  victimMetric,
} from '../results/index.ts';
import { fitTable, formatNs, formatRatio, wrapText } from '../util/index.ts';
import { cellSymbol } from './axioms.ts';
import { CARRY_HEADER, carryOverRows, densityFigure, paceLine, scalingTables, watchLine } from './conditions.ts';
import { formatP, formatShare, formatVs, systemLine } from './format.ts';
import { SUMMARY_HEADER, summaryRows } from './summary.ts';

/** Columns the terminal output keeps within: 100, or the terminal's width where it is wider. */
export const TERMINAL_WIDTH = 100;

/** The width to print at: at most 100 columns unless the terminal (stdout) is wider. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && (stream.columns ?? 0) > TERMINAL_WIDTH ? (stream.columns as number) : TERMINAL_WIDTH;
}

function issues(v: ScenarioResult['summary'][number]): string {
  return v.errored ? `${v.errored} errored` : v.skipped ? 'skipped' : '';
}

function vsBaseline(v: ScenarioResult['summary'][number], metric: string): string {
  return formatVs(v.metrics[metric], v.variant === v.baseline);
}

/**
 * A phase's median, or "-" where it does not apply (every sample 0: no user namespace to map, no cgroup to place in).
 */
function phase(m: { median: number; max: number } | undefined): string {
  return !m || m.max === 0 ? '-' : formatNs(m.median);
}

/** A count with its noun, singular or plural. */
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The launch tables: boot (with the CPU it took), the workload's run time (per call where it reports calls), then the
 * boot's phases.
 */
function launchTable(sc: ScenarioResult, width: number): string {
  const hasRun = sc.summary.some((v) => v.metrics['workload.elapsedNs']);
  const perCall = sc.summary.some((v) => v.metrics['workload.nsPerCall'] || v.metrics['workload.nsPerOp']);
  const hasSetup = sc.summary.some((v) => v.metrics.setupWorkNs);
  const hasKernel = sc.summary.some((v) => v.metrics['kernel.deferredDoneNs']);
  const boot = sc.summary.map((v) => {
    const m = v.metrics;
    const cpu = m.childCpuUs && m.launcherCpuUs ? formatNs((m.childCpuUs.median + m.launcherCpuUs.median) * 1e3) : '-';
    return [
      v.variant,
      String(v.completed),
      formatNs(m.bootNs?.median),
      formatNs(m.bootNs?.p95),
      formatNs(m.bootNs?.p99),
      vsBaseline(v, 'bootNs'),
      cpu,
      issues(v),
    ];
  });
  const out = [fitTable(['variant', 'n', 'boot p50', 'p95', 'p99', 'vs base [95% CI]', 'cpu', 'errors'], boot, width)];
  const withRun = sc.summary.filter((v) => v.metrics['workload.elapsedNs']);
  if (hasRun) {
    const run = withRun.map((v) => {
      const m = v.metrics;
      const row = [
        v.variant,
        String(m['workload.elapsedNs']?.n ?? 0),
        formatNs(m['workload.elapsedNs']?.median),
        formatNs(m['workload.elapsedNs']?.p95),
        vsBaseline(v, 'workload.elapsedNs'),
      ];
      if (perCall) row.push(formatNs((m['workload.nsPerCall'] ?? m['workload.nsPerOp'])?.median));
      return row;
    });
    out.push(
      '',
      `workload run time${withRun.length < sc.summary.length ? ` (the ${plural(withRun.length, 'variant')} whose workload reports one)` : ''}:`,
      fitTable(
        ['variant', 'n', 'run p50', 'p95', 'vs base [95% CI]', ...(perCall ? ['per call/op p50'] : [])],
        run,
        width,
      ),
    );
  }
  const ph = ['variant', 'clone', 'map', 'cgroup', 'setup', 'exec'];
  if (hasSetup) ph.push('setup work');
  if (hasKernel) ph.push('kernel cpu', 'kernel done');
  const phaseRows = sc.summary.map((v) => {
    const m = v.metrics;
    const row = [v.variant, phase(m.cloneNs), phase(m.mapNs), phase(m.cgroupNs), phase(m.setupNs), phase(m.execNs)];
    if (hasSetup) row.push(phase(m.setupWorkNs));
    if (hasKernel) row.push(phase(m['kernel.deferredCpuNs']), formatNs(m['kernel.deferredDoneNs']?.median));
    return row;
  });
  out.push('', 'boot phases (p50):', fitTable(ph, phaseRows, width));
  return out.join('\n');
}

/** Pause/unpause latency table of a freeze scenario (no baseline: each variant stands on its own). */
function freezeTable(sc: ScenarioResult, width: number): string {
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
  return fitTable(header, rows, width);
}

/**
 * Throughput and latency of a network scenario: each test in its own table (a stream has no request/response figures).
 */
function networkTable(sc: ScenarioResult, width: number): string {
  const tput = sc.summary.filter((v) => v.metrics['workload.throughputMbitPerSec']);
  const rr = sc.summary.filter((v) => v.metrics['workload.p50Ns'] && !v.metrics['workload.throughputMbitPerSec']);
  const rest = sc.summary.filter((v) => !tput.includes(v) && !rr.includes(v));
  const out: string[] = [];
  if (tput.length || rest.length)
    out.push(
      fitTable(
        ['variant', 'n', 'Mbit/s p50', 'p5', 'vs base [95% CI]', 'errors'],
        [...tput, ...rest].map((v) => {
          const t = v.metrics['workload.throughputMbitPerSec'];
          return [
            v.variant,
            String(v.completed),
            t ? t.median.toFixed(0) : '-',
            t ? t.p5.toFixed(0) : '-',
            t ? vsBaseline(v, 'workload.throughputMbitPerSec') : '-',
            issues(v),
          ];
        }),
        width,
      ),
    );
  if (rr.length)
    out.push(
      fitTable(
        ['variant', 'n', 'request/response p50', 'p99', 'vs base [95% CI]', 'errors'],
        rr.map((v) => [
          v.variant,
          String(v.completed),
          formatNs(v.metrics['workload.p50Ns']?.median),
          formatNs(v.metrics['workload.p99Ns']?.median),
          vsBaseline(v, 'workload.p50Ns'),
          issues(v),
        ]),
        width,
      ),
    );
  return out.join('\n\n');
}

/**
 * Density ramps: how many were held, how fast, how long teardown took; then what each sandbox cost in memory (mean of
 * the ramps [95% CI]).
 */
function densityTable(sc: ScenarioResult, width: number): string {
  const ramps = sc.summary.map((v) => {
    const m = v.metrics;
    return [
      v.variant,
      String(v.completed),
      m.held ? m.held.median.toFixed(0) : '-',
      m.launchesPerSec ? m.launchesPerSec.median.toFixed(0) : '-',
      formatNs(m.bootFirstTenthP50Ns?.median),
      formatNs(m.bootLastTenthP50Ns?.median),
      formatNs(m.teardownNs?.median),
      m.teardownDebtNs && m.teardownDebtNs.median >= 0 ? formatNs(m.teardownDebtNs.median) : '-',
      issues(v),
    ];
  });
  const memory = sc.summary.map((v) => [
    v.variant,
    String(rampFigure(sc, v.variant, 'chargedPerInstanceBytes').n),
    densityFigure(sc, v.variant, 'chargedPerInstanceBytes', true),
    densityFigure(sc, v.variant, 'chargedKernelPerInstanceBytes'),
    densityFigure(sc, v.variant, 'pssPerInstanceBytes'),
    densityFigure(sc, v.variant, 'nsObjectsPerInstanceBytes'),
    densityFigure(sc, v.variant, 'memPerInstanceBytes'),
  ]);
  const notes = [
    ...new Set(
      sc.samples.flatMap((s) => (s.state === 'completed' ? (s.notes ?? []).map((n) => `${s.variant}: ${n}`) : [])),
    ),
  ];
  const doubt = densityMemAvailableDoubt(sc);
  return [
    fitTable(
      [
        'variant',
        'ramps',
        'held',
        'launches/s',
        'boot, first 10%',
        'last 10%',
        'teardown',
        'kernel work after',
        'errors',
      ],
      ramps,
      width,
    ),
    '',
    'memory per sandbox (mean of the ramps):',
    fitTable(
      ['variant', 'ramps', 'charged [95% CI]', 'of it kernel', 'PSS', 'ns objects', 'MemAvailable'],
      memory,
      width,
    ),
    ...notes.map((n) => wrapText(n, width, '    ', '  ')),
    ...(doubt ? [wrapText(doubt, width, '    ', 'note: ')] : []),
  ].join('\n');
}

/** The isolation matrix: ✓ isolated, ✗ not isolated, – not applicable; evidence in the JSON and HTML report. */
function isolationTable(sc: ScenarioResult, width: number): string {
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
  return `${fitTable(header, rows, width, header.length)}\n${wrapText('✓ isolated: its own instance, the host’s neither seen nor changed from inside · ✗ not isolated · – nothing to hide. Evidence per cell: the HTML report. What each set costs: "isolation vs cost" below.', width, '  ', '  ')}`;
}

/** Victim slowdown beside each antagonist and cgroup setting. */
function interferenceTable(sc: ScenarioResult, width: number): string {
  const rows = interferenceRows(sc);
  const header = [
    'variant',
    'n',
    'victim p50 (run, or boot)',
    'slowdown vs alone [95% CI]',
    'harm removed',
    'p',
    'antag. pids peak',
    'pids.max hits',
    'antag. throttled',
    'errors',
  ];
  const table = sc.summary.map((v) => {
    const r = rows.find((x) => x.variant === v.variant);
    const m = v.metrics[r?.metric ?? victimMetric(sc, v.variant)];
    return [
      v.variant,
      String(v.completed),
      formatNs(m?.median),
      v.variant === v.baseline
        ? 'alone (baseline)'
        : m?.tooFew
          ? formatVs(m, false)
          : formatRatio(r?.slowdown ?? m?.ratioToBaseline, r?.slowdownCI ?? undefined),
      r?.removed !== null && r?.removed !== undefined ? `${formatShare(r.removed)} of ${r.referenceSetting}'s` : '-',
      formatP(r?.pLessThanReference),
      r?.antagonistPidsPeak === null || r?.antagonistPidsPeak === undefined ? '-' : String(r.antagonistPidsPeak),
      r?.antagonistPidsMaxEvents === null || r?.antagonistPidsMaxEvents === undefined
        ? '-'
        : String(r.antagonistPidsMaxEvents),
      r?.antagonistThrottledUs ? formatNs(r.antagonistThrottledUs * 1e3) : '-',
      issues(v),
    ];
  });
  return `${fitTable(header, table, width)}\n${wrapText('harm removed: the share of the reference setting\'s extra slowdown (the one named; "none" where the run has the unlimited antagonist) that this setting took away; p: one-sided Mann-Whitney, the victim faster than beside the reference', width, '  ', '  ')}`;
}

/** Isolation beside its cost, per namespace set of the run's isolation scenarios. */
function axiomsTable(run: RunResults, width = TERMINAL_WIDTH): string | null {
  const out: string[] = [];
  for (const sc of run.scenarios.filter((s) => s.kind === 'isolation')) {
    const rows = isolationMatrix(run, sc).map((r) => [
      r.variant,
      r.cells.map(cellSymbol).join(' '),
      String(r.isolated),
      r.bootRatio === null ? (r.bootMissing ?? '-') : formatRatio(r.bootRatio, r.bootRatioCI ?? undefined),
      r.runRatio === null
        ? '-'
        : `${formatRatio(r.runRatio)}${r.runWorkloads ? ` (${plural(r.runWorkloads, 'workload')})` : ''}`,
    ]);
    out.push(
      `\nisolation vs cost (${sc.name}) — cells in the order ${NAMESPACES.join(' ')}`,
      fitTable(['namespace set', 'cells', 'isolated', 'boot vs bare [95% CI]', 'run time vs bare'], rows, width, 2),
    );
  }
  return out.length ? out.join('\n') : null;
}

/** Parallel creation: throughput and its scaling per set and K, then what each launch cost the machine. */
function scalingTable(sc: ScenarioResult, width: number): string {
  const t = scalingTables(sc);
  return [
    fitTable(t.speed.header, t.speed.rows, width, 2),
    '',
    'what each launch cost (medians):',
    fitTable(t.cost.header, t.cost.rows, width, 2),
    wrapText(t.legend, width, '  ', '  '),
  ].join('\n');
}

const TABLES: Record<ScenarioResult['kind'], (sc: ScenarioResult, width: number) => string> = {
  launch: launchTable,
  freeze: freezeTable,
  network: networkTable,
  density: densityTable,
  isolation: isolationTable,
  interference: interferenceTable,
  scaling: scalingTable,
};

/** The table(s) for one scenario, by its kind, within `width` columns. */
export function scenarioTable(sc: ScenarioResult, width = TERMINAL_WIDTH): string {
  return (TABLES[sc.kind] ?? launchTable)(sc, width);
}

/** Why samples failed or were skipped, one line per distinct reason. */
function problemLines(sc: ScenarioResult): string[] {
  const seen = new Map<string, number>();
  for (const s of sc.samples) {
    if (s.state === 'completed') continue;
    const key = `${s.variant}: ${s.state === 'skipped' ? 'skipped' : s.cause} — ${s.reason}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.entries()].map(([k, n]) => `  ${k}${n > 1 ? ` (×${n})` : ''}`);
}

/** The abbreviations of the tables, explained once. */
const LEGEND =
  'How to read the tables: n — measured samples; p50/p95/p99 — percentiles of them; vs base — the ratio of medians to the scenario\'s baseline with a bootstrap 95% CI (for times, above 1 is slower; for Mbit/s, above 1 is faster); "-" — not measured or not applicable. Boot phases: clone — the clone call; map — writing the user id maps; cgroup — placing it in its cgroup; setup — work inside before exec (mounts, hostname, loopback), "setup work" the part of it nsbench times; exec — until the workload runs; cpu — CPU time of the sandbox and the launcher together; kernel cpu/done after — the kernel\'s deferred teardown work after each exit.';

/** The headline summary (per namespace set and cgroup setting) and the key findings, in the terminal's width. */
function summaryBlock(run: RunResults, width = TERMINAL_WIDTH): string {
  const out = ['', `── summary ${'─'.repeat(Math.max(0, width - 11))}`, wrapText(systemLine(run), width, '  ')];
  const rows = summaryRows(run);
  if (rows.length)
    out.push(
      '',
      fitTable(
        SUMMARY_HEADER,
        rows.map((r) => [r.setting, r.what, r.delta, r.ratio, r.direction]),
        width,
      ),
    );
  // each warning once: printed under its scenario above, only counted here
  const findings = keyFindings(run).filter((f) => f.topic !== 'warnings');
  if (findings.length) out.push('', 'key findings:', ...findings.map((f) => wrapText(f.text, width, '    ', '  - ')));
  const seen = new Set<string>();
  const warned = run.scenarios.flatMap((s) => {
    const own = (s.warnings ?? []).filter((w) => !seen.has(w));
    for (const w of own) seen.add(w);
    return own.length ? [`${s.name} (${own.length})`] : [];
  });
  if (warned.length)
    out.push(wrapText(`warnings, printed under their scenario above: ${warned.join(', ')}`, width, '    ', '  ! '));
  return out.join('\n');
}

/**
 * The terminal summary of a run: a legend, each scenario's tables, the axioms, then the summary and key findings last
 * (what stays on screen).
 */
export function runSummary(run: RunResults, width = TERMINAL_WIDTH): string {
  const out: string[] = [wrapText(LEGEND, width)];
  const printed = new Map<string, string>(); // a warning already printed, and under which scenario
  for (const sc of run.scenarios) {
    const title = `── ${sc.name} (${sc.kind}${sc.kind === 'launch' ? `, ${placementOf(sc)}` : ''}, ${createOf(sc)}) `;
    out.push('', `${title}${'─'.repeat(Math.max(0, width - title.length))}`);
    out.push(wrapText(sc.description, width));
    out.push(
      wrapText(
        `${plural(sc.rounds, 'round')} after ${sc.warmupRounds} warm-up, seed ${sc.seed}, ${plural(sc.variants.length, 'variant')}. ${paceLine(sc)}`,
        width,
        '  ',
      ),
    );
    const watch = watchLine(sc);
    if (watch) out.push(wrapText(watch, width, '  '));
    out.push('', scenarioTable(sc, width));
    const carry = carryOverRows(sc);
    if (carry.some((r) => r[5] === 'yes'))
      out.push(
        '',
        wrapText(
          `carry-over on ${sc.carryOver?.metric} (the launch right after each variant, against its own variant's median):`,
          width,
          '  ',
        ),
        fitTable(CARRY_HEADER, carry, width),
      );
    const problems = problemLines(sc);
    if (problems.length) out.push('problems:', ...problems.map((p) => wrapText(p.trim(), width, '    ', '  ')));
    // each warning once: one that an earlier scenario already printed (the load at the start of the run) is only named
    const again = (sc.warnings ?? []).filter((w) => printed.has(w));
    for (const w of (sc.warnings ?? []).filter((x) => !printed.has(x))) {
      out.push(wrapText(w, width, '    ', 'warning: '));
      printed.set(w, sc.name);
    }
    if (again.length)
      out.push(
        wrapText(
          `warning: ${again.length === 1 ? 'the same one' : `the same ${again.length}`} as under ${[...new Set(again.map((w) => printed.get(w)))].join(', ')} above`,
          width,
          '    ',
        ),
      );
  }
  const axioms = axiomsTable(run, width);
  if (axioms) out.push(axioms);
  out.push(summaryBlock(run, width));
  return out.join('\n');
}

/** The last lines after a run: where its files are and what to do next. */
export function nextSteps(files: { json: string; html?: string }, width = TERMINAL_WIDTH): string {
  const lines = ['next:'];
  if (files.html)
    lines.push(
      wrapText(
        `open ${files.html} in a browser: every table with its charts and the evidence behind each finding`,
        width,
        '    ',
        '  - ',
      ),
    );
  lines.push(
    wrapText(
      `gate a change in CI: keep ${files.json} as the baseline, rerun after the change, then \`nsbench compare ${files.json} <new results.json>\` (exit 1 on a regression)`,
      width,
      '    ',
      '  - ',
    ),
  );
  lines.push(
    wrapText(
      `or measure both sides in one run: \`nsbench ab --knob PATH=A,B\` (also --program-a/-b, --launcher-a/-b, --engine-a/-b)`,
      width,
      '    ',
      '  - ',
    ),
  );
  return lines.join('\n');
}
