// npm run perf:launcher — is nsbench measuring the kernel, not itself?
//
// 1. Boot p50 through nsbench (the Node harness → launcher process → C
//    timestamps) against a plain C clone3+exec+wait loop (native/bench/refloop.c)
//    of the same namespace set and the same no-op, interleaved in blocks.
// 2. The same with the Node process holding an extra 500 MB.
// 3. The same no-op under unshare(1) with the same flags.
// 4. tinybench: the harness's own round trip per launch, seen from Node.
//
// Usage: npm run perf:launcher [-- --launches N --blocks B --json FILE]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, quantile } from 'simple-statistics';
import { Bench } from 'tinybench';
import { unshareArgv as engineUnshareArgv } from '../src/engines/index.ts';
import { builtinWorkload, NATIVE_PATHS, PROJECT_ROOT, which } from '../src/host/index.ts';
import { NAMESPACES, type Namespace } from '../src/isolation/index.ts';
import { SandboxLauncher } from '../src/launcher/index.ts';
import { writeFileAtomic } from '../src/results/index.ts';
import { captureEnvironment } from '../src/runner/index.ts';
import { formatNs, textTable } from '../src/util/index.ts';

/** unshare(1) with the same flags as the namespace set, around the no-op. */
const unshareArgv = (ns: Namespace[]) => engineUnshareArgv(ns, noop);

const { values: args } = parseArgs({
  options: {
    launches: { type: 'string', default: '200' },
    blocks: { type: 'string', default: '5' },
    json: { type: 'string' },
  },
});
const LAUNCHES = Number(args.launches); // per block and side
const BLOCKS = Number(args.blocks); // alternating blocks, so drift hits both sides alike
const BALLAST_BYTES = 500 * 1024 * 1024;

if (process.geteuid?.() !== 0) {
  console.error('error: perf:launcher creates every namespace and needs root — run it as root');
  process.exit(2);
}

const noop = builtinWorkload('noop');
const SETS: { id: string; ns: Namespace[] }[] = [
  { id: 'bare', ns: [] },
  { id: 'all-but-net', ns: NAMESPACES.filter((n) => n !== 'net') },
  { id: 'all', ns: [...NAMESPACES] },
];

interface Times {
  readyNs: number[];
  exitNs: number[];
}
const empty = (): Times => ({ readyNs: [], exitNs: [] });
const add = (into: Times, t: Times) => {
  into.readyNs.push(...t.readyNs);
  into.exitNs.push(...t.exitNs);
};

async function viaNsbench(
  launcher: SandboxLauncher,
  ns: Namespace[],
  n: number,
  path = noop,
  argv?: string[],
): Promise<Times> {
  const t = empty();
  for (let i = 0; i < n; i++) {
    const r = await launcher.run({ ns, path, ...(argv ? { argv } : {}), timeoutMs: 10_000 });
    if (r.state !== 'exited' || r.exitCode !== 0)
      throw new Error(`launch failed: ${r.state} ${r.error?.message ?? r.exitCode}`);
    t.readyNs.push(r.offsetsNs.ready);
    t.exitNs.push(r.offsetsNs.exit);
  }
  return t;
}

function viaRefloop(ns: Namespace[], n: number, setup: boolean): Times {
  const list = ns.length ? ns.join(',') : 'bare';
  const out = execFileSync(NATIVE_PATHS.refloop, [...(setup ? ['--setup'] : []), list, String(n), noop], {
    encoding: 'utf8',
  });
  const j = JSON.parse(out) as { readyNs: number[]; wallNs: number[] };
  return { readyNs: j.readyNs, exitNs: j.wallNs };
}

const p50 = (xs: number[]) => median(xs);
const p99 = (xs: number[]) => quantile(xs, 0.99);

async function main(): Promise<void> {
  const launcher = SandboxLauncher.start();
  const report: Record<string, unknown> = {
    launchesPerBlock: LAUNCHES,
    blocks: BLOCKS,
    environment: captureEnvironment(),
  };
  try {
    // warm caches for every path
    for (const s of SETS) {
      await viaNsbench(launcher, s.ns, 20);
      viaRefloop(s.ns, 20, false);
      viaRefloop(s.ns, 20, true);
    }

    // 1 + 2: nsbench vs the C loops, and nsbench with 500 MB of ballast, in alternating blocks
    const rows: string[][] = [];
    const ref: Record<string, unknown> = {};
    let ballast: Buffer | null = null;
    for (const s of SETS) {
      const nsb = empty(),
        refPlain = empty(),
        refSetup = empty(),
        nsbBallast = empty();
      for (let b = 0; b < BLOCKS; b++) {
        add(nsb, await viaNsbench(launcher, s.ns, LAUNCHES));
        add(refPlain, viaRefloop(s.ns, LAUNCHES, false));
        add(refSetup, viaRefloop(s.ns, LAUNCHES, true));
        ballast = Buffer.alloc(BALLAST_BYTES, 1); // touched: resident in the Node process
        add(nsbBallast, await viaNsbench(launcher, s.ns, LAUNCHES));
        ballast = null;
        (globalThis as { gc?: () => void }).gc?.();
      }
      const r = {
        nsbenchReadyP50Ns: p50(nsb.readyNs),
        nsbenchExitP50Ns: p50(nsb.exitNs),
        nsbenchReadyP99Ns: p99(nsb.readyNs),
        refReadyP50Ns: p50(refPlain.readyNs),
        refExitP50Ns: p50(refPlain.exitNs),
        refSetupReadyP50Ns: p50(refSetup.readyNs),
        refSetupExitP50Ns: p50(refSetup.exitNs),
        nsbenchWith500MbReadyP50Ns: p50(nsbBallast.readyNs),
      };
      ref[s.id] = {
        ...r,
        ratioToRef: r.nsbenchReadyP50Ns / r.refReadyP50Ns,
        ratioToRefExit: r.nsbenchExitP50Ns / r.refExitP50Ns,
        ratioToRefSetup: r.nsbenchReadyP50Ns / r.refSetupReadyP50Ns,
        ballastChange: r.nsbenchWith500MbReadyP50Ns / r.nsbenchReadyP50Ns - 1,
      };
      rows.push([
        s.id,
        formatNs(r.nsbenchReadyP50Ns),
        formatNs(r.refReadyP50Ns),
        formatNs(r.refSetupReadyP50Ns),
        `${(r.nsbenchReadyP50Ns / r.refReadyP50Ns).toFixed(3)}×`,
        `${(r.nsbenchReadyP50Ns / r.refSetupReadyP50Ns).toFixed(3)}×`,
        `${(r.nsbenchExitP50Ns / r.refExitP50Ns).toFixed(3)}×`,
        formatNs(r.nsbenchWith500MbReadyP50Ns),
        `${((r.nsbenchWith500MbReadyP50Ns / r.nsbenchReadyP50Ns - 1) * 100).toFixed(1)}%`,
      ]);
    }
    void ballast;
    report.reference = ref;
    console.log(
      `\n1+2. boot p50 (clone → no-op's ready byte), ${BLOCKS} alternating blocks × ${LAUNCHES} launches per side`,
    );
    console.log(
      textTable(
        [
          'set',
          'nsbench',
          'C loop',
          'C loop+setup',
          'vs C loop',
          'vs C+setup',
          'to exit vs C',
          'nsbench +500MB',
          'change',
        ],
        rows,
      ),
    );
    console.log(
      '   C loop: clone3 + maps + exec + wait; C loop+setup: also private mounts, /proc, lo up, hostname (what nsbench does inside)',
    );

    // 3: unshare(1) with the same flags, launched bare by the same launcher (boot = its no-op's ready byte)
    const unshare = which('unshare');
    const urows: string[][] = [];
    const ures: Record<string, unknown> = {};
    if (unshare) {
      for (const s of SETS) {
        const nsb = empty(),
          viaUnshare = empty(),
          shelledOut: number[] = [];
        const argv = unshareArgv(s.ns);
        for (let b = 0; b < BLOCKS; b++) {
          add(nsb, await viaNsbench(launcher, s.ns, Math.ceil(LAUNCHES / 2)));
          add(viaUnshare, await viaNsbench(launcher, [], Math.ceil(LAUNCHES / 2), unshare, argv));
          for (let i = 0; i < Math.ceil(LAUNCHES / 4); i++) {
            const t0 = process.hrtime.bigint();
            const r = spawnSync(unshare, argv.slice(1), { stdio: 'ignore' });
            if (r.status !== 0) throw new Error(`unshare failed: ${argv.join(' ')}`);
            shelledOut.push(Number(process.hrtime.bigint() - t0));
          }
        }
        const speedup = p50(viaUnshare.readyNs) / p50(nsb.readyNs);
        const speedupShelled = p50(shelledOut) / p50(nsb.readyNs);
        ures[s.id] = {
          nsbenchReadyP50Ns: p50(nsb.readyNs),
          unshareReadyP50Ns: p50(viaUnshare.readyNs),
          speedup,
          unshareSpawnSyncP50Ns: p50(shelledOut),
          speedupVsSpawnSync: speedupShelled,
          argv: argv.join(' '),
        };
        urows.push([
          s.id,
          formatNs(p50(nsb.readyNs)),
          formatNs(p50(viaUnshare.readyNs)),
          `${speedup.toFixed(2)}×`,
          formatNs(p50(shelledOut)),
          `${speedupShelled.toFixed(2)}×`,
        ]);
      }
      console.log('\n3. the same no-op under unshare(1) with the same flags');
      console.log(
        textTable(['set', 'nsbench', 'unshare via launcher', 'faster by', 'unshare via spawnSync', 'faster by'], urows),
      );
      console.log(
        "   via launcher: unshare started by the same C launcher, to its no-op's ready byte (the fair comparison);",
      );
      console.log('   via spawnSync: unshare run from Node to its exit, as a harness that shells out measures it');
    } else {
      console.log('\n3. skipped: unshare(1) is not installed (apt-get install util-linux)');
    }
    report.unshare = ures;

    // 4: the harness's own round trip, as Node sees it (tinybench)
    const bench = new Bench({ time: 1500, warmupTime: 200 });
    bench.add('launcher.run(noop, bare) round trip', async () => {
      await launcher.run({ ns: [], path: noop, timeoutMs: 10_000 });
    });
    await bench.run();
    const task = bench.tasks[0];
    const lat =
      task?.result && 'latency' in task.result ? (task.result.latency as { p50?: number; mean: number }) : null;
    if (lat) {
      report.roundTrip = { meanMs: lat.mean, p50Ms: lat.p50 ?? null, launchesPerSec: 1000 / lat.mean };
      console.log(
        `\n4. harness round trip per launch seen from Node (tinybench): mean ${formatNs(lat.mean * 1e6)}, p50 ${formatNs((lat.p50 ?? lat.mean) * 1e6)}, ${(1000 / lat.mean).toFixed(0)} launches/s`,
      );
    }

    // Why the launcher is a separate process: spawnSync from Node, small and large
    const spawnTimes = (n: number) => {
      const xs: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        spawnSync(noop);
        xs.push(Number(process.hrtime.bigint() - t0));
      }
      return p50(xs);
    };
    const small = spawnTimes(200);
    let big: Buffer | null = Buffer.alloc(BALLAST_BYTES, 1);
    const large = spawnTimes(200);
    big = null;
    void big;
    report.spawnSyncFromNode = { p50Ns: small, with500MbP50Ns: large };
    console.log(
      `   for contrast, child_process.spawnSync(noop) from Node: p50 ${formatNs(small)}, ${formatNs(large)} with 500 MB held`,
    );
  } finally {
    launcher.close();
  }
  const file =
    args.json ?? join(PROJECT_ROOT, 'results', `perf-launcher-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(report, null, 1)}\n`);
  console.log(`\nfigures: ${file}`);
}

if (!existsSync(NATIVE_PATHS.refloop)) {
  console.error('error: native/build/bin/nsb-refloop is missing — run `npm install`');
  process.exit(2);
}
await main();
