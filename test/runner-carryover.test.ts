// Carry-over: how much the previous launch shifts the next. Estimated from the
// random order on a launcher with a known carry-over (and without), then on
// real launches after a workload that leaves work behind for the next one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SandboxSpec } from '../src/launcher/index.ts';
import { carryOverWarnings } from '../src/results/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { carryOverEstimate, seededRandom } from '../src/stats/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';
import { ModelLauncher } from './helpers/fixed-launcher.ts';

test('the estimator: a predecessor that adds 300 µs is found with its sign; noise alone is not', () => {
  const rnd = seededRandom(4);
  const vs = ['a', 'b', 'c', 'd'];
  const values = [];
  let prev = 'a';
  for (let i = 0; i < 400; i++) {
    const v = vs[Math.floor(rnd() * vs.length)] as string;
    values.push({
      variant: v,
      prev,
      value: 1_000_000 + vs.indexOf(v) * 100_000 + (prev === 'c' ? 300_000 : 0) + rnd() * 50_000,
    });
    prev = v;
  }
  const est = carryOverEstimate(values);
  const c = est.predecessors.find((p) => p.prev === 'c');
  assert.ok(c?.ci && c.ci[0] > 200_000 && c.ci[1] < 400_000, `after c: ${c?.shift} [${c?.ci}]`);
  for (const p of est.predecessors.filter((x) => x.prev !== 'c'))
    assert.ok(p.shift < 0, `${p.prev}: the others are measured against medians that include c's successors`);
  assert.ok(est.cells.some((x) => x.prev === 'c' && x.variant === 'a' && x.shift > 200_000));
});

describe('carry-over through the runner (fixed timings)', () => {
  // the model tells the variants apart by their program: "slow-next" (/bin/false) leaves 400 µs of work for
  // whatever follows it; "pid" costs 150 µs more than bare
  const sc = validateScenario(
    {
      name: 'carry',
      description: 'x',
      workload: { command: ['/bin/true'] },
      variants: [
        { id: 'bare', ns: [] },
        { id: 'pid', ns: ['pid'] },
        { id: 'slow-next', ns: [], workload: { command: ['/bin/false'] } },
      ],
      rounds: 120,
      warmup: 1,
    },
    'test/carry.ts',
  );
  // 120 rounds: a third of every variant's samples follow slow-next, and the medians' CIs must still see pid's 150 µs
  const opts = { scenarios: [sc], defaultRounds: 120, defaultWarmup: 1, defaultTimeoutMs: 1000, seed: 8, euid: 0 };
  const noise = seededRandom(2);
  const cost = (spec: SandboxSpec) => 1_000_000 + (spec.ns.includes('pid') ? 150_000 : 0) + noise() * 20_000;

  test('a variant that slows the next launch is detected, with its sign, and warned about', async () => {
    const model = new ModelLauncher((spec, prev) => cost(spec) + (prev?.path === '/bin/false' ? 400_000 : 0));
    const { run } = await runBenchmark({ ...opts, outDir: tempDir(), startLauncher: () => model });
    const r = run.scenarios[0];
    const after = r?.carryOver?.predecessors.find((p) => p.prev === 'slow-next');
    assert.ok(after?.ci && after.ci[0] > 250_000, `the launch after slow-next: +${after?.shift} [${after?.ci}]`);
    const smallest = r?.carryOver?.smallestEffect;
    assert.ok(
      smallest && smallest.effect < 200_000,
      `the smallest effect the scenario reports is below the carry-over: ${JSON.stringify(smallest)}`,
    );
    assert.ok(
      r?.warnings?.some((w) => /^carry-over: a launch right after slow-next is \d+ µs slower/.test(w)),
      (r?.warnings ?? []).join('\n'),
    );
    assert.ok(
      r?.samples.every((s) => s.conditions && 'prev' in s.conditions),
      'every sample records what ran before it',
    );
  });

  test('without carry-over there is no warning, and every predecessor shift is small', async () => {
    const model = new ModelLauncher((spec) => cost(spec));
    const { run } = await runBenchmark({ ...opts, outDir: tempDir(), startLauncher: () => model });
    const r = run.scenarios[0];
    assert.deepEqual(carryOverWarnings(r?.carryOver ?? null), []);
    for (const p of r?.carryOver?.predecessors ?? []) assert.ok(Math.abs(p.shift) < 15_000, `${p.prev}: ${p.shift}`);
  });
});

describe('carry-over of real launches', { skip: needsRootAndBuild }, () => {
  test('a workload that leaves spinning processes behind slows the launch after it', async () => {
    // "leaver" forks two spinners per CPU that spin until 60 ms after it started; launches are 40 ms apart, so the
    // launch right after the leaver (40–50 ms in) shares the CPUs with them and the one after that (80 ms in) does
    // not, however fast the machine: the shift belongs to the predecessor alone (without the gap a noop launch takes
    // 2–3 ms here and the spinners smeared over the next ten launches, whichever came first)
    const sc = validateScenario(
      {
        name: 'carry-real',
        description: 'a workload that leaves work for the next one',
        workload: { builtin: 'noop' },
        variants: [
          { id: 'a', ns: [] },
          { id: 'b', ns: ['uts'] },
          { id: 'leaver', ns: [], workload: { builtin: 'hog', args: ['linger', '4', '60'] } },
        ],
        rounds: 48,
        warmup: 1,
        gapMs: 40,
      },
      'test/carry-real.ts',
    );
    const { run } = await runBenchmark({
      scenarios: [sc],
      defaultRounds: 48,
      defaultWarmup: 1,
      defaultTimeoutMs: 10_000,
      outDir: tempDir(),
      seed: 5,
      placement: 'free',
    });
    const r = run.scenarios[0];
    const after = r?.carryOver?.predecessors.find((p) => p.prev === 'leaver');
    const t = r?.carryOver?.test;
    const leaver = t?.predecessors.find((p) => p.prev === 'leaver');
    assert.ok(
      after && after.shift > 0,
      `the launch after the leaver is slower: +${after?.shift} [${after?.ci}], overall p ${t?.p}, Holm p ${leaver?.pHolm}`,
    );
    // beside outside load the spinners share the CPUs with it too, and the shift after the leaver scatters: its CI
    // is held to exclude 0 only where nothing but the leaver's own spinners competed
    const outside = (r?.load ?? []).some((l) => l.foreignTop.some((p) => p.comm !== 'hog' && p.cpu > 0.05));
    if (!outside) assert.ok(after?.ci && after.ci[0] > 0, `no outside load: the CI excludes no shift: [${after?.ci}]`);
    for (const p of r?.carryOver?.predecessors.filter((x) => x.prev !== 'leaver') ?? [])
      assert.ok(p.shift < (after?.shift ?? 0) / 2, `${p.prev}: ${p.shift} — far less than after the leaver`);
  });
});
