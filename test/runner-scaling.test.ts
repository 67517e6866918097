// Parallel creation (scaling scenarios): K launchers at once measured for real — throughput at K = 1 and K = 2 for
// bare and net, each with a CI and the speedup's CI; the plan's cap on K; the figures of one parallel run from fixed
// numbers; and kill -9 of nsbench mid-churn, then one `nsbench cleanup`: no process, namespace or object left.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findLeftovers } from '../src/cleanup/index.ts';
import { namespaceObjects, PROJECT_ROOT, settleNamespaces, tracefsRoot } from '../src/host/index.ts';
import { runScale } from '../src/launcher/index.ts';
import { scalingRows } from '../src/results/index.ts';
import { capScaling } from '../src/runner/plan.ts';
import { scalingMetrics } from '../src/runner/procedures/scaling.ts';
import { bare, nsSet, scalingVariants, validateScenario } from '../src/scenario/index.ts';
import { needsRootAndBuild, processTable, tempDir } from './helpers/env.ts';
import { runFixed } from './helpers/run.ts';

const CLI = join(PROJECT_ROOT, 'bin/nsbench.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const launcherProcs = () => processTable().filter((p) => p.state !== 'Z' && ['nsb-launcher', 'noop'].includes(p.comm));

function scenario(k: number[], launches: number, sets = [bare(), nsSet('net')]) {
  return validateScenario(
    {
      name: 'scaling-test',
      description: 'x',
      kind: 'scaling',
      workload: { builtin: 'noop' },
      variants: scalingVariants({ sets, k, launches }),
    },
    'test/scaling-test.ts',
  );
}

describe('scaling: the plan and the figures', () => {
  test('K above 4 × the CPUs is left out, and the run says which', () => {
    const sc = scenario([1, 2, 4, 8, 16], 5);
    const two = capScaling(sc.variants, 2);
    assert.deepEqual(
      two.variants.map((v) => v.id),
      ['bare/k1', 'bare/k2', 'bare/k4', 'bare/k8', 'net/k1', 'net/k2', 'net/k4', 'net/k8'],
    );
    assert.match(two.note ?? '', /K = 16 left out: at most 8 launchers at once on 2 CPUs/);
    assert.equal(capScaling(sc.variants, 16).note, null);
    assert.equal(capScaling(sc.variants, 16).variants.length, 10);
  });

  test('each variant is measured against the same set at the smallest K', () => {
    const sc = scenario([2, 4], 5);
    assert.deepEqual(
      sc.variants.map((v) => [v.id, v.baseline, v.scaling?.k]),
      [
        ['bare/k2', 'bare/k2', 2],
        ['bare/k4', 'bare/k2', 4],
        ['net/k2', 'net/k2', 2],
        ['net/k4', 'net/k2', 4],
      ],
    );
  });

  test('the figures of one parallel run: throughput over the wall time, CPU against it, the time off a CPU', () => {
    const launch = (boot: number) => ({
      worker: 0,
      result: {
        offsetsNs: {
          exit: boot + 100_000,
          ready: -1,
          cloneStart: 10,
          cloneDone: 20,
          mapsDone: -1,
          cgroupDone: -1,
          setupDone: -1,
        },
      },
    });
    const run = {
      launches: [1, 2, 3, 4].map((i) => launch(i * 1_000_000)),
      workers: 2,
      count: 2,
      startMonoNs: 0,
      wallNs: 10_000_000, // 4 launches in 10 ms: 400/s
      userUs: 2_000,
      sysUs: 4_000, // 6 ms of CPU over 10 ms wall
    } as unknown as Parameters<typeof scalingMetrics>[0];
    const m = scalingMetrics(run, 8_000_000, 20_000_000);
    assert.equal(m.launchesPerSec, 400);
    assert.equal(m.workers, 2);
    assert.equal(m.launched, 4);
    assert.equal(m.cpuPerLaunchNs, 1_500_000);
    assert.equal(m.cpusBusy, 0.6);
    assert.equal(m.offCpuPerLaunchNs, (2 * 10_000_000 - 6_000_000) / 4);
    assert.equal(m.hostCpuPerLaunchNs, 2_000_000);
    assert.equal(m.hostCpusBusy, 0.4);
    assert.equal(m.bootP50Ns, 2_600_000); // boot ends at the exit for a workload that signals no readiness
  });
});

describe('scaling: real parallel creation', { skip: needsRootAndBuild }, () => {
  test('nsb-launcher scale: K workers released together, every launch reported, CPU and wall time', async () => {
    const r = await runScale({ ns: ['net'], path: join(PROJECT_ROOT, 'workloads/bin/noop') }, 3, 4);
    assert.equal(r.workers, 3);
    assert.equal(r.launches.length, 12);
    assert.deepEqual([...new Set(r.launches.map((l) => l.worker))].sort(), [0, 1, 2]);
    assert.ok(r.launches.every((l) => l.result.state === 'exited' && l.result.exitCode === 0));
    assert.ok(r.wallNs > 0 && r.userUs + r.sysUs > 0, JSON.stringify({ wall: r.wallNs, u: r.userUs, s: r.sysUs }));
    // released together: every worker's first launch starts within the first launch's boot of the release
    const firsts = [0, 1, 2].map((w) =>
      Math.min(...r.launches.filter((l) => l.worker === w).map((l) => Number(l.result.requestMonoNs))),
    );
    assert.ok(
      Math.max(...firsts) - r.startMonoNs < 50e6,
      `workers started ${firsts.map((f) => f - r.startMonoNs)} ns after the release`,
    );
    assert.deepEqual(launcherProcs(), [], 'the workers and their sandboxes are gone');
  });

  test('throughput at K = 1 and K = 2 for bare and net, each with a 95% CI, and the speedup with its CI', async () => {
    const sc = scenario([1, 2], 10);
    const { r } = await runFixed(sc, { rounds: 6, warmup: 1, seed: 29 });
    const rows = scalingRows(r);
    assert.deepEqual(
      rows.map((x) => `${x.set}/${x.k}`),
      ['bare/1', 'bare/2', 'net/1', 'net/2'],
    );
    for (const row of rows) {
      assert.equal(row.n, 6, `${row.variant}: 6 measured samples`);
      const ci = row.perSec?.medianCI95;
      assert.ok(row.perSec && ci, `${row.variant}: throughput with a CI`);
      assert.ok(ci[0] <= row.perSec.median && row.perSec.median <= ci[1] && ci[0] > 0, `${row.variant}: ${ci}`);
      assert.ok((row.cpuPerLaunchNs ?? 0) > 0 && (row.bootP50Ns ?? 0) > 0);
      if (row.k === 2) {
        assert.ok(row.speedup !== null && row.speedupCI, `${row.variant}: the speedup over K = 1 with its CI`);
        assert.ok(row.speedupCI[0] <= row.speedup && row.speedup <= row.speedupCI[1]);
        assert.equal(row.efficiency, row.speedup / 2);
      } else assert.equal(row.speedup, null, 'K = 1 is the baseline');
    }
    // where this machine can trace (root, tracefs with the sched and clone3 tracepoints): the time the launches spent
    // blocked in the kernel and waiting for a CPU, from sched_switch
    const traced =
      tracefsRoot() !== null && existsSync(join(tracefsRoot() as string, 'events/syscalls/sys_enter_clone3'));
    if (traced)
      for (const row of rows)
        assert.ok(
          row.blockedPerLaunchNs !== null && row.blockedPerLaunchNs >= 0 && row.runqueuePerLaunchNs !== null,
          `${row.variant}: traced blocked and runqueue time per launch`,
        );
    const samples = r.samples.filter((s) => s.state === 'completed' && s.variant === 'net/k2');
    assert.ok(samples.every((s) => s.state === 'completed' && s.metrics.launched === 20 && s.metrics.workers === 2));
    assert.ok(
      samples.every((s) => s.state === 'completed' && s.metrics['backlog.drainNs'] !== undefined),
      'every sample waited for the backlog to drain',
    );
  });

  test('kill -9 of nsbench during churn, then one nsbench cleanup: nothing left', async () => {
    assert.deepEqual(findLeftovers(), [], 'a clean machine to start from');
    const dir = tempDir();
    const file = join(dir, 'churn.ts');
    writeFileSync(
      file,
      `import { nsSet, all, scalingVariants, defineScenario } from '${PROJECT_ROOT}/src/scenario/index.ts';
export default defineScenario({ name: 'churn', description: 'x', kind: 'scaling', workload: { builtin: 'noop' },
  variants: scalingVariants({ sets: [nsSet('net'), all()], k: [4], launches: 400 }), rounds: 50, warmup: 0 });
`,
    );
    const netBefore = namespaceObjects().net_namespace ?? 0;
    const child = spawn(process.execPath, [CLI, 'run', file, '--out', join(dir, 'out'), '-q', '--no-report'], {
      cwd: PROJECT_ROOT,
      stdio: 'ignore',
    });
    // mid-churn: once the parallel workers are creating sandboxes
    const end = Date.now() + 60_000;
    while (processTable().filter((p) => p.comm === 'nsb-launcher').length < 5 && Date.now() < end) await sleep(20);
    await sleep(300);
    assert.ok(processTable().filter((p) => p.comm === 'nsb-launcher').length >= 5, 'the churn was under way');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const gone = Date.now() + 10_000;
    while (launcherProcs().length && Date.now() < gone) await sleep(50);
    assert.deepEqual(launcherProcs(), [], 'the workers and their sandboxes died with nsbench (PR_SET_PDEATHSIG)');
    const r = spawnSync(process.execPath, [CLI, 'cleanup'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      findLeftovers().map((l) => `${l.kind} ${l.id}`),
      [],
    );
    // the net namespaces the churn made are only the kernel's to free: they drain without anyone's help
    const ms = await settleNamespaces(30_000, { net_namespace: netBefore });
    assert.ok(
      ms >= 0,
      `the dying net namespaces were freed (${namespaceObjects().net_namespace} of ${netBefore} before)`,
    );
    const samples = readdirSync(join(dir, 'out')).find((f) => f.endsWith('.samples.jsonl'));
    assert.ok(samples, 'the samples file of the killed run is there');
    assert.ok(readFileSync(join(dir, 'out', samples), 'utf8').length > 0);
  });
});
