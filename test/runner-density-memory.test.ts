// Density memory that holds up on a busy machine: what the sandboxes are
// charged (a cgroup holding the ramp, the launcher in it), their PSS and
// their namespace objects, over three ramps — positive and steady while the
// page cache churns; an implausible figure is flagged, never printed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { scenarioTable } from '../src/report/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { plausible } from '../src/runner/procedures/density.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { meanCI95 } from '../src/stats/index.ts';
import { WORK_BASE } from '../src/util/paths.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const sc = validateScenario(
  {
    name: 'density-memory',
    description: 'three ramps of 300',
    kind: 'density',
    workload: { builtin: 'idle' },
    variants: [
      { id: 'all-but-net', ns: ['user', 'pid', 'mnt', 'ipc', 'uts', 'cgroup', 'time'], density: { target: 300 } },
      { id: 'all', ns: ['user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup', 'time'], density: { target: 300 } },
    ],
    rounds: 3,
  },
  'test/density-memory.ts',
);

/** Writes a 1 GiB file, drops the page cache, over and over, until stopped (a child of this test). */
function churnPageCache() {
  const file = `${WORK_BASE}/nsb-test-churn-${process.pid}`;
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      `while :; do dd if=/dev/zero of=${file} bs=1M count=1024 status=none; sync; echo 1 > /proc/sys/vm/drop_caches; rm -f ${file}; done`,
    ],
    { stdio: 'ignore', detached: true },
  );
  return () => {
    process.kill(-(child.pid as number), 'SIGKILL'); // the loop and its dd: the process group this test started
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    spawn('/bin/rm', ['-f', file]);
  };
}

const charged = async (churn: boolean) => {
  const stop = churn ? churnPageCache() : null;
  try {
    const { run } = await runBenchmark({
      scenarios: [sc],
      defaultRounds: 3,
      defaultWarmup: 0,
      defaultTimeoutMs: 10_000,
      outDir: tempDir(),
      seed: 2,
    });
    const r = run.scenarios[0];
    assert.ok(r);
    return {
      r,
      perVariant: Object.fromEntries(
        sc.variants.map((v) => [
          v.id,
          r.samples.flatMap((s) =>
            s.variant === v.id && s.state === 'completed' ? [s.metrics.chargedPerInstanceBytes as number] : [],
          ),
        ]),
      ),
    };
  } finally {
    stop?.();
  }
};

describe('density memory', { skip: needsRootAndBuild }, () => {
  test('charged memory per instance is positive and within 20% of a quiet run while the page cache churns', async () => {
    const quiet = await charged(false);
    const busy = await charged(true);
    for (const v of ['all-but-net', 'all']) {
      const q = quiet.perVariant[v] ?? [];
      const b = busy.perVariant[v] ?? [];
      assert.equal(q.length, 3, `${v}: three ramps`);
      assert.equal(b.length, 3, `${v}: three ramps under churn`);
      assert.ok(
        [...q, ...b].every((x) => x > 0),
        `${v}: positive (${q.map((x) => (x / 1024).toFixed(0))} / ${b.map((x) => (x / 1024).toFixed(0))} KiB)`,
      );
      const mq = meanCI95(q)?.mean ?? 0;
      const mb = meanCI95(b)?.mean ?? 0;
      assert.ok(
        Math.abs(mb - mq) <= 0.2 * mq,
        `${v}: ${(mb / 1024).toFixed(0)} KiB under churn vs ${(mq / 1024).toFixed(0)} KiB quiet`,
      );
    }
    const all = quiet.perVariant.all ?? [];
    const abn = quiet.perVariant['all-but-net'] ?? [];
    assert.ok((meanCI95(all)?.mean ?? 0) > (meanCI95(abn)?.mean ?? 0), 'a net namespace costs memory of its own');
    const table = scenarioTable(quiet.r);
    assert.match(table, /charged \[95% CI\]/);
    assert.match(table, /all\s+3\s+\d+ KiB \(mean of 3\)/, table); // a CI from 6 ramps on
  });
});

// pure: runs for everyone, root or not
test('an implausible memory figure is flagged invalid and left out, never printed as a figure', () => {
  const { valid, invalid } = plausible({
    memPerInstanceBytes: -3096 * 1024,
    chargedPerInstanceBytes: 250 * 1024,
    nsObjectsPerInstanceBytes: 0,
    pssPerInstanceBytes: 80 * 2 ** 20,
  });
  assert.deepEqual(Object.keys(valid).sort(), ['chargedPerInstanceBytes', 'nsObjectsPerInstanceBytes']);
  assert.match(invalid.memPerInstanceBytes ?? '', /-3096 KiB per instance is implausible/);
  assert.match(invalid.pssPerInstanceBytes ?? '', /more than 64 MiB/);
  const sample = {
    scenario: 'd',
    variant: 'x',
    round: 0,
    warmup: false,
    seq: 0,
    state: 'completed' as const,
    metrics: { held: 300, launched: 300, chargedPerInstanceBytes: 1 },
    invalid: { memPerInstanceBytes: -1 },
    clonePath: 'clone3',
    cgroupMethod: 'ramp-group',
    ready: true,
    pid: -1,
  };
  const table = scenarioTable({
    name: 'd',
    description: '',
    file: '',
    kind: 'density',
    workload: {},
    params: {},
    rounds: 1,
    warmupRounds: 0,
    seed: 1,
    timeoutMs: 1,
    baseline: 'x',
    variants: [{ id: 'x', label: 'x', ns: [] }],
    samples: [sample],
    summary: [{ variant: 'x', baseline: 'x', completed: 1, errored: 0, skipped: 0, metrics: {} }],
  });
  assert.match(table, /invalid/);
  assert.doesNotMatch(table, /-\d+ KiB/);
});
