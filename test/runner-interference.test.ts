// Noninterference: a CPU quota on the antagonist measurably reduces the
// victim's slowdown (a statistical test, not an absolute figure); the fork
// storm is stopped by pids.max and never runs without it; nothing is left.
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import { CgroupManager } from '../src/cgroup/index.ts';
import { UserError } from '../src/errors/index.ts';
import { chartsFor, chartValues } from '../src/report/index.ts';
import { interferenceRows } from '../src/results/index.ts';
import { interferenceVariants, validateScenario } from '../src/scenario/index.ts';
import { mannWhitneyU } from '../src/stats/index.ts';
import { leftovers } from './helpers/cgroup.ts';
import { needsRootAndBuild, processTable } from './helpers/env.ts';
import { runFixed } from './helpers/run.ts';

const hogs = () => processTable().filter((p) => p.comm === 'hog' && p.state !== 'Z').length;

/** An interference scenario of these variants, run for real: its result and the cgroup manager it used. */
async function runInterference(
  name: string,
  victim: string,
  variants: ReturnType<typeof interferenceVariants>,
  o: { rounds: number; warmup: number; seed: number },
) {
  const sc = validateScenario(
    {
      name,
      description: 'x',
      kind: 'interference',
      workload: { builtin: victim },
      variants,
      baseline: `${victim}/alone`,
    },
    `test/${name}.ts`,
  );
  const cgroups = new CgroupManager(`test-${name}-${process.pid}`);
  const { r } = await runFixed(sc, { ...o, timeoutMs: 30_000, cgroups });
  return { r, cgroups };
}

describe('noisy neighbours', { skip: needsRootAndBuild }, () => {
  test("kernel-level interference: a victim's boot beside net namespace churn is slower than alone; the backlog it leaves is seen and drains", async () => {
    const variants = interferenceVariants({
      victims: { noop: { builtin: 'noop' } },
      antagonists: {
        'netns-churn': { workload: { builtin: 'hog', args: ['nschurn', 'net', '20000'] }, settings: { none: null } },
      },
    });
    const { r } = await runInterference('churn', 'noop', variants, { rounds: 10, warmup: 1, seed: 4 });
    assert.ok(r);
    const boots = (id: string) =>
      r.samples.flatMap((s) =>
        s.variant === id && s.state === 'completed' && !s.warmup ? [s.metrics.bootNs as number] : [],
      );
    const alone = boots('noop/alone');
    const beside = boots('noop/netns-churn/none');
    assert.equal(alone.length, 10);
    assert.equal(beside.length, 10);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
    const p = mannWhitneyU(beside, alone).p;
    assert.ok(
      med(beside) > med(alone) && p < 0.05,
      `the victim boots slower beside net churn (median ${med(beside)} vs ${med(alone)} ns alone, Mann-Whitney p = ${p})`,
    );
    const row = interferenceRows(r).find((x) => x.variant === 'noop/netns-churn/none');
    assert.equal(row?.metric, 'bootNs', 'a boot-only victim is judged on its boot');
    assert.equal(row?.victim, 'noop (boot)');
    assert.ok((row?.slowdown ?? 0) > 1, `the report's slowdown: ${row?.slowdown}`);
    // the kernel's teardown backlog: net namespaces dying but not freed while the churn ran, drained after it
    const churned = r.samples.filter((s) => s.variant === 'noop/netns-churn/none' && s.state === 'completed');
    for (const s of churned) {
      if (s.state !== 'completed') continue;
      assert.ok(
        (s.metrics['backlog.net_namespace.peak'] ?? 0) > 0,
        `a net namespace backlog seen: ${JSON.stringify(s.metrics)}`,
      );
      assert.ok((s.metrics['backlog.drainNs'] ?? -1) >= 0, 'and drained within 10 s after the churn stopped');
      // the backlog over time: readings every 50 ms while the churn ran, the last one where the drain left it
      const t = s.series?.['backlog.t'] ?? [];
      const n = s.series?.['backlog.net_namespace'] ?? [];
      assert.ok(t.length >= 3 && n.length === t.length, `the backlog read over time (${t.length} readings)`);
      assert.ok(Math.max(...n) > (n.at(-1) ?? 0), 'it fell again once the churn was killed');
    }
    const backlog = chartsFor(r).find((c) => c.id.endsWith('-backlog'));
    assert.ok(backlog && chartValues(backlog.spec).length > 0, 'the report draws the backlog over time');
    assert.ok(
      r.samples.every(
        (s) => s.state !== 'completed' || s.variant !== 'noop/alone' || !('backlog.drainNs' in s.metrics),
      ),
    );
  });

  test('a cpu quota on a CPU spinner gives the victim measurably less slowdown than no limit', async () => {
    const variants = interferenceVariants({
      victims: { sieve: { builtin: 'sieve', args: ['2000000', '3'] } },
      antagonists: {
        spin: {
          workload: { builtin: 'hog', args: ['procs', String(2 * os.availableParallelism()), 'busy'] },
          settings: { none: null, 'cpu-quota': { cpu: { max: 0.1 } } },
          settleMs: 100,
        },
      },
    });
    const { r, cgroups } = await runInterference('nn', 'sieve', variants, { rounds: 8, warmup: 1, seed: 3 });
    assert.ok(r);
    const elapsed = (id: string) =>
      r.samples.flatMap((s) =>
        s.variant === id && s.state === 'completed' && !s.warmup ? [s.metrics['workload.elapsedNs'] as number] : [],
      );
    const none = elapsed('sieve/spin/none');
    const quota = elapsed('sieve/spin/cpu-quota');
    assert.equal(none.length, 8);
    assert.equal(quota.length, 8);
    const p = mannWhitneyU(quota, none).p;
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
    assert.ok(
      med(quota) < med(none) && p < 0.05,
      `victim faster beside the limited antagonist (median ${med(quota)} vs ${med(none)} ns, Mann-Whitney p = ${p})`,
    );
    const row = interferenceRows(r).find((x) => x.variant === 'sieve/spin/cpu-quota');
    assert.ok(
      row && row.reference === 'sieve/spin/none' && row.pLessThanReference !== null && row.pLessThanReference < 0.05,
      'the report says so too',
    );
    assert.ok(
      (r.summary.find((v) => v.variant === 'sieve/spin/cpu-quota')?.metrics['antagonist.cgCpuNrThrottled']?.median ??
        0) > 0,
      'the antagonist was throttled',
    );
    assert.equal(hogs(), 0, 'every antagonist process is gone');
    assert.deepEqual(leftovers(cgroups.runName), []);
  });

  test('the fork storm is stopped by pids.max, and the victim still runs', async () => {
    const variants = interferenceVariants({
      victims: { fork: { builtin: 'fork', args: ['100'] } },
      antagonists: {
        storm: {
          workload: { builtin: 'hog', args: ['forkstorm', '4096'] },
          settings: { 'pids-32': { pids: { max: 32 } } },
          settleMs: 200,
        },
      },
    });
    const { r, cgroups } = await runInterference('storm', 'fork', variants, { rounds: 2, warmup: 0, seed: 3 });
    const samples = r?.samples.filter((s) => s.variant === 'fork/storm/pids-32') ?? [];
    assert.equal(samples.length, 2);
    for (const s of samples) {
      assert.equal(s.state, 'completed', s.state !== 'completed' ? s.reason : '');
      if (s.state !== 'completed') continue;
      assert.ok(
        (s.metrics['antagonist.cgPidsPeak'] ?? Infinity) <= 32,
        `at most 32 processes (peak ${s.metrics['antagonist.cgPidsPeak']})`,
      );
      assert.ok((s.metrics['antagonist.cgPidsMaxEvents'] ?? 0) > 0, 'forks failed at pids.max');
      assert.equal(s.metrics['workload.forks'], 100, 'the victim forked all it wanted');
    }
    assert.equal(hogs(), 0, 'the storm is gone');
    assert.deepEqual(leftovers(cgroups.runName), []);
  });
});

// pure: runs for everyone, root or not
test('a fork storm without pids.max, or an antagonist outside a pid namespace, is refused', () => {
  const storm = { builtin: 'hog', args: ['forkstorm', '100'] };
  const bad = (antagonist: object) => () =>
    validateScenario(
      {
        name: 's',
        description: 'x',
        kind: 'interference',
        workload: { builtin: 'noop' },
        variants: [
          { id: 'a', ns: [] },
          { id: 'b', ns: [], antagonist },
        ],
      },
      'scenarios/s.ts',
    );
  assert.throws(
    bad({ workload: storm }),
    (e: unknown) =>
      e instanceof UserError &&
      e.message ===
        'scenarios/s.ts: variants[1].antagonist.cgroup.pids.max: a fork storm needs pids.max on its cgroup (nsbench refuses to start one without a limit)',
  );
  assert.throws(bad({ workload: storm, cgroup: { cpu: { max: 0.5 } } }), /pids\.max/);
  assert.throws(
    bad({ workload: { builtin: 'hog', args: ['procs', '2', 'busy'] }, ns: ['net'] }),
    /antagonist\.ns: an antagonist runs in a pid namespace/,
  );
});
