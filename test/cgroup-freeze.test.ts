// Freeze and thaw really stop and restart a sandbox, through the v1 freezer
// and through cgroup.freeze (v2, or the unified hierarchy of a hybrid machine).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CgroupManager, type FreezerKind, type SandboxCgroup } from '../src/cgroup/index.ts';
import { builtinWorkload, detectCgroups } from '../src/host/index.ts';
import { type LaunchResult, SandboxLauncher } from '../src/launcher/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { freezeVariants, validateScenario } from '../src/scenario/index.ts';
import { leftovers } from './helpers/cgroup.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const info = detectCgroups();
const skip = needsRootAndBuild || (info.mode === 'none' ? 'no cgroup hierarchy mounted' : false);
const kinds: FreezerKind[] = [
  ...(info.v2Root ? (['v2'] as const) : []),
  ...(info.v1Controllers.freezer ? (['v1'] as const) : []),
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`freezer (${kinds.join(', ') || 'none'})`, {
  skip: skip || (kinds.length === 0 ? 'no freezer here' : false),
}, () => {
  let launcher: SandboxLauncher;
  let cg: CgroupManager;
  before(() => {
    launcher = SandboxLauncher.start();
    cg = new CgroupManager(`test-fz-${process.pid}`);
  });
  after(async () => {
    launcher.close();
    assert.deepEqual(await cg.cleanup(), [], 'cleanup removed everything');
  });

  async function busyGroup(n: number): Promise<{ group: SandboxCgroup; held: LaunchResult }> {
    const group = cg.create('fz', {});
    const held = await launcher.hold({
      ns: ['pid'],
      path: builtinWorkload('hog'),
      argv: ['hog', 'procs', String(n), 'busy'],
      timeoutMs: 20_000,
      ...group.placement,
    });
    assert.equal(held.state, 'running');
    return { group, held };
  }

  async function cpuDuring(group: SandboxCgroup, ms: number): Promise<number> {
    const before = group.stats().cgCpuUsageUs ?? 0;
    await sleep(ms);
    return (group.stats().cgCpuUsageUs ?? 0) - before;
  }

  for (const kind of kinds) {
    test(`${kind}: a frozen sandbox gets no CPU, a thawed one does`, async () => {
      const { group, held } = await busyGroup(10);
      try {
        assert.ok((await cpuDuring(group, 100)) > 50_000, 'busy before freezing');
        const f = await group.setFrozen(kind, true);
        assert.ok(!f.timedOut && f.latencyNs > 0, `frozen in ${f.latencyNs} ns`);
        if (kind === 'v2') assert.match(readFileSync(join(group.v2Dir as string, 'cgroup.events'), 'utf8'), /frozen 1/);
        else assert.equal(readFileSync(join(group.v1Dirs.freezer as string, 'freezer.state'), 'utf8').trim(), 'FROZEN');
        assert.ok((await cpuDuring(group, 200)) < 5_000, 'no CPU while frozen');
        const t = await group.setFrozen(kind, false);
        assert.ok(!t.timedOut && t.latencyNs > 0);
        assert.ok((await cpuDuring(group, 100)) > 50_000, 'busy again after thawing');
      } finally {
        await launcher.release(held.id, { timeoutMs: 5000 });
        await cg.destroy(group);
      }
    });
  }

  test('v1: a freeze that does not finish in time returns timed out (stuck in FREEZING), and retries are counted', {
    skip: info.v1Controllers.freezer ? false : 'no v1 freezer',
  }, async () => {
    const { group, held } = await busyGroup(300);
    try {
      // the kernel sometimes freezes the whole group inside the write (FROZEN at the first read): then there is no
      // FREEZING to time out in or to retry; try a few times until it is seen freezing
      let quick = await group.setFrozen('v1', true, 0.001, 1000);
      for (let i = 0; i < 10 && !quick.timedOut && quick.polls === 1; i++) {
        await group.setFrozen('v1', false);
        quick = await group.setFrozen('v1', true, 0.001, 1000);
      }
      assert.ok(
        quick.timedOut,
        `a 1 µs budget cannot freeze 300 busy processes once they are seen FREEZING (${quick.polls} polls)`,
      );
      assert.ok(quick.stuck, 'reported as stuck in FREEZING');
      await group.setFrozen('v1', false);
      let retried = await group.setFrozen('v1', true, 5000, 0.1);
      for (let i = 0; i < 10 && retried.polls === 1; i++) {
        await group.setFrozen('v1', false);
        retried = await group.setFrozen('v1', true, 5000, 0.1);
      }
      assert.ok(!retried.timedOut, 'it still freezes');
      assert.ok(retried.polls > 1, 'seen FREEZING at least once in ten tries');
      assert.ok(
        retried.retries >= 1,
        `rewrites of FROZEN counted: ${retried.retries} in ${retried.latencyNs} ns, ${retried.polls} polls`,
      );
      await group.setFrozen('v1', false);
    } finally {
      // thaw first (as the freeze procedure's teardown does): a v1-frozen task cannot act on SIGKILL, and the release
      // would wait for it forever
      await group.setFrozen('v1', false, 1000).catch(() => undefined);
      await launcher.release(held.id, { timeoutMs: 5000 });
      await cg.destroy(group);
    }
  });
});

describe('freeze scenario through the runner', {
  skip: skip || (kinds.length === 0 ? 'no freezer here' : false),
}, () => {
  test('samples freeze and thaw latency per freezer and process count, and leaves nothing', async () => {
    const sc = validateScenario(
      {
        name: 'fz',
        description: 'x',
        kind: 'freeze',
        workload: { builtin: 'hog' },
        variants: freezeVariants({ processes: [1, 50], modes: ['sleep', 'busy'], freezers: ['v2', 'v1'] }),
      },
      'test/fz.ts',
    );
    const cgroups = new CgroupManager(`test-fzrun-${process.pid}`);
    const { run } = await runBenchmark({
      scenarios: [sc],
      rounds: 3,
      warmup: 1,
      defaultRounds: 3,
      defaultWarmup: 1,
      defaultTimeoutMs: 10_000,
      outDir: tempDir(),
      seed: 5,
      cgroups,
    });
    const r = run.scenarios[0];
    assert.ok(r);
    for (const kind of kinds) {
      for (const v of r.summary.filter((s) => s.variant.startsWith(`${kind}/`))) {
        assert.equal(v.completed, 3, `${v.variant}: ${JSON.stringify(r.samples.find((s) => s.variant === v.variant))}`);
        assert.ok((v.metrics.freezeNs?.median ?? 0) > 0 && (v.metrics.thawNs?.median ?? 0) > 0);
        assert.equal(
          v.metrics.processes?.median,
          Number(v.variant.split('/')[2]),
          'the group held the requested processes',
        );
      }
    }
    for (const kind of (['v1', 'v2'] as const).filter((k) => !kinds.includes(k)))
      assert.ok(r.samples.filter((s) => s.variant.startsWith(`${kind}/`)).every((s) => s.state === 'skipped'));
    assert.deepEqual(leftovers(cgroups.runName), [], 'no cgroup of the run is left in any hierarchy');
  });
});
