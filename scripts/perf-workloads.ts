// npm run perf:workloads — the figures of the workloads issue on this machine:
// for each workload, all eight namespaces vs bare (ratio of medians with a
// seeded bootstrap 95% CI), and TCP throughput over loopback, veth and bridge.
//
// Usage: npm run perf:workloads [-- --rounds R --json FILE]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { type ScenarioResult, writeFileAtomic } from '../src/results/index.ts';
import { captureEnvironment, runBenchmark } from '../src/runner/index.ts';
import { keepVariants, loadScenario, type Scenario } from '../src/scenario/index.ts';
import { ratioOfMediansCI } from '../src/stats/index.ts';
import { textTable } from '../src/util/index.ts';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '15' }, json: { type: 'string' } },
});
const ROUNDS = Number(args.rounds);
if (process.geteuid?.() !== 0) {
  console.error('error: perf:workloads creates namespaces and needs root — run it as root');
  process.exit(2);
}

/** [scenario, metric, higher is better] per workload; variants "<workload>/bare" and "<workload>/all". */
const FIGURES: [string, string, string, boolean][] = [
  ['cpu', 'sieve-1e6', 'workload.elapsedNs', false],
  ['cpu', 'sieve-1e7', 'workload.elapsedNs', false],
  ['cpu', 'syscall', 'workload.nsPerCall', false],
  ['cpu', 'fork', 'workload.nsPerFork', false],
  ['memory', 'bandwidth', 'workload.copyMBPerSec', true],
  ['memory', 'bandwidth', 'workload.triadMBPerSec', true],
  ['memory', 'faults', 'workload.nsPerFault', false],
  ['io', 'disk', 'workload.opsPerSec', true],
  ['io', 'tmpfs', 'workload.opsPerSec', true],
];

function only(sc: Scenario, keep: (id: string) => boolean): Scenario {
  return keepVariants(sc, (v) => keep(v.id));
}

function values(sc: ScenarioResult, variant: string, metric: string): number[] {
  return sc.samples.flatMap((s) =>
    s.state === 'completed' && !s.warmup && s.variant === variant && Number.isFinite(s.metrics[metric])
      ? [s.metrics[metric] as number]
      : [],
  );
}

const scenarios = [
  only(await loadScenario('cpu'), (id) => /\/(bare|all)$/.test(id)),
  only(await loadScenario('memory'), (id) => /\/(bare|all)$/.test(id)),
  only(await loadScenario('io'), (id) => /\/(bare|all)$/.test(id)),
  only(await loadScenario('network'), (id) => id.startsWith('stream/') || id.startsWith('rr/')),
];
const outDir = join(PROJECT_ROOT, 'results');
const { run, files } = await runBenchmark({
  scenarios,
  rounds: ROUNDS,
  warmup: 1,
  defaultRounds: ROUNDS,
  defaultWarmup: 1,
  defaultTimeoutMs: 60_000,
  outDir,
  seed: 11,
});
const byName = new Map(run.scenarios.map((s) => [s.name, s]));

const rows: string[][] = [];
const overhead: Record<string, unknown>[] = [];
for (const [scName, workload, metric, higher] of FIGURES) {
  const sc = byName.get(scName);
  if (!sc) continue;
  const ci = ratioOfMediansCI(values(sc, `${workload}/all`, metric), values(sc, `${workload}/bare`, metric), 1);
  if (!ci) continue;
  overhead.push({ scenario: scName, workload, metric, higherIsBetter: higher, ...ci });
  rows.push([
    `${workload}`,
    metric.replace('workload.', ''),
    higher ? 'higher' : 'lower',
    ci.ratio.toFixed(3),
    `[${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]`,
  ]);
}
console.log(
  `\nall eight namespaces vs bare, ratio of medians (all / bare) with bootstrap 95% CI, ${ROUNDS} rounds: ${files.json}`,
);
console.log(textTable(['workload', 'metric', 'better', 'ratio', '95% CI'], rows, 3));

const net = byName.get('network');
const netRows: string[][] = [];
const throughput: Record<string, unknown>[] = [];
if (net) {
  for (const v of net.variants) {
    const metric = v.id.startsWith('stream/') ? 'workload.throughputMbitPerSec' : 'workload.p50Ns';
    const xs = values(net, v.id, metric);
    if (!xs.length) continue;
    const ci = ratioOfMediansCI(xs, values(net, v.baseline ?? '', metric), 2);
    throughput.push({ variant: v.id, metric, median: median(xs), ...(ci ?? {}) });
    netRows.push([
      v.id,
      metric.replace('workload.', ''),
      median(xs).toFixed(v.id.startsWith('stream/') ? 0 : 0),
      ci ? `${ci.ratio.toFixed(3)} [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]` : '-',
    ]);
  }
  console.log('\nnetwork: TCP stream (Mbit/s) and request/response p50 (ns) per topology, vs host loopback');
  console.log(textTable(['variant', 'metric', 'median', 'vs host loopback (95% CI)'], netRows, 2));
}
const file =
  args.json ?? join(PROJECT_ROOT, 'results', `perf-workloads-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(join(file, '..'), { recursive: true });
writeFileAtomic(
  file,
  `${JSON.stringify({ environment: captureEnvironment(), rounds: ROUNDS, overhead, network: throughput }, null, 1)}\n`,
);
console.log(`\nfigures: ${file}`);
