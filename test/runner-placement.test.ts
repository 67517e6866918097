// Placement, a recorded condition of launch scenarios: each one (one-cpu, spread, free) is recorded on the scenario
// and on every sample, and honoured — the sandbox's own processes see the CPUs they were given (nproc: the CPUs in
// their affinity mask) and run on one of them (the processor field of /proc/self/stat).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Placement } from '../src/results/index.ts';
import { allowedCpus, runBenchmark } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const cpus = needsRootAndBuild ? [] : allowedCpus();
const skip = needsRootAndBuild || (cpus.length < 2 ? `one CPU here (${cpus.join(',')}): nothing to place` : false);

/** A workload that says where it runs: how many CPUs it may use, and the one it ran on. */
const WHERE = ['/bin/sh', '-c', 'c=$(cut -d" " -f39 /proc/self/stat); echo "{\\"nproc\\": $(nproc), \\"cpu\\": $c}"'];

async function runPlaced(placement: Placement | undefined, workload: object = { command: WHERE }) {
  const sc = validateScenario(
    {
      name: 'placed',
      description: 'where the sandboxes run',
      workload,
      variants: [
        { id: 'bare', ns: [] },
        { id: 'uts', ns: ['uts'] },
      ],
      rounds: 3,
      warmup: 0,
    },
    'test/placed.ts',
  );
  const { run } = await runBenchmark({
    scenarios: [sc],
    defaultRounds: 3,
    defaultWarmup: 0,
    defaultTimeoutMs: 10_000,
    outDir: tempDir(),
    ...(placement ? { placement } : {}),
  });
  const r = run.scenarios[0];
  assert.ok(r);
  return r;
}

describe('placement of launch scenarios', { skip }, () => {
  const harness = cpus.at(-1) as number;
  for (const [placement, expect] of [
    ['one-cpu', { sandboxes: [cpus[0] as number] }],
    ['spread', { sandboxes: cpus.filter((c) => c !== harness) }],
    ['free', { sandboxes: cpus }],
  ] as const) {
    test(`${placement}: recorded on the scenario and every sample, and honoured`, async () => {
      const r = await runPlaced(placement);
      assert.equal(r.placement, placement);
      if (placement === 'free') assert.equal(r.cpus, undefined, 'no split: everything shares every CPU');
      else assert.deepEqual(r.cpus, { harness: [harness], sandboxes: expect.sandboxes });
      const done = r.samples.filter((s) => s.state === 'completed');
      assert.equal(done.length, 6, JSON.stringify(r.samples.map((s) => s.state === 'errored' && s.reason)));
      for (const s of done) {
        assert.equal(s.conditions?.placement, placement, `sample ${s.seq} records its placement`);
        assert.equal(s.metrics['workload.nproc'], expect.sandboxes.length, `sample ${s.seq}: the CPUs it may use`);
        assert.ok(
          expect.sandboxes.includes(s.metrics['workload.cpu'] as number),
          `sample ${s.seq} ran on cpu${s.metrics['workload.cpu']}, one of ${expect.sandboxes}`,
        );
      }
    });
  }

  test("the default: one CPU for nsbench's own single-process workloads, free for any other program", async () => {
    const own = await runPlaced(undefined, { builtin: 'noop' });
    assert.equal(own.placement, 'one-cpu');
    assert.deepEqual(own.cpus, { harness: [harness], sandboxes: [cpus[0]] });
    const program = await runPlaced(undefined);
    assert.equal(program.placement, 'free');
    assert.ok(program.samples.every((s) => s.state !== 'completed' || s.metrics['workload.nproc'] === cpus.length));
  });
});
