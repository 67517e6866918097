// Adaptive sampling and profiles: rounds until the headline metric's CI is
// within the target for every variant, or the budget, or maxRounds; why it
// stopped and the precision reached are recorded. With launchers of fixed,
// seeded timings (no root needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NativeResult } from '../native/nsb.d.ts';
import { resolveProfile, validateConfig } from '../src/config/index.ts';
import type { SandboxSpec } from '../src/launcher/index.ts';
import { type Sample, variantPrecision } from '../src/results/index.ts';
import { type AdaptiveState, type Launchable, pilotRounds, runBenchmark, stopAfterRound } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { seededRandom } from '../src/stats/index.ts';
import { tempDir } from './helpers/env.ts';
import { fixedResult, runInTurn } from './helpers/fixed-launcher.ts';

/** Boot 1 ms ± noise (lognormal, sd `cv` of logs, per namespace set); `delayMs` of real time per launch. */
class NoisyLauncher implements Launchable {
  readonly #rnd = seededRandom(5);
  launches = 0;
  constructor(
    private readonly cv: Record<string, number>,
    private readonly delayMs = 0,
  ) {}
  async run(spec: SandboxSpec): Promise<NativeResult> {
    this.launches++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const z = Math.sqrt(-2 * Math.log(1 - this.#rnd())) * Math.cos(2 * Math.PI * this.#rnd());
    return fixedResult(Math.round(1_000_000 * Math.exp((this.cv[spec.ns.join('+') || 'bare'] ?? 0.01) * z)));
  }
  async runMany(spec: SandboxSpec, count: number): Promise<NativeResult[]> {
    return runInTurn(this, spec, count);
  }
  close() {}
}

const scenario = validateScenario(
  { name: 'adaptive', description: 'x', workload: { command: ['/bin/true'] }, variants: [{ ns: [] }, { ns: ['pid'] }] },
  'test/adaptive.ts',
);
const base = { defaultRounds: 10, defaultWarmup: 0, defaultTimeoutMs: 1000, seed: 3, euid: 0 };

test('precision: the distribution-free CI of the median from 6 values, a t interval of the mean below', () => {
  const s = (v: number, i: number): Sample =>
    ({
      scenario: 'x',
      variant: 'a',
      round: i,
      warmup: false,
      seq: i,
      state: 'completed',
      metrics: { bootNs: v },
      clonePath: 'clone3',
      cgroupMethod: 'none',
      ready: true,
      pid: 1,
    }) as Sample;
  const tight = variantPrecision([100, 101, 99, 100, 100, 101, 99, 100].map(s), 'a', 'bootNs');
  assert.equal(tight.method, 'median-ci');
  assert.ok(tight.halfWidthPct !== null && tight.halfWidthPct <= 1, `${tight.halfWidthPct}`);
  const few = variantPrecision([100, 110, 90].map(s), 'a', 'bootNs');
  assert.equal(few.method, 'mean-t');
  assert.ok(few.halfWidthPct !== null && few.halfWidthPct > 10, 'three spread values: a wide t interval');
  assert.equal(variantPrecision([s(1, 0)], 'a', 'bootNs').halfWidthPct, null);
});

test('stopAfterRound: a pilot of at least 10 rounds fixes the rounds once; budget before one more round would pass it; maxRounds', () => {
  const a = { precisionPct: 2, minRounds: 3, maxRounds: 100, budgetMs: 1000 };
  const mk = (n: number, f: (i: number) => number, variant = 'a') =>
    Array.from(
      { length: n },
      (_, i) =>
        ({
          scenario: 'x',
          variant,
          round: i,
          warmup: false,
          seq: i,
          state: 'completed',
          metrics: { bootNs: f(i) },
          clonePath: 'clone3',
          cgroupMethod: 'none',
          ready: true,
          pid: 1,
        }) as Sample,
    );
  const tight = mk(10, (i) => 100 + (i % 2));
  const fresh = (): AdaptiveState => ({ targetRounds: null });
  // minRounds 3 is raised to the pilot of 10: no look before it, however precise the first rounds are
  for (let r = 1; r < 10; r++)
    assert.equal(stopAfterRound(a, fresh(), r, 0, 10, tight.slice(0, r), ['a'], 'bootNs'), null, `round ${r}`);
  const s1 = fresh();
  assert.equal(
    stopAfterRound(a, s1, 10, 0, 10, tight, ['a', 'skipped-one'], 'bootNs'),
    'precision',
    'precise at the pilot: stop there (a variant with no sample does not hold it back)',
  );
  assert.equal(s1.targetRounds, 10);
  // wide at the pilot: the rounds are fixed from its width, then no more looks until they are run
  const wide = mk(10, (i) => 100 + 10 * (i % 3));
  const s2 = fresh();
  assert.equal(stopAfterRound({ ...a, budgetMs: null }, s2, 10, 0, 10, wide, ['a'], 'bootNs'), null);
  assert.ok(s2.targetRounds !== null && s2.targetRounds > 10 && s2.targetRounds <= 100, `target ${s2.targetRounds}`);
  const target = s2.targetRounds as number;
  const wider = mk(target, (i) => 100 + 10 * (i % 3));
  assert.equal(
    stopAfterRound({ ...a, budgetMs: null }, s2, target - 1, 0, 10, wider, ['a'], 'bootNs'),
    null,
    'no look before the target',
  );
  assert.equal(
    stopAfterRound({ ...a, budgetMs: null }, s2, target, 0, 10, wider, ['a'], 'bootNs'),
    target >= 100 ? 'max-rounds' : 'precision',
  );
  assert.equal(stopAfterRound(a, fresh(), 10, 950, 100, wide, ['a'], 'bootNs'), 'budget');
  assert.equal(stopAfterRound({ ...a, budgetMs: null }, fresh(), 100, 1e9, 100, wide, ['a'], 'bootNs'), 'max-rounds');
  // a pilot capped by maxRounds
  assert.equal(pilotRounds({ ...a, maxRounds: 3 }), 3);
});

test('a quiet scenario stops at its precision; a noisy one at maxRounds; both record why and what they reached', async () => {
  const quiet = await runBenchmark({
    ...base,
    scenarios: [scenario],
    outDir: tempDir('nsb-adaptive-'),
    startLauncher: () => new NoisyLauncher({ bare: 0.005, pid: 0.005 }),
    sampling: { adaptive: { adaptive: { precisionPct: 2, minRounds: 6, maxRounds: 200, budgetMs: null } } },
  });
  const q = quiet.run.scenarios[0];
  assert.equal(q?.sampling?.stoppedBy, 'precision');
  assert.equal(
    q?.sampling?.rounds,
    10,
    'a 0.5% spread reaches 2% at the pilot (minRounds 6 is raised to the pilot of 10)',
  );
  assert.equal(q?.rounds, 10);
  assert.equal(q?.sampling?.pilotRounds, 10);
  assert.equal(q?.sampling?.targetRounds, 10);
  assert.ok(q?.precision?.every((p) => p.halfWidthPct !== null && p.halfWidthPct <= 2));

  const noisy = await runBenchmark({
    ...base,
    scenarios: [scenario],
    outDir: tempDir('nsb-adaptive-'),
    startLauncher: () => new NoisyLauncher({ bare: 0.005, pid: 0.4 }),
    sampling: { adaptive: { adaptive: { precisionPct: 2, minRounds: 6, maxRounds: 30, budgetMs: null } } },
  });
  const n = noisy.run.scenarios[0];
  assert.equal(n?.sampling?.stoppedBy, 'max-rounds', 'one noisy variant keeps the scenario going');
  assert.equal(n?.samples.filter((s) => !s.warmup).length, 60, 'every round still ran every variant');
  const pid = n?.precision?.find((p) => p.variant === 'pid');
  assert.ok(
    pid && pid.halfWidthPct !== null && pid.halfWidthPct > 2,
    `the precision reached is reported honestly: ${pid?.halfWidthPct}`,
  );
});

test('a budget stops the rounds before one more would pass it; --rounds turns adaptive sampling off', async () => {
  const slow = await runBenchmark({
    ...base,
    scenarios: [scenario],
    outDir: tempDir('nsb-adaptive-'),
    startLauncher: () => new NoisyLauncher({ bare: 0.3, pid: 0.3 }, 25),
    sampling: { adaptive: { adaptive: { precisionPct: 0.1, minRounds: 2, maxRounds: 1000, budgetMs: 600 } } },
  });
  const s = slow.run.scenarios[0];
  assert.equal(s?.sampling?.stoppedBy, 'budget');
  assert.ok((s?.sampling?.wallS ?? 99) <= 0.6 + 0.1, `stopped within the budget: ${s?.sampling?.wallS} s`);
  assert.ok(
    (s?.sampling?.rounds ?? 0) >= 2 && (s?.sampling?.rounds ?? 99) < 14,
    `${s?.sampling?.rounds} rounds of ~50 ms in 600 ms`,
  );

  const fixed = await runBenchmark({
    ...base,
    rounds: 4,
    scenarios: [scenario],
    outDir: tempDir('nsb-adaptive-'),
    startLauncher: () => new NoisyLauncher({}),
    sampling: { adaptive: { adaptive: { precisionPct: 2, minRounds: 1, maxRounds: 100, budgetMs: null } } },
  });
  assert.deepEqual(fixed.run.scenarios[0]?.sampling, {
    mode: 'fixed',
    stoppedBy: 'rounds',
    rounds: 4,
    wallS: fixed.run.scenarios[0]?.sampling?.wallS,
  });
});

test('profiles: the default one, an unknown name with the near miss, patterns that match no variant', () => {
  const cfg = validateConfig(
    {
      profile: 'quick',
      profiles: {
        quick: {
          description: 'q',
          scenarios: ['boot', { name: 'network', variants: ['stream/*'], adaptive: { budgetS: 10 } }],
          adaptive: { precisionPct: 2 },
        },
      },
    },
    'bench.config.ts',
  );
  const p = resolveProfile(cfg);
  assert.equal(p?.name, 'quick');
  assert.deepEqual(
    p?.scenarios.map((s) => s.name),
    ['boot', 'network'],
  );
  assert.throws(
    () => resolveProfile(cfg, 'quik'),
    /--profile quik: no profile "quik" \(did you mean "quick"\? known: quick\)/,
  );
  assert.throws(
    () =>
      validateConfig(
        { profile: 'fast', profiles: { quick: { description: 'q', scenarios: ['boot'] } } },
        'bench.config.ts',
      ),
    /bench\.config\.ts: profile: no profile "fast"/,
  );
  assert.throws(
    () =>
      validateConfig(
        { profiles: { quick: { description: 'q', scenarios: ['boot'], adaptive: { precisionPct: 0 } } } },
        'bench.config.ts',
      ),
    /profiles\.quick\.adaptive\.precisionPct: expected a percentage > 0/,
  );
  assert.equal(resolveProfile(validateConfig({}, '(defaults)')), null, 'no profiles: the plain config');
});

test('the run estimate: priors by kind or the last run, a speed learnt from finished scenarios, the current scenario by its own pace and budget', async () => {
  const { RunEstimate, lastRunCosts } = await import('../src/runner/index.ts');
  const plan = [
    {
      name: 'a',
      kind: 'launch' as const,
      variants: 10,
      perRound: 10,
      warmup: 0,
      maxRounds: 10,
      minRounds: 10,
      budgetS: null,
      secondsPerSample: 0.01,
      basis: 'kind' as const,
    },
    {
      name: 'b',
      kind: 'launch' as const,
      variants: 10,
      perRound: 10,
      warmup: 0,
      maxRounds: 100,
      minRounds: 3,
      budgetS: 5,
      secondsPerSample: 0.01,
      basis: 'kind' as const,
    },
  ];
  const e = new RunEstimate(plan, 0);
  // before anything ran: a = 0.3 s setup + 100 × 0.01; b = its budget (100 rounds × 0.1 s > 5 s) → 0.3 + 47 rounds ×
  // 0.1
  assert.ok(Math.abs(e.total(0) - (1.3 + 0.3 + 4.7)) < 0.01, `${e.total(0)}`);
  e.scenario(0, 0);
  for (let i = 0; i < 100; i++) e.sample();
  e.scenario(1, 2600); // a took 2.6 s where 1.3 were expected: this machine is twice as slow
  assert.ok(Math.abs(e.speed() - 2) < 0.01, `${e.speed()}`);
  assert.ok(
    e.total(2600) <= 2.6 + 5 + 0.01 && e.total(2600) >= 2.6 + 4,
    `the budget bounds the rest: ${e.total(2600)}`,
  );
  for (let i = 0; i < 30; i++) e.sample();
  // its own pace: 0.05 s a sample, 0.5 s a round; the rounds that fit the budget (after 0.3 s setup): 9, so 60 samples
  // are left
  assert.ok(Math.abs(e.currentLeft(2600 + 1500) - 3) < 0.01, `${e.currentLeft(2600 + 1500)}`);
  assert.equal(e.currentPlanned(2600 + 1500), 90);
  assert.equal(lastRunCosts('/nonexistent').size, 0);
});

test("a profile's plan of a scenario: variants by pattern, rounds scaled, network tests lengthened, a pattern matching nothing refused", async () => {
  const { profileSampling: profilePlan } = await import('../src/runner/index.ts');
  const { loadConfig } = await import('../src/config/index.ts');
  const { loadScenario } = await import('../src/scenario/index.ts');
  const config = await loadConfig();
  const network = await loadScenario('network');
  const thorough = resolveProfile(config, 'thorough');
  assert.ok(thorough);
  const t = profilePlan(thorough, network, config, false);
  const by = new Map(t.sc.variants.map((v) => [v.id, v]));
  const orig = new Map(network.variants.map((v) => [v.id, v]));
  assert.equal(by.get('stream/veth/bare')?.net?.seconds, (orig.get('stream/veth/bare')?.net?.seconds ?? 0) * 3);
  assert.equal(by.get('rr/veth/bare')?.net?.count, (orig.get('rr/veth/bare')?.net?.count ?? 0) * 3);
  assert.ok(Number.isInteger(by.get('iperf3/veth/bare')?.net?.seconds), 'iperf3 keeps whole seconds');
  assert.equal(t.sampling.rounds, (network.rounds ?? 0) * 2);
  assert.equal(t.sampling.adaptive?.precisionPct, 1);
  const quick = resolveProfile(config, 'quick');
  assert.ok(quick);
  const q = profilePlan(quick, network, config, false);
  assert.ok(
    q.sc.variants.length < network.variants.length &&
      q.sc.variants.every((v) => /host-loopback\/bare|veth\/bare|veth\/user\+|bridge\/bare/.test(v.id)),
    q.sc.variants.map((v) => v.id).join(' '),
  );
  assert.equal(
    q.sc.variants.find((v) => v.id === 'stream/veth/bare')?.net?.seconds,
    orig.get('stream/veth/bare')?.net?.seconds,
    'quick keeps the lengths',
  );
  const bad = { ...quick, scenarios: [{ name: 'network', variants: ['stream/vet/*'] }] };
  assert.throws(
    () => profilePlan(bad, network, config, false),
    /profile quick: network: no variant matches "stream\/vet\/\*"/,
  );
});
