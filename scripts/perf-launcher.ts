// npm run perf:launcher — is nsbench measuring the kernel, not itself?
//
// 1. Boot p50 through nsbench (the Node harness → launcher process → C
//    timestamps) against a plain C clone3+exec+wait loop (native/bench/refloop.c)
//    of the same namespace set and the same no-op, interleaved in blocks — each
//    way of creating the child: fork-style, and vfork-style (CLONE_VM |
//    CLONE_VFORK, the fastest the kernel allows: the floor). The launcher and
//    the C loop run pinned to one CPU, nsbench's Node on another, as a run's
//    default placement does.
// 2. The same with the Node process holding an extra 500 MB (vfork-style).
// 3. The same no-op under unshare(1) with the same flags.
// 4. tinybench: the harness's own round trip per launch, seen from Node.
//
// Usage: npm run perf:launcher [-- --launches N --blocks B --json FILE]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, quantile } from 'simple-statistics';
import { Bench } from 'tinybench';
import { unshareArgv as engineUnshareArgv } from '../src/engines/index.ts';
import { builtinWorkload, NATIVE_PATHS, nativeBinding, PROJECT_ROOT, which } from '../src/host/index.ts';
import { NAMESPACES, type Namespace } from '../src/isolation/index.ts';
import { SandboxLauncher } from '../src/launcher/index.ts';
import { writeFileAtomic } from '../src/results/index.ts';
import { allowedCpus, captureEnvironment } from '../src/runner/index.ts';
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

type Method = 'fork' | 'vfork';
const METHODS: Method[] = ['fork', 'vfork'];

async function viaNsbench(
  launcher: SandboxLauncher,
  ns: Namespace[],
  n: number,
  path = noop,
  argv?: string[],
  method: Method = 'vfork',
): Promise<Times> {
  const t = empty();
  for (let i = 0; i < n; i++) {
    const r = await launcher.run({
      ns,
      path,
      ...(argv ? { argv } : {}),
      timeoutMs: 10_000,
      ...(method === 'vfork' ? { vfork: true } : {}),
    });
    if (r.createMethod !== method) throw new Error(`asked for ${method}, the launcher made it ${r.createMethod}`);
    if (r.state !== 'exited' || r.exitCode !== 0)
      throw new Error(`launch failed: ${r.state} ${r.error?.message ?? r.exitCode}`);
    t.readyNs.push(r.offsetsNs.ready);
    t.exitNs.push(r.offsetsNs.exit);
  }
  return t;
}

/** The C loop, on the launcher's CPU (taskset, where there is one to spare and taskset is installed). */
function viaRefloop(ns: Namespace[], n: number, setup: boolean, method: Method = 'vfork'): Times {
  const list = ns.length ? ns.join(',') : 'bare';
  const argv = [...(setup ? ['--setup'] : []), ...(method === 'vfork' ? ['--vfork'] : []), list, String(n), noop];
  const pin = PIN && TASKSET ? [TASKSET, ['-c', String(PIN.sandboxes), NATIVE_PATHS.refloop, ...argv]] : null;
  const out = execFileSync(pin ? (pin[0] as string) : NATIVE_PATHS.refloop, pin ? (pin[1] as string[]) : argv, {
    encoding: 'utf8',
  });
  const j = JSON.parse(out) as { readyNs: number[]; wallNs: number[] };
  return { readyNs: j.readyNs, exitNs: j.wallNs };
}

const p50 = (xs: number[]) => median(xs);
const p99 = (xs: number[]) => quantile(xs, 0.99);

/** One CPU for the launcher and the C loop, another for Node (null on one CPU). */
const CPUS = allowedCpus();
const PIN = CPUS.length >= 2 ? { sandboxes: CPUS[0] as number, harness: CPUS.at(-1) as number } : null;
const TASKSET = which('taskset');

async function main(): Promise<void> {
  const launcher = SandboxLauncher.start();
  if (PIN) {
    const b = nativeBinding();
    b.setAffinity(launcher.pid, [PIN.sandboxes]);
    for (const tid of readdirSync('/proc/self/task').map(Number)) b.setAffinity(tid, [PIN.harness]);
  }
  const report: Record<string, unknown> = {
    launchesPerBlock: LAUNCHES,
    blocks: BLOCKS,
    environment: captureEnvironment(),
  };
  try {
    // warm caches for every path
    for (const s of SETS)
      for (const m of METHODS) {
        await viaNsbench(launcher, s.ns, 20, noop, undefined, m);
        viaRefloop(s.ns, 20, false, m);
        viaRefloop(s.ns, 20, true, m);
      }

    // 1 + 2: nsbench vs the C loops, each way of creating, and nsbench with 500 MB of ballast, in alternating blocks
    const rows: string[][] = [];
    const ref: Record<string, unknown> = {};
    let ballast: Buffer | null = null;
    for (const s of SETS) {
      const side = () => Object.fromEntries(METHODS.map((m) => [m, empty()])) as Record<Method, Times>;
      const nsb = side(),
        refPlain = side(),
        refSetup = side(),
        nsbBallast = empty();
      for (let b = 0; b < BLOCKS; b++) {
        for (const m of b % 2 ? [...METHODS].reverse() : METHODS) {
          add(nsb[m], await viaNsbench(launcher, s.ns, LAUNCHES, noop, undefined, m));
          add(refPlain[m], viaRefloop(s.ns, LAUNCHES, false, m));
          add(refSetup[m], viaRefloop(s.ns, LAUNCHES, true, m));
        }
        ballast = Buffer.alloc(BALLAST_BYTES, 1); // touched: resident in the Node process
        add(nsbBallast, await viaNsbench(launcher, s.ns, LAUNCHES));
        ballast = null;
        (globalThis as { gc?: () => void }).gc?.();
      }
      const per: Record<string, unknown> = {};
      for (const m of METHODS) {
        const r = {
          nsbenchReadyP50Ns: p50(nsb[m].readyNs),
          nsbenchExitP50Ns: p50(nsb[m].exitNs),
          nsbenchReadyP99Ns: p99(nsb[m].readyNs),
          refReadyP50Ns: p50(refPlain[m].readyNs),
          refExitP50Ns: p50(refPlain[m].exitNs),
          refSetupReadyP50Ns: p50(refSetup[m].readyNs),
          refSetupExitP50Ns: p50(refSetup[m].exitNs),
        };
        per[m] = {
          ...r,
          ratioToRef: r.nsbenchReadyP50Ns / r.refReadyP50Ns,
          ratioToRefExit: r.nsbenchExitP50Ns / r.refExitP50Ns,
          ratioToRefSetup: r.nsbenchReadyP50Ns / r.refSetupReadyP50Ns,
        };
        rows.push([
          s.id,
          m,
          formatNs(r.nsbenchReadyP50Ns),
          formatNs(r.refReadyP50Ns),
          formatNs(r.refSetupReadyP50Ns),
          `${(r.nsbenchReadyP50Ns / r.refReadyP50Ns).toFixed(3)}×`,
          `${(r.nsbenchReadyP50Ns / r.refSetupReadyP50Ns).toFixed(3)}×`,
          `${(r.nsbenchExitP50Ns / r.refExitP50Ns).toFixed(3)}×`,
          m === 'vfork' ? formatNs(p50(nsbBallast.readyNs)) : '-',
          m === 'vfork' ? `${((p50(nsbBallast.readyNs) / r.nsbenchReadyP50Ns - 1) * 100).toFixed(1)}%` : '-',
        ]);
      }
      const vf = per.vfork as { nsbenchReadyP50Ns: number; refSetupReadyP50Ns: number };
      const fk = per.fork as { nsbenchReadyP50Ns: number };
      ref[s.id] = {
        ...per,
        nsbenchWith500MbReadyP50Ns: p50(nsbBallast.readyNs),
        ballastChange: p50(nsbBallast.readyNs) / vf.nsbenchReadyP50Ns - 1,
        vforkOverForkNsbench: vf.nsbenchReadyP50Ns / fk.nsbenchReadyP50Ns,
        vforkToFloorWithSetup: vf.nsbenchReadyP50Ns / vf.refSetupReadyP50Ns,
      };
    }
    void ballast;
    report.reference = ref;
    report.placement = PIN
      ? `launcher and C loop on cpu${PIN.sandboxes}${TASKSET ? '' : ' (the C loop unpinned: no taskset)'}, Node on cpu${PIN.harness}`
      : 'one CPU: everything shares it';
    console.log(
      `\n1+2. boot p50 (clone → no-op's ready byte), ${BLOCKS} alternating blocks × ${LAUNCHES} launches per side; ${report.placement}`,
    );
    console.log(
      textTable(
        [
          'set',
          'create',
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
      '   C loop: clone3 + maps + exec + wait; C loop+setup: also private mounts, /proc, lo up, hostname (what nsbench does inside);',
    );
    console.log(
      '   fork: the child a copy of the parent; vfork: CLONE_VM | CLONE_VFORK on a stack of its own (the floor). Goal: nsbench vfork within 1.05× of C loop+setup vfork',
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
