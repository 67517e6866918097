// Density: a ramp really holds N sandboxes (counted from outside), tears all
// down, reports the memory figures; a ramp stopped by a safety limit ends
// cleanly and says why; a ramp that would break the machine's limits is refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { CgroupManager } from '../src/cgroup/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { densityGuard } from '../src/runner/procedures/density.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { leftovers } from './helpers/cgroup.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

function idleProcesses(): number {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim() === 'idle').length;
}

describe('density ramp', { skip: needsRootAndBuild }, () => {
  test('holds N sandboxes, counted from outside, tears all down, reports memory three ways', async () => {
    const sc = validateScenario(
      {
        name: 'd',
        description: 'x',
        kind: 'density',
        workload: { builtin: 'idle' },
        variants: [
          {
            id: 'all-but-net',
            ns: ['user', 'pid', 'mnt', 'ipc', 'uts', 'cgroup'],
            density: { target: 25, holdMs: 300 },
          },
          { id: 'pid/cgroup', ns: ['pid'], density: { target: 25, holdMs: 300, perSandboxCgroup: true } },
        ],
      },
      'test/d.ts',
    );
    const before = idleProcesses();
    let seenDuringHold = 0;
    const timer = setInterval(() => (seenDuringHold = Math.max(seenDuringHold, idleProcesses() - before)), 50);
    const cgroups = new CgroupManager(`test-density-${process.pid}`);
    const { run } = await runBenchmark({
      scenarios: [sc],
      rounds: 1,
      warmup: 0,
      defaultRounds: 1,
      defaultWarmup: 0,
      defaultTimeoutMs: 10_000,
      outDir: tempDir(),
      seed: 1,
      cgroups,
    });
    clearInterval(timer);
    const r = run.scenarios[0];
    assert.ok(r);
    assert.ok(seenDuringHold >= 25, `at least 25 idle sandboxes seen from outside at once (saw ${seenDuringHold})`);
    for (const v of r.summary) {
      const m = v.metrics;
      assert.equal(m.held?.median, 25, v.variant);
      assert.equal(m.launched?.median, 25);
      assert.ok((m.launchesPerSec?.median ?? 0) > 0);
      const ramp = r.samples.find((s) => s.variant === v.variant && s.state === 'completed');
      const shown = (k: string) =>
        m[k] !== undefined || (ramp?.state === 'completed' && ramp.invalid?.[k] !== undefined);
      assert.ok(
        shown('memPerInstanceBytes') && shown('slabPerInstanceBytes'),
        'MemAvailable and slab deltas: a figure, or flagged invalid (25 sandboxes are within their noise)',
      );
      assert.ok((m.chargedPerInstanceBytes?.median ?? 0) > 0, 'what the ramp is charged');
      assert.ok((m.teardownNs?.median ?? 0) > 0);
    }
    assert.ok(
      (r.summary.find((v) => v.variant === 'pid/cgroup')?.metrics.cgroupMemPerInstanceBytes?.median ?? 0) > 0,
      'the sandboxes cgroups memory',
    );
    const all = r.samples.find((x) => x.variant === 'all-but-net');
    assert.ok(all?.state === 'completed' && all.series?.bootNs?.length === 25, 'the boot curve is kept');
    // and the memory curve: what the ramp's group was charged after each batch, growing with the sandboxes held
    const held = all?.state === 'completed' ? (all.series?.chargedHeld ?? []) : [];
    const bytes = all?.state === 'completed' ? (all.series?.chargedBytes ?? []) : [];
    assert.ok(
      held.length >= 2 && held.at(-1) === 25 && bytes.length === held.length,
      `charged after each batch: ${held.join(', ')}`,
    );
    assert.ok((bytes.at(-1) ?? 0) > (bytes[0] ?? 0), 'growing with the sandboxes held');
    assert.ok(all?.state === 'completed' && all.notes?.some((n) => n === 'stopped: reached the target of 25'));
    assert.equal(idleProcesses(), before, 'every sandbox torn down');
    assert.deepEqual(leftovers(cgroups.runName), []);
  });

  test('a ramp stopped by its time budget ends cleanly and records why', async () => {
    // 2000: within the guard rails under init's default fd hard limit (4096), as in a VM without systemd
    const sc = validateScenario(
      {
        name: 'd2',
        description: 'x',
        kind: 'density',
        workload: { builtin: 'idle' },
        variants: [{ id: 'pid', ns: ['pid', 'net'], density: { target: 2000, timeBudgetMs: 50, holdMs: 0 } }],
      },
      'test/d2.ts',
    );
    const before = idleProcesses();
    const { run } = await runBenchmark({
      scenarios: [sc],
      rounds: 1,
      warmup: 0,
      defaultRounds: 1,
      defaultWarmup: 0,
      defaultTimeoutMs: 10_000,
      outDir: tempDir(),
      seed: 1,
    });
    const s = run.scenarios[0]?.samples[0];
    assert.ok(s?.state === 'completed', JSON.stringify(s));
    assert.ok(s.notes?.includes('stopped: time budget of 50 ms'), JSON.stringify(s.notes));
    assert.ok((s.metrics.held ?? 0) < 2000);
    assert.equal(idleProcesses(), before);
  });
});

// pure: runs for everyone, root or not
test('guard rails: a ramp beyond pid_max, the fd limit or the memory floor is refused with the fix', () => {
  assert.match(
    densityGuard({ target: 10_000_000 }) ?? '',
    /kernel\.pid_max.*lower density\.target or raise kernel\.pid_max/,
  );
  assert.match(
    densityGuard({ target: 100, minFreeBytes: Number.MAX_SAFE_INTEGER }) ?? '',
    /under the .* MiB floor: free memory or lower density\.minFreeBytes/,
  );
  assert.equal(densityGuard({ target: 10 }), null);
  assert.throws(
    () =>
      validateScenario(
        { name: 'd3', description: 'x', kind: 'density', workload: { builtin: 'idle' }, variants: [{ ns: [] }] },
        'scenarios/d3.ts',
      ),
    /variants\[0\]\.density: a density scenario needs density: \{ target \} in every variant \(it refuses to ramp without a limit\)/,
  );
});
