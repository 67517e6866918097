// npm run perf:stats — every rule that turns samples into a verdict, calibrated on seeded data with known
// truth, through the same functions the CLI uses: CI coverage (fixed and adaptive rounds), compare's false
// alarms and power (one baseline run, several, and A/B in one run), history's change points, the carry-over
// and drift warnings. Prints one table (and --markdown, the README's); writes the figures as JSON.
//
// Usage: npm run perf:stats [-- --trials T --seed S --markdown --json FILE --only PREFIX]
//        npm run perf:stats -- --calibrate   (the change-point penalty table of src/stats/changepoint.ts)
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareRuns, syntheticRun } from '../src/compare/index.ts';
import { type HistoryPoint, historySteps } from '../src/history/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import {
  directionOf,
  finalizeScenario,
  type RunResults,
  type Sample,
  type ScenarioResult,
  writeFileAtomic,
} from '../src/results/index.ts';
import { type AdaptiveState, stopAfterRound } from '../src/runner/index.ts';
import { changePoints, medianCI, seededRandom, shuffled } from '../src/stats/index.ts';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    markdown: { type: 'boolean', default: false },
    json: { type: 'string' },
    only: { type: 'string' },
    serial: { type: 'boolean', default: false },
    calibrate: { type: 'boolean', default: false },
  },
});
const TRIALS = Number(args.trials);
if (!Number.isInteger(TRIALS) || TRIALS < 10) {
  process.stderr.write('error: --trials takes a whole number of at least 10 — e.g. --trials 1000\n');
  process.exit(2);
}
const SEED = Number(args.seed) >>> 0;

interface Row {
  rule: string;
  case: string;
  measure: string;
  /** a rate, 0..1 */
  value: number;
  goal: string;
  ok: boolean | null;
}
const rows: Row[] = [];
const t0 = performance.now();

function gaussian(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
// two cores: the carry-over and drift cases (a finalized scenario each trial) run in a second process, the
// rest here; the same seeds either way, so the figures do not depend on it (--serial runs them all here)
const CHILD_SECTIONS = ['carry', 'direction'];
const split = !args.only && !args.serial && !args.calibrate;
const childFile = join(tmpdir(), `nsb-perf-stats-${process.pid}.json`);
const child = split
  ? new Promise<Row[]>((resolve, reject) => {
      const c = spawn(
        process.execPath,
        [
          ...process.execArgv,
          fileURLToPath(import.meta.url),
          '--trials',
          String(TRIALS),
          '--seed',
          String(SEED),
          '--only',
          CHILD_SECTIONS.join(','),
          '--json',
          childFile,
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      c.on('error', reject);
      c.on('exit', (code) =>
        code === 0
          ? resolve((JSON.parse(readFileSync(childFile, 'utf8')) as { rows: Row[] }).rows)
          : reject(new Error(`the second process exited ${code}`)),
      );
    })
  : null;
const want = (name: string) =>
  args.only ? args.only.split(',').some((o) => name.startsWith(o)) : !split || !CHILD_SECTIONS.includes(name);
const add = (r: Row) => {
  rows.push(r);
  process.stderr.write(
    `  ${r.rule}: ${r.case} — ${r.measure} ${(100 * r.value).toFixed(1)}% (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
  );
};

if (args.calibrate) {
  // the penalty at which a series of n points of pure noise, σ from the series alone, shows a step in ~2%
  const rnd = seededRandom(SEED);
  const z = gaussian(rnd);
  for (const n of [6, 8, 10, 12, 15, 20, 30, 50]) {
    const cells: string[] = [];
    for (const pen of [12, 16, 20, 24, 28, 32, 40]) {
      let fp = 0;
      for (let t = 0; t < TRIALS; t++)
        if (
          changePoints(
            Array.from({ length: n }, () => z()),
            { penalty: pen },
          ).length
        )
          fp++;
      cells.push(`${pen}: ${((100 * fp) / TRIALS).toFixed(1)}%`);
    }
    console.log(`n = ${n}: ${cells.join('  ')}`);
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------
// 1. The median's 95% CI (the distribution-free one every table shows), at fixed rounds and with adaptive
//    sampling (the runner's own stopAfterRound: a pilot of 10, then the rounds it fixes, no more looks).
type Draw = () => number;
const lognormal = (sd: number, rnd: () => number): { draw: Draw; median: number } => {
  const z = gaussian(rnd);
  return { draw: () => 1e6 * Math.exp(sd * z()), median: 1e6 };
};
// two modes 10% apart, half the samples each: the median lies between them
const bimodal = (rnd: () => number): { draw: Draw; median: number } => {
  const z = gaussian(rnd);
  return { draw: () => (rnd() < 0.5 ? 1e6 : 1.1e6) * (1 + 0.01 * z()), median: 1.05e6 };
};
const sample = (variant: string, round: number, v: number): Sample =>
  ({
    scenario: 's',
    variant,
    round,
    warmup: false,
    seq: round,
    state: 'completed',
    metrics: { bootNs: v },
    clonePath: 'clone3',
    cgroupMethod: 'none',
    ready: true,
    pid: 1,
  }) as Sample;

function coverage(
  kind: 'lognormal 3%' | 'lognormal 10%' | 'bimodal',
  adaptive: boolean,
  seed: number,
): { cover: number; meanN: number } {
  const rnd = seededRandom(seed);
  let covered = 0;
  let total = 0;
  let rounds = 0;
  const variants = ['a', 'b', 'c'];
  for (let t = 0; t < TRIALS; t++) {
    const dists = variants.map(() =>
      kind === 'bimodal' ? bimodal(rnd) : lognormal(kind === 'lognormal 3%' ? 0.03 : 0.1, rnd),
    );
    const samples: Sample[] = [];
    const state: AdaptiveState = { targetRounds: null };
    const a = { precisionPct: 2, minRounds: 10, maxRounds: 400, budgetMs: null };
    const fixed = 30;
    for (let r = 0; ; r++) {
      for (const [i, v] of variants.entries()) samples.push(sample(v, r, (dists[i] as { draw: Draw }).draw()));
      if (!adaptive ? r + 1 >= fixed : stopAfterRound(a, state, r + 1, 0, 0, samples, variants, 'bootNs') !== null) {
        rounds += r + 1;
        break;
      }
    }
    variants.forEach((v, i) => {
      const ci = medianCI(
        samples.filter((s) => s.variant === v).map((s) => (s.state === 'completed' ? (s.metrics.bootNs as number) : 0)),
      );
      const m = (dists[i] as { median: number }).median;
      if (ci && ci[0] <= m && m <= ci[1]) covered++;
      total++;
    });
  }
  return { cover: covered / total, meanN: rounds / TRIALS };
}
for (const kind of ['lognormal 3%', 'lognormal 10%', 'bimodal'] as const) {
  if (!want('ci')) break;
  const fixed = coverage(kind, false, SEED + 11);
  add({
    rule: 'median CI',
    case: `${kind}, 30 rounds`,
    measure: 'coverage',
    value: fixed.cover,
    goal: '≥ 94%',
    ok: fixed.cover >= 0.94,
  });
  const ad = coverage(kind, true, SEED + 12);
  add({
    rule: 'median CI',
    case: `${kind}, adaptive to ±2% (mean ${ad.meanN.toFixed(0)} rounds)`,
    measure: 'coverage',
    value: ad.cover,
    goal: '≥ 94%',
    ok: ad.cover >= 0.94,
  });
}

// ---------------------------------------------------------------------------------------------------------
// 2. compare: 12 variants, 30 samples each, lognormal noise 5%; a run shift multiplies every value of a run.
const N = 30;
const CV = 0.05;
function run(seed: number, rnd: () => number, runSd: number, shiftOf: Record<number, number> = {}): RunResults {
  const z = gaussian(rnd);
  return syntheticRun(seed, { variants: 12, n: N, mu: 1e6, cv: CV, shift: Math.exp(runSd * z()), shiftOf });
}
/**
 * One interleaved A/B run as `nsbench ab` records it: A and B of each variant side by side, no run shift between them.
 */
function abPair(seed: number, shiftOf: Record<number, number> = {}): [RunResults, RunResults] {
  const both = syntheticRun(seed, {
    variants: 24,
    n: N,
    mu: 1e6,
    cv: CV,
    shiftOf: Object.fromEntries(Object.entries(shiftOf).map(([k, f]) => [String(12 + Number(k)), f])),
  });
  const sc = both.scenarios[0] as ScenarioResult;
  const side = (lo: number): RunResults => ({
    ...both,
    scenarios: [
      {
        ...sc,
        variants: sc.variants.slice(lo, lo + 12).map((v, i) => ({ ...v, id: `v${i}` })),
        samples: sc.samples
          .filter((s) => Number(s.variant.slice(1)) >= lo && Number(s.variant.slice(1)) < lo + 12)
          .map((s) => ({ ...s, variant: `v${Number(s.variant.slice(1)) - lo}` })),
      },
    ],
  });
  return [side(0), side(12)];
}
type Mode = 'one baseline' | '3 baselines' | 'ab';
function compareRate(
  mode: Mode,
  runSd: number,
  shiftOf: Record<number, number>,
  seed: number,
  runSdPct?: number,
): { anyAlarm: number; lone: number; perRow: number } {
  const rnd = seededRandom(seed);
  let any = 0;
  let lone = 0;
  let flagged = 0;
  let rowsSeen = 0;
  for (let t = 0; t < TRIALS; t++) {
    const s = seed * 7919 + t * 13;
    let res: ReturnType<typeof compareRuns>;
    if (mode === 'ab') {
      const [a, b] = abPair(s, shiftOf);
      res = compareRuns(a, b, { sameRun: true });
    } else {
      const bases = Array.from({ length: mode === '3 baselines' ? 3 : 1 }, (_, i) => run(s + i + 1, rnd, runSd));
      res = compareRuns(bases, run(s, rnd, runSd, shiftOf), runSdPct !== undefined ? { runSdPct } : {});
    }
    if (res.regressions.length) any++;
    if (res.regressions.some((r) => r.variant === 'v5')) lone++;
    flagged += res.regressions.filter((r) => r.variant !== 'v5' || !shiftOf[5]).length;
    rowsSeen += res.rows.length;
  }
  return { anyAlarm: any / TRIALS, lone: lone / TRIALS, perRow: flagged / rowsSeen };
}
if (want('compare')) {
  for (const mode of ['one baseline', '3 baselines', 'ab'] as Mode[]) {
    const aa = compareRate(mode, 0, {}, SEED + 21);
    add({
      rule: 'compare',
      case: `A/A, ${mode}, no run shift`,
      measure: 'false alarm (any of 12)',
      value: aa.anyAlarm,
      goal: '≤ 1%',
      ok: aa.anyAlarm <= 0.01,
    });
    if (mode !== 'ab')
      for (const sd of [0.02, 0.03]) {
        const r = compareRate(mode, sd, {}, SEED + 22 + sd * 100);
        const goal = mode === '3 baselines' && sd === 0.02 ? '≤ 5%' : '—';
        add({
          rule: 'compare',
          case: `A/A, ${mode}, run shift sd ${sd * 100}%`,
          measure: 'false alarm (any of 12)',
          value: r.anyAlarm,
          goal,
          ok: goal === '—' ? null : r.anyAlarm <= 0.05,
        });
      }
    for (const shift of [1.08, 1.1]) {
      const r = compareRate(mode, 0, { 5: shift }, SEED + 23 + shift * 100);
      // the power goal is for the two ways that learn or cancel the run-to-run variance; one baseline run pays
      // for the default allowance (8%, this VM's), which a 10% change does not clear
      const goal = shift === 1.1 && mode !== 'one baseline' ? '≥ 90%' : '—';
      add({
        rule: 'compare',
        case: `+${Math.round((shift - 1) * 100)}% in 1 variant of 12, ${mode}`,
        measure: 'caught',
        value: r.lone,
        goal,
        ok: goal === '—' ? null : r.lone >= 0.9,
      });
    }
    if (mode === 'one baseline') {
      // before: no run-to-run term at all (what compare did); and the allowance a quiet host would measure
      for (const sd of [0.02, 0.03]) {
        const r = compareRate(mode, sd, {}, SEED + 25 + sd * 100, 0);
        add({
          rule: 'compare',
          case: `A/A, one baseline, run shift sd ${sd * 100}%, --run-sd 0 (no run term)`,
          measure: 'false alarm (any of 12)',
          value: r.anyAlarm,
          goal: '—',
          ok: null,
        });
      }
      const quiet = compareRate(mode, 0, { 5: 1.1 }, SEED + 26, 1);
      add({
        rule: 'compare',
        case: '+10% in 1 variant of 12, one baseline, --run-sd 1 (a quiet host)',
        measure: 'caught',
        value: quiet.lone,
        goal: '—',
        ok: null,
      });
    }
    if (mode === '3 baselines') {
      const r = compareRate(mode, 0.02, { 5: 1.1 }, SEED + 24);
      add({
        rule: 'compare',
        case: '+10% in 1 variant of 12, 3 baselines, run shift sd 2%',
        measure: 'caught',
        value: r.lone,
        goal: '—',
        ok: null,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// 3. history: a host's 12 series (scenario × variant) of n runs, σ of a run's median 2%; historySteps as the CLI.
function historyRate(n: number, sigma: number, step: number, seed: number): { perSeries: number; caught: number } {
  const rnd = seededRandom(seed);
  const z = gaussian(rnd);
  let flagged = 0;
  let series = 0;
  let caught = 0;
  for (let t = 0; t < TRIALS; t++) {
    const at = 3 + Math.floor(rnd() * (n - 5));
    const points: HistoryPoint[] = [];
    for (let v = 0; v < 12; v++)
      for (let i = 0; i < n; i++) {
        const m = 1e6 * (1 + v / 10) * Math.exp(sigma * z()) * (v === 0 && i >= at ? 1 + step : 1);
        points.push({
          host: 'h',
          runId: `r${i}`,
          startedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
          commit: null,
          scenario: 's',
          variant: `v${v}`,
          metric: 'bootNs',
          median: m,
          ciLow: null,
          ciHigh: null,
          n: 30,
        });
      }
    const steps = historySteps(points);
    flagged += steps.filter((x) => x.variant !== 'v0' || step === 0).length;
    series += step === 0 ? 12 : 11;
    if (step && steps.some((x) => x.variant === 'v0')) caught++;
  }
  return { perSeries: flagged / series, caught: caught / TRIALS };
}
if (want('history')) {
  for (const [n, sigma] of [
    [10, 0.02],
    [10, 0.03],
    [20, 0.02],
  ] as const) {
    const r = historyRate(n, sigma, 0, SEED + 31 + n);
    const goal = n === 10 && sigma === 0.02 ? '≤ 5%' : '—';
    add({
      rule: 'history steps',
      case: `no step, ${n} runs, σ ${sigma * 100}%`,
      measure: 'false step (per series)',
      value: r.perSeries,
      goal,
      ok: goal === '—' ? null : r.perSeries <= 0.05,
    });
  }
  for (const [n, sigma, step] of [
    [10, 0.02, 0.1],
    [10, 0.03, 0.05],
    [20, 0.02, 0.05],
  ] as const) {
    const r = historyRate(n, sigma, step, SEED + 32 + n);
    const goal = n === 10 && step === 0.1 ? '≥ 90%' : '—';
    add({
      rule: 'history steps',
      case: `${step * 100}% step, ${n} runs, σ ${sigma * 100}%`,
      measure: 'found',
      value: r.caught,
      goal,
      ok: goal === '—' ? null : r.caught >= 0.9,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 4 + 5. Carry-over and drift: a launch scenario finalized as the runner does (finalizeScenario), its
//   variants in a fresh random order each round; warnings counted as the report shows them.
function scenarioOf(
  rnd: () => number,
  o: {
    variants: number;
    rounds: number;
    sd: number;
    carryAfter?: { variant: number; shift: number };
    driftPct?: number;
    step?: number;
  },
): ScenarioResult {
  const z = gaussian(rnd);
  const ids = Array.from({ length: o.variants }, (_, i) => (i === 0 ? 'bare' : `v${i}`));
  const samples: Sample[] = [];
  let prev = ids[ids.length - 1] as string;
  let seq = 0;
  for (let round = 0; round < o.rounds; round++)
    for (const id of shuffled(ids, rnd)) {
      const i = ids.indexOf(id);
      const after = o.carryAfter && prev === ids[o.carryAfter.variant] ? 1 + o.carryAfter.shift : 1;
      const drift = 1 + ((o.driftPct ?? 0) / 100) * (round / Math.max(1, o.rounds - 1));
      samples.push({
        scenario: 's',
        variant: id,
        round,
        warmup: false,
        seq: seq++,
        conditions: { pace: 'interleaved', prev },
        state: 'completed',
        metrics: { bootNs: 1e6 * (1 + i * (o.step ?? 0.05)) * after * drift * Math.exp(o.sd * z()) },
        clonePath: 'clone3',
        cgroupMethod: 'none',
        ready: true,
        pid: 1,
      } as Sample);
      prev = id;
    }
  const sc: ScenarioResult = {
    name: 's',
    description: '',
    file: '',
    kind: 'launch',
    workload: {},
    params: {},
    rounds: o.rounds,
    warmupRounds: 0,
    seed: 1,
    timeoutMs: 0,
    baseline: 'bare',
    variants: ids.map((id) => ({ id, label: id, ns: [], baseline: 'bare' })),
    samples,
    summary: [],
  } as unknown as ScenarioResult;
  finalizeScenario(sc, {});
  return sc;
}
function warnRate(re: RegExp, o: Parameters<typeof scenarioOf>[1], seed: number): number {
  const rnd = seededRandom(seed);
  let warned = 0;
  for (let t = 0; t < TRIALS; t++) if (scenarioOf(rnd, o).warnings?.some((w) => re.test(w))) warned++;
  return warned / TRIALS;
}
if (want('carry')) {
  for (const sd of [0.03, 0.1]) {
    const r = warnRate(/^carry-over/, { variants: 12, rounds: 20, sd }, SEED + 41 + sd * 100);
    add({
      rule: 'carry-over',
      case: `none, 12 variants × 20 rounds, σ ${sd * 100}%`,
      measure: 'scenarios warned',
      value: r,
      goal: '≤ 5%',
      ok: r <= 0.05,
    });
  }
  for (const sd of [0.03, 0.1]) {
    const r = warnRate(
      /^carry-over/,
      { variants: 12, rounds: 20, sd, carryAfter: { variant: 4, shift: 0.15 } },
      SEED + 42 + sd * 100,
    );
    add({
      rule: 'carry-over',
      case: `+15% after one of 12, 20 rounds, σ ${sd * 100}%`,
      measure: 'warned',
      value: r,
      goal: '≥ 80%',
      ok: r >= 0.8,
    });
  }
}
if (want('drift')) {
  for (const [rounds, sd] of [
    [10, 0.03],
    [10, 0.1],
    [30, 0.03],
  ] as const) {
    const r = warnRate(/drifts with round index/, { variants: 4, rounds, sd }, SEED + 51 + rounds);
    add({
      rule: 'drift',
      case: `none, ${rounds} rounds, σ ${sd * 100}%`,
      measure: 'false warning',
      value: r,
      goal: rounds === 10 ? '≤ 2%' : '—',
      ok: rounds === 10 ? r <= 0.02 : null,
    });
  }
  for (const [rounds, sd, pct] of [
    [10, 0.03, 10],
    [30, 0.03, 5],
  ] as const) {
    const r = warnRate(/drifts with round index/, { variants: 4, rounds, sd, driftPct: pct }, SEED + 52 + rounds);
    add({
      rule: 'drift',
      case: `+${pct}% over ${rounds} rounds, σ ${sd * 100}%`,
      measure: 'warned',
      value: r,
      goal: '—',
      ok: null,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 6. The direction word of the tables and findings ("slower", "faster", "no difference"): a word only where the
//    ratio's bootstrap 95% CI excludes 1. One variant against its baseline, interleaved rounds, as finalized.
function directionRate(o: { rounds: number; sd: number; step: number }, seed: number): number {
  const rnd = seededRandom(seed);
  let worded = 0;
  for (let t = 0; t < TRIALS; t++) {
    const sc = scenarioOf(rnd, { variants: 2, rounds: o.rounds, sd: o.sd, step: o.step });
    const v = sc.summary.find((x) => x.variant === 'v1');
    const d = directionOf(v?.metrics.bootNs, 'bootNs');
    if (d && d !== 'no difference') worded++;
  }
  return worded / TRIALS;
}
if (want('direction')) {
  for (const [rounds, sd] of [
    [6, 0.03],
    [10, 0.03],
    [30, 0.1],
  ] as const) {
    const r = directionRate({ rounds, sd, step: 0 }, SEED + 61 + rounds);
    add({
      rule: 'direction word',
      case: `no difference, ${rounds} rounds, σ ${sd * 100}%`,
      measure: '"slower"/"faster" said',
      value: r,
      goal: '≤ 6%',
      ok: r <= 0.06,
    });
  }
  for (const [rounds, sd, step] of [
    [10, 0.03, 0.05],
    [30, 0.03, 0.02],
    [30, 0.1, 0.05],
  ] as const) {
    const r = directionRate({ rounds, sd, step }, SEED + 62 + rounds);
    add({
      rule: 'direction word',
      case: `+${step * 100}%, ${rounds} rounds, σ ${sd * 100}%`,
      measure: '"slower" said',
      value: r,
      goal: '—',
      ok: null,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
if (child) {
  rows.push(...(await child));
  rmSync(childFile, { force: true });
}
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const header = ['rule', 'case (known truth)', 'measure', 'rate', 'goal', ''];
const table = rows.map((r) => [
  r.rule,
  r.case,
  r.measure,
  pct(r.value),
  r.goal,
  r.ok === null ? '' : r.ok ? 'ok' : 'MISSED',
]);
const width = header.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] as string).length)));
const line = (cells: string[]) =>
  cells
    .map((c, i) => c.padEnd(width[i] as number))
    .join('  ')
    .trimEnd();
console.log(
  `perf:stats — ${TRIALS} seeded trials per case (seed ${SEED}), ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);
console.log(line(header));
for (const r of table) console.log(line(r));
if (args.markdown) {
  console.log(
    `\n| ${header.slice(0, 5).join(' | ')} |\n|${header
      .slice(0, 5)
      .map(() => ' --- ')
      .join('|')}|`,
  );
  for (const r of table) console.log(`| ${r.slice(0, 5).join(' | ')} |`);
}
const missed = rows.filter((r) => r.ok === false);
if (missed.length) console.log(`${missed.length} goal(s) missed`);
const file =
  args.json ?? join(PROJECT_ROOT, 'results', `perf-stats-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(join(file, '..'), { recursive: true });
writeFileAtomic(
  file,
  `${JSON.stringify({ trials: TRIALS, seed: SEED, seconds: (performance.now() - t0) / 1000, rows }, null, 1)}\n`,
);
console.log(`figures: ${file}`);
