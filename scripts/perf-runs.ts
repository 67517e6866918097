// npm run perf:runs — how much a whole run moves when nothing changed (A/A reruns): the figure `nsbench
// compare` allows for when it has one baseline run (compare.runSdPct; the default, 8%, is this script's
// figure on the project's 2-core build VM). Runs one scenario R times through the CLI, each a separate
// process with its own launcher, a pause between them, then estimates per variant the run-to-run sd of the
// median (the spread of the runs' medians less what each run's own noise explains) and the shift of each run
// as a whole.
//
// Usage (root): npm run perf:runs [-- --runs 8 --rounds 300 --pause 15 --scenario boot --ns bare --ns net]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { isMeasured, loadResults, writeFileAtomic } from '../src/results/index.ts';
import { logMedianVariance } from '../src/stats/index.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '300' },
    pause: { type: 'string', default: '15' },
    scenario: { type: 'string', default: 'boot' },
    ns: { type: 'string', multiple: true },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const ROUNDS = Number(args.rounds);
const PAUSE = Number(args.pause);
if (!(Number.isInteger(RUNS) && RUNS >= 3 && Number.isInteger(ROUNDS) && ROUNDS >= 6 && PAUSE >= 0)) {
  process.stderr.write(
    'error: --runs ≥ 3, --rounds ≥ 6 and --pause ≥ 0 seconds — e.g. --runs 8 --rounds 300 --pause 15\n',
  );
  process.exit(2);
}
const out = mkdtempSync(join(tmpdir(), 'nsb-perf-runs-'));
const started = Date.now();
for (let i = 0; i < RUNS; i++) {
  if (i && PAUSE) spawnSync('sleep', [String(PAUSE)]);
  const argv = [
    join(PROJECT_ROOT, 'bin/nsbench.js'),
    'run',
    args.scenario,
    '--rounds',
    String(ROUNDS),
    '-o',
    out,
    '-q',
    '--no-report',
    ...(args.ns ?? []).flatMap((n) => ['--ns', n]),
  ];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`run ${i + 1} failed (exit ${r.status}): ${r.stderr.trim().split('\n').at(-1)}\n`);
    process.exit(1);
  }
  process.stderr.write(`run ${i + 1}/${RUNS} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}
const files = readdirSync(out)
  .filter((f) => f.endsWith('.json'))
  .sort();
const runs = await Promise.all(files.map((f) => loadResults(join(out, f))));
const metric = 'bootNs';
const sc0 = runs[0]?.scenarios[0];
if (!sc0) throw new Error('no scenario in the results');
const rows: { variant: string; runSdPct: number; withinSePct: number; spreadPct: number }[] = [];
let excess = 0;
for (const v of sc0.variants.map((x) => x.id)) {
  const logs: number[] = [];
  const within: number[] = [];
  for (const run of runs) {
    const xs = (run.scenarios[0]?.samples ?? []).flatMap((s) =>
      s.state === 'completed' && isMeasured(s) && s.variant === v && Number.isFinite(s.metrics[metric])
        ? [s.metrics[metric] as number]
        : [],
    );
    const w = logMedianVariance(xs);
    if (!xs.length || w === null) continue;
    logs.push(Math.log(median(xs)));
    within.push(w);
  }
  if (logs.length < 3) continue;
  const m = logs.reduce((a, b) => a + b, 0) / logs.length;
  const spread = logs.reduce((a, x) => a + (x - m) ** 2, 0) / (logs.length - 1);
  const w = within.reduce((a, b) => a + b, 0) / within.length;
  excess += spread - w;
  rows.push({
    variant: v,
    runSdPct: 100 * Math.sqrt(Math.max(0, spread - w)),
    withinSePct: 100 * Math.sqrt(w),
    spreadPct: 100 * Math.sqrt(spread),
  });
}
const pooled = 100 * Math.sqrt(Math.max(0, excess / Math.max(1, rows.length)));
// the shift of each run as a whole: the mean over variants of its log median less the variant's mean
const shifts = runs.map((run) => {
  const ds = rows.map((r) => {
    const xs = (run.scenarios[0]?.samples ?? []).flatMap((s) =>
      s.state === 'completed' && isMeasured(s) && s.variant === r.variant ? [s.metrics[metric] as number] : [],
    );
    const all = runs.map((x) =>
      median(
        (x.scenarios[0]?.samples ?? []).flatMap((s) =>
          s.state === 'completed' && isMeasured(s) && s.variant === r.variant ? [s.metrics[metric] as number] : [],
        ),
      ),
    );
    return Math.log(median(xs)) - all.reduce((a, y) => a + Math.log(y), 0) / all.length;
  });
  return 100 * (ds.reduce((a, b) => a + b, 0) / ds.length);
});
console.log(
  `perf:runs — ${RUNS} runs of ${args.scenario}, ${ROUNDS} rounds each, ${PAUSE} s apart (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
console.log('variant'.padEnd(24), 'run-to-run sd', ' spread of medians', ' within-run se');
for (const r of rows)
  console.log(
    r.variant.padEnd(24),
    `${r.runSdPct.toFixed(1)}%`.padStart(13),
    `${r.spreadPct.toFixed(1)}%`.padStart(18),
    `${r.withinSePct.toFixed(1)}%`.padStart(14),
  );
console.log(
  `each run as a whole, against the mean: ${shifts.map((x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`).join(' ')}`,
);
console.log(
  `run-to-run sd, pooled over the variants: ${pooled.toFixed(1)}% — nsbench compare with one baseline run: --run-sd ${Math.ceil(pooled)} (or compare.runSdPct in bench.config.ts)`,
);
const file =
  args.json ?? join(PROJECT_ROOT, 'results', `perf-runs-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(join(file, '..'), { recursive: true });
writeFileAtomic(
  file,
  `${JSON.stringify({ runs: RUNS, rounds: ROUNDS, pauseS: PAUSE, scenario: args.scenario, pooledRunSdPct: pooled, runShiftsPct: shifts, variants: rows, runIds: runs.map((r) => r.runId) }, null, 1)}\n`,
);
console.log(`figures: ${file}`);
if (!args.keep) rmSync(out, { recursive: true, force: true });
else console.log(`results kept in ${out}`);
