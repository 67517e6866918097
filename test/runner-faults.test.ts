// Faults are contained and recorded, and the run goes on: a workload that
// crashes, aborts, hangs, is OOM-killed, hits pids.max, fills its disk or
// exits non-zero becomes an errored sample with its cause; the other
// variants complete in every round; nothing is left behind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CgroupManager } from '../src/cgroup/index.ts';
import { findLeftovers } from '../src/cleanup/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { leftovers } from './helpers/cgroup.ts';
import { needsRootAndBuild, processTable, tempDir } from './helpers/env.ts';

describe('faults', { skip: needsRootAndBuild }, () => {
  test('each injected fault is an errored sample with its cause; the run goes on; no leak', async () => {
    const fault = (...args: string[]) => ({ builtin: 'fault', args });
    const sc = validateScenario(
      {
        name: 'faults',
        description: 'x',
        workload: { builtin: 'noop' },
        timeoutMs: 1500,
        variants: [
          { id: 'bare', ns: [] },
          { id: 'segv', ns: ['pid'], workload: fault('segv') },
          { id: 'abort', ns: ['uts'], workload: fault('abort') }, // not as pid 1: init ignores SIGABRT, and glibc's abort() ends in SIGSEGV
          { id: 'hang', ns: ['pid'], workload: fault('hang') },
          { id: 'exit', ns: ['pid'], workload: fault('exit', '3') },
          {
            id: 'oom',
            ns: ['pid'],
            workload: { builtin: 'hog', args: ['mem', '256M'] },
            cgroup: { memory: { max: '32M' } },
          },
          { id: 'pids', ns: ['pid'], workload: fault('forkfail'), cgroup: { pids: { max: 16 } } },
          { id: 'enospc', ns: ['pid', 'mnt'], workload: fault('enospc', '1M') },
          { id: 'all', ns: ['user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup', 'time'] },
        ],
      },
      'test/faults.ts',
    );
    const cgroups = new CgroupManager(`test-faults-${process.pid}`);
    const { run } = await runBenchmark({
      scenarios: [sc],
      rounds: 2,
      warmup: 0,
      defaultRounds: 2,
      defaultWarmup: 0,
      defaultTimeoutMs: 1500,
      outDir: tempDir(),
      seed: 11,
      cgroups,
    });
    const r = run.scenarios[0];
    assert.ok(r);
    const causes = (id: string) =>
      r.samples
        .filter((s) => s.variant === id)
        .map((s) => (s.state === 'errored' ? `${s.cause}: ${s.reason}` : s.state));
    const expect: Record<string, RegExp> = {
      segv: /^signaled: workload killed by SIGSEGV$/,
      abort: /^signaled: workload killed by SIGABRT$/,
      hang: /^timeout: still running after 1500 ms: killed \(timeout\)$/,
      exit: /^exit-code: workload exited with code 3: fault: exiting with 3 on purpose$/,
      oom: /^oom-killed: workload OOM-killed in its cgroup/,
      pids: /^pids-max: workload hit its cgroup's pids.max \(\d+ forks refused, exit code 1\): fault: fork 16: Resource temporarily unavailable$/,
      enospc:
        /^enospc: workload ran out of disk space \(exit code 1\): fault: write \/mnt\/fill: No space left on device$/,
    };
    for (const [id, re] of Object.entries(expect)) {
      const got = causes(id);
      assert.equal(got.length, 2, id);
      for (const c of got) assert.match(c, re, id);
    }
    assert.deepEqual(causes('bare'), ['completed', 'completed'], 'the run went on');
    assert.deepEqual(causes('all'), ['completed', 'completed']);
    assert.equal(run.status, 'complete');
    assert.deepEqual(
      processTable().filter((p) => p.state !== 'Z' && (p.comm === 'fault' || p.comm === 'hog')),
      [],
      'no workload process left',
    );
    assert.deepEqual(leftovers(cgroups.runName), []);
    assert.equal(run.environment.leaks, undefined, 'the leak check found nothing');
    assert.deepEqual(findLeftovers(), []);
  });

  test('the launcher process killed mid-run is detected, restarted once, and reported; the run completes', async () => {
    const sc = validateScenario(
      {
        name: 'l',
        description: 'x',
        workload: { builtin: 'sieve', args: ['200000'] },
        variants: [
          { id: 'bare', ns: [] },
          { id: 'pid', ns: ['pid'] },
        ],
      },
      'test/l.ts',
    );
    const killer = setTimeout(() => {
      for (const p of processTable())
        if (p.comm === 'nsb-launcher' && p.ppid === process.pid) process.kill(p.pid, 'SIGKILL');
    }, 400);
    const { run } = await runBenchmark({
      scenarios: [sc],
      rounds: 150,
      warmup: 0,
      defaultRounds: 150,
      defaultWarmup: 0,
      defaultTimeoutMs: 5000,
      outDir: tempDir(),
      seed: 5,
    });
    clearTimeout(killer);
    const samples = run.scenarios[0]?.samples ?? [];
    const died = samples.filter((s) => s.state === 'errored' && s.cause === 'launcher-died');
    assert.equal(died.length, 1, 'one sample records the launcher dying');
    const after = samples.slice(samples.indexOf(died[0] as (typeof samples)[number]) + 1);
    assert.ok(after.length > 0 && after.every((s) => s.state === 'completed'), 'the restarted launcher carried on');
    assert.equal(run.status, 'complete');
  });
});
