// npm run perf:density — the density figures: 2000 sandboxes held through
// nsbench against a plain C clone loop that holds the same (nsb-refloop
// --hold), without and with a net namespace; memory per instance.
//
// Usage: npm run perf:density [-- --target N --reps R --budget SECONDS --json FILE]
// --budget is each ramp's time budget (default 900 s: 10 000 net namespaces
// on a slow machine take minutes); a ramp that runs out says so in its notes.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { builtinWorkload, NATIVE_PATHS, namespaceObjects, PROJECT_ROOT, settleNamespaces } from '../src/host/index.ts';
import { writeFileAtomic } from '../src/results/index.ts';
import { captureEnvironment, runBenchmark } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { textTable } from '../src/util/index.ts';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: '2000' },
    reps: { type: 'string', default: '3' },
    budget: { type: 'string', default: '900' },
    json: { type: 'string' },
  },
});
const TARGET = Number(args.target);
/** Alternating repetitions per side; the medians are reported. */
const REPS = Number(args.reps);
const BUDGET_S = Number(args.budget);
if (![TARGET, REPS, BUDGET_S].every((n) => Number.isInteger(n) && n >= 1) || BUDGET_S > 86_400) {
  console.error(
    'error: --target, --reps and --budget (seconds, ≤ 86400) take whole numbers ≥ 1 — e.g. npm run perf:density -- --target 10000 --reps 1 --budget 900',
  );
  process.exit(2);
}
if (process.geteuid?.() !== 0) {
  console.error('error: perf:density creates namespaces and needs root — run it as root');
  process.exit(2);
}
/**
 * Between sides: the kernel destroys the last side's net namespaces asynchronously; wait until they are back to where
 * the script began (or stop falling).
 */
const baseline = namespaceObjects();
const settle = async () => {
  if ((await settleNamespaces(300_000, baseline)) < 0)
    console.error(
      'warning: namespaces of the last ramp were still dying after 300 s; the next ramp counts their return',
    );
};
const SETS = {
  'user+pid+mnt+ipc+uts+cgroup': ['user', 'pid', 'mnt', 'ipc', 'uts', 'cgroup'],
  '…+net': ['user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup'],
} as const;
const rows: string[][] = [];
const out: Record<string, unknown>[] = [];
for (const [label, ns] of Object.entries(SETS)) {
  const refRates: number[] = [];
  const nsbRates: number[] = [];
  let m: Record<string, number> = {};
  let notes: string[] | undefined;
  for (let rep = 0; rep < REPS; rep++) {
    await settle();
    const ref = JSON.parse(
      execFileSync(NATIVE_PATHS.refloop, ['--hold', '--vfork', ns.join(','), String(TARGET), builtinWorkload('idle')], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      }),
    ) as { heldNs: number };
    refRates.push(TARGET / (ref.heldNs / 1e9));
    await settle();
    const sc = validateScenario(
      {
        name: 'density',
        description: label,
        kind: 'density',
        workload: { builtin: 'idle' },
        variants: [
          { id: label, ns: [...ns], density: { target: TARGET, holdMs: 1000, timeBudgetMs: BUDGET_S * 1000 } },
        ],
      },
      'perf-density',
    );
    const { run } = await runBenchmark({
      scenarios: [sc],
      rounds: 1,
      warmup: 0,
      defaultRounds: 1,
      defaultWarmup: 0,
      defaultTimeoutMs: 20_000,
      outDir: join(PROJECT_ROOT, 'results'),
      seed: 1,
    });
    const s = run.scenarios[0]?.samples[0];
    if (s?.state !== 'completed') throw new Error(`ramp failed: ${JSON.stringify(s)}`);
    nsbRates.push(s.metrics.launchesPerSec ?? 0);
    m = s.metrics;
    notes = s.notes;
  }
  const refRate = median(refRates);
  m = { ...m, launchesPerSec: median(nsbRates) };
  const s = { notes };
  const ratio = (m.launchesPerSec ?? 0) / refRate;
  out.push({
    set: label,
    ns,
    target: TARGET,
    nsbench: m,
    notes: s.notes,
    refLaunchesPerSec: refRate,
    refRates,
    nsbenchRates: nsbRates,
    ratioToRef: ratio,
  });
  rows.push([
    label,
    String(m.held),
    (m.launchesPerSec ?? 0).toFixed(0),
    refRate.toFixed(0),
    `${ratio.toFixed(2)}×`,
    `${((m.memPerInstanceBytes ?? 0) / 1024).toFixed(0)} KiB`,
    `${((m.slabPerInstanceBytes ?? 0) / 1024).toFixed(0)} KiB`,
    `${((m.teardownNs ?? 0) / 1e6).toFixed(0)} ms`,
    (m.teardownDebtNs ?? -1) >= 0 ? `${((m.teardownDebtNs ?? 0) / 1e6).toFixed(0)} ms` : '> 60 s',
  ]);
}
console.log(
  `\n${TARGET} sandboxes held: nsbench (through Node and the launcher) vs a plain C clone loop holding the same; medians of ${REPS} alternating ramps per side`,
);
console.log(
  textTable(
    ['namespaces', 'held', 'nsbench launch/s', 'C loop launch/s', 'ratio', 'mem/inst', 'slab/inst', 'teardown', 'debt'],
    rows,
  ),
);
const file =
  args.json ?? join(PROJECT_ROOT, 'results', `perf-density-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(join(file, '..'), { recursive: true });
writeFileAtomic(file, `${JSON.stringify({ environment: captureEnvironment(), results: out }, null, 1)}\n`);
console.log(`figures: ${file}`);
