// npm run perf:cgroup — the figures of the cgroups issue, on this machine:
// 1. boot p50 of the no-op placed at birth by CLONE_INTO_CGROUP vs a
//    cgroup.procs write (cgroup2: v2, or the unified hierarchy of a hybrid
//    machine), and by cgroup.procs writes into every v1 controller;
// 2. pause/unpause p50/p99 vs processes in the sandbox (the freeze scenario).
//
// Usage: npm run perf:cgroup [-- --launches N --blocks B --rounds R --json FILE]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, quantile } from 'simple-statistics';
import { CgroupManager, type SandboxCgroup } from '../src/cgroup/index.ts';
import { builtinWorkload, detectCgroups, PROJECT_ROOT } from '../src/host/index.ts';
import { SandboxLauncher, type SandboxSpec } from '../src/launcher/index.ts';
import { scenarioTable } from '../src/report/index.ts';
import { writeFileAtomic } from '../src/results/index.ts';
import { captureEnvironment, runBenchmark } from '../src/runner/index.ts';
import { loadScenario } from '../src/scenario/index.ts';
import { formatNs, textTable } from '../src/util/index.ts';

const { values: args } = parseArgs({
  options: {
    launches: { type: 'string', default: '100' },
    blocks: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});
const LAUNCHES = Number(args.launches);
const BLOCKS = Number(args.blocks);

if (process.geteuid?.() !== 0) {
  console.error('error: perf:cgroup creates cgroups and needs root — run it as root');
  process.exit(2);
}

const info = detectCgroups();
const runId = `perf-${process.pid}`;
const cg = new CgroupManager(runId);
const launcher = SandboxLauncher.start();
const noop = builtinWorkload('noop');
const report: Record<string, unknown> = {
  environment: captureEnvironment(),
  launchesPerBlock: LAUNCHES,
  blocks: BLOCKS,
};

interface Method {
  id: string;
  spec: (g: SandboxCgroup) => Partial<SandboxSpec>;
  group: SandboxCgroup | null;
}

try {
  const methods: Method[] = [{ id: 'no cgroup of its own', spec: () => ({}), group: null }];
  const own = info.mode === 'none' ? null : cg.create('perf', {});
  if (own?.v2Dir) {
    const where = info.mode === 'v2' ? 'cgroup v2' : 'unified cgroup2 (no controllers)';
    methods.push({ id: `${where}: CLONE_INTO_CGROUP`, spec: (g) => ({ cgroup: g.v2Dir as string }), group: own });
    methods.push({
      id: `${where}: cgroup.procs write`,
      spec: (g) => ({ cgroup: g.v2Dir as string, cgroupByWrite: true }),
      group: own,
    });
  }
  if (own && Object.keys(own.v1Dirs).length) {
    methods.push({
      id: `v1: cgroup.procs writes (${Object.keys(own.v1Dirs).join(', ')})`,
      spec: (g) => ({ cgroupV1: g.placement.cgroupV1 ?? [] }),
      group: own,
    });
  }
  const samples = new Map<string, { boot: number[]; cgroup: number[] }>(
    methods.map((m) => [m.id, { boot: [], cgroup: [] }]),
  );
  for (let b = 0; b < BLOCKS; b++) {
    for (const m of methods) {
      const s = samples.get(m.id) as { boot: number[]; cgroup: number[] };
      for (let i = 0; i < LAUNCHES; i++) {
        const r = await launcher.run({ ns: [], path: noop, timeoutMs: 10_000, ...(m.group ? m.spec(m.group) : {}) });
        if (r.state !== 'exited') throw new Error(`${m.id}: ${r.state} ${r.error?.message ?? ''}`);
        s.boot.push(r.offsetsNs.ready);
        const placedAt = r.offsetsNs.cgroupDone >= 0 ? r.offsetsNs.cgroupDone - r.offsetsNs.cloneDone : 0;
        s.cgroup.push(placedAt);
      }
    }
  }
  const base = median(samples.get(methods[0]?.id as string)?.boot ?? [1]);
  const rows = methods.map((m) => {
    const s = samples.get(m.id) as { boot: number[]; cgroup: number[] };
    return {
      id: m.id,
      bootP50Ns: median(s.boot),
      bootP99Ns: quantile(s.boot, 0.99),
      placementP50Ns: median(s.cgroup),
      placementP99Ns: quantile(s.cgroup, 0.99),
      ratio: median(s.boot) / base,
    };
  });
  report.placement = rows;
  console.log(
    `\n1. boot p50 of the no-op by placement method (${info.mode} machine), ${BLOCKS} blocks × ${LAUNCHES} launches`,
  );
  console.log(
    textTable(
      ['placement', 'boot p50', 'boot p99', 'vs none', 'procs writes p50', 'p99'],
      rows.map((r) => [
        r.id,
        formatNs(r.bootP50Ns),
        formatNs(r.bootP99Ns),
        `${r.ratio.toFixed(2)}×`,
        formatNs(r.placementP50Ns),
        formatNs(r.placementP99Ns),
      ]),
      1,
    ),
  );
  console.log('   CLONE_INTO_CGROUP happens inside clone (no migration); a procs write migrates the waiting child');
  // the run's parent group too: part 2's run would count it as an earlier run's leftover
  await cg.cleanup();

  // 2. freeze/thaw latency, through the freeze scenario itself
  const freeze = await loadScenario('freeze');
  const outDir = join(PROJECT_ROOT, 'results');
  const { run, files } = await runBenchmark({
    scenarios: [freeze],
    rounds: Number(args.rounds),
    warmup: 2,
    defaultRounds: 20,
    defaultWarmup: 2,
    defaultTimeoutMs: 10_000,
    outDir,
    seed: 1,
  });
  const sc = run.scenarios[0];
  if (sc) {
    console.log(`\n2. pause/unpause latency (freeze scenario, ${sc.rounds} rounds): ${files.json}`);
    console.log(scenarioTable(sc));
    report.freeze = sc.summary.map((v) => ({
      variant: v.variant,
      n: v.completed,
      errored: v.errored,
      skipped: v.skipped,
      freezeP50Ns: v.metrics.freezeNs?.median ?? null,
      freezeP99Ns: v.metrics.freezeNs?.p99 ?? null,
      thawP50Ns: v.metrics.thawNs?.median ?? null,
      thawP99Ns: v.metrics.thawNs?.p99 ?? null,
    }));
  }
} finally {
  launcher.close();
  await cg.cleanup();
}
const file =
  args.json ?? join(PROJECT_ROOT, 'results', `perf-cgroup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(join(file, '..'), { recursive: true });
writeFileAtomic(file, `${JSON.stringify(report, null, 1)}\n`);
console.log(`\nfigures: ${file}`);
