// Each rule that turns samples into a warning or a stop, on seeded data with known truth (the failing inputs of
// the statistics review, and A/A and power with wide margins): a change that breaks calibration fails here.
// npm run perf:stats prints the full table with 1 000 trials per case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  directionOf,
  finalizeScenario,
  type Sample,
  type ScenarioResult,
  scenarioWarnings,
} from '../src/results/index.ts';
import { type AdaptiveState, stopAfterRound } from '../src/runner/index.ts';
import { medianCI, seededRandom, shuffled, spearmanRho } from '../src/stats/index.ts';

const gauss = (rnd: () => number) => () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const sample = (variant: string, round: number, v: number, prev?: string): Sample =>
  ({
    scenario: 's',
    variant,
    round,
    warmup: false,
    seq: round,
    ...(prev ? { conditions: { pace: 'interleaved', prev } } : {}),
    state: 'completed',
    metrics: { bootNs: v },
    clonePath: 'clone3',
    cgroupMethod: 'none',
    ready: true,
    pid: 1,
  }) as Sample;

/** A launch scenario of k variants in a fresh random order each round, finalized as the runner does. */
function scenario(
  rnd: () => number,
  o: { variants: number; rounds: number; sd: number; carryAfter?: { variant: number; shift: number } },
): ScenarioResult {
  const z = gauss(rnd);
  const ids = Array.from({ length: o.variants }, (_, i) => (i === 0 ? 'bare' : `v${i}`));
  const samples: Sample[] = [];
  let prev = ids.at(-1) as string;
  for (let round = 0; round < o.rounds; round++)
    for (const id of shuffled(ids, rnd)) {
      const after = o.carryAfter && prev === ids[o.carryAfter.variant] ? 1 + o.carryAfter.shift : 1;
      samples.push(sample(id, round, 1e6 * (1 + ids.indexOf(id) / 20) * after * Math.exp(o.sd * z()), prev));
      prev = id;
    }
  const sc = {
    name: 's',
    description: '',
    file: '',
    kind: 'launch',
    workload: {},
    params: {},
    rounds: o.rounds,
    warmupRounds: 0,
    seed: 1,
    timeoutMs: 0,
    baseline: 'bare',
    variants: ids.map((id) => ({ id, label: id, ns: [], baseline: 'bare' })),
    samples,
    summary: [],
  } as unknown as ScenarioResult;
  finalizeScenario(sc, {});
  return sc;
}

test('carry-over: A/A scenarios (12 variants × 20 rounds) rarely warn; +15% after one predecessor is found', () => {
  const rnd = seededRandom(11);
  let aa = 0;
  const T = 40;
  for (let t = 0; t < T; t++)
    if (scenario(rnd, { variants: 12, rounds: 20, sd: 0.1 }).warnings?.some((w) => w.startsWith('carry-over'))) aa++;
  assert.ok(aa <= 4, `${aa} of ${T} A/A scenarios warned (the old rule: 27–40%)`);
  let found = 0;
  for (let t = 0; t < 20; t++) {
    const sc = scenario(rnd, { variants: 12, rounds: 20, sd: 0.03, carryAfter: { variant: 4, shift: 0.15 } });
    const w = sc.warnings?.find((x) => x.startsWith('carry-over'));
    if (w && /right after v4 is/.test(w)) found++;
    if (w)
      assert.match(
        w,
        /one permutation test over all predecessors: p [=<] [\d.]+\); the order shifts the reported ratios \S+\/bare by [+-]\d/,
        'the warning is about the bias the realized order puts into the ratios',
      );
  }
  assert.ok(found >= 16, `found in ${found} of 20`);
});

test('drift: the failing input of the old rule (|ρ| > 0.5 by chance in 10 rounds) does not warn; a real 10% drift does', () => {
  const rnd = seededRandom(3);
  const z = gauss(rnd);
  // find drift-free baselines whose Spearman ρ with the round is beyond 0.5 (the old rule warned on each)
  let chance = 0;
  let warned = 0;
  for (let t = 0; t < 400 && chance < 20; t++) {
    const xs = Array.from({ length: 10 }, () => 1e6 * Math.exp(0.03 * z()));
    if (
      Math.abs(
        spearmanRho(
          xs.map((_, i) => i),
          xs,
        ),
      ) <= 0.5
    )
      continue;
    chance++;
    const samples = xs.map((v, i) => sample('bare', i, v));
    if (scenarioWarnings(samples, [], 'bare', 'bootNs', {}, 10).some((w) => /drifts/.test(w))) warned++;
  }
  assert.ok(chance >= 10, 'enough chance correlations to judge');
  assert.ok(warned <= 1, `${warned} of ${chance} chance correlations warned`);
  const drifting = Array.from({ length: 10 }, (_, i) =>
    sample('bare', i, 1e6 * (1 + 0.02 * i) * Math.exp(0.005 * z())),
  );
  const w = scenarioWarnings(drifting, [], 'bare', 'bootNs', {}, 10).find((x) => /drifts/.test(x));
  assert.match(
    w ?? '',
    /drifts with round index \(\+1[6-9]\.\d% over the run by the Theil–Sen slope; Spearman ρ = 1\.00, permutation p < 0\.001\)/,
  );
});

test('adaptive sampling keeps its CI: a bimodal variable (modes 10% apart) is covered ≥ 90% of the time (sequential looks: 67%)', () => {
  const rnd = seededRandom(5);
  const z = gauss(rnd);
  let covered = 0;
  const T = 150;
  let shortest = Infinity;
  for (let t = 0; t < T; t++) {
    const samples: Sample[] = [];
    const state: AdaptiveState = { targetRounds: null };
    const a = { precisionPct: 2, minRounds: 3, maxRounds: 400, budgetMs: null };
    for (let r = 0; ; r++) {
      samples.push(sample('a', r, (rnd() < 0.5 ? 1e6 : 1.1e6) * (1 + 0.01 * z())));
      if (stopAfterRound(a, state, r + 1, 0, 0, samples, ['a'], 'bootNs')) {
        shortest = Math.min(shortest, r + 1);
        break;
      }
    }
    const ci = medianCI(samples.map((s) => (s.state === 'completed' ? (s.metrics.bootNs as number) : 0)));
    if (ci && ci[0] <= 1.05e6 && 1.05e6 <= ci[1]) covered++;
  }
  assert.ok(covered / T >= 0.9, `covered in ${covered} of ${T}`);
  assert.ok(shortest >= 10, `never below the pilot of 10 rounds (shortest ${shortest})`);
});

test('the direction word: "slower"/"faster" on at most ~6% of A/A rows; a +5% shift at σ 3% in 10 rounds is called slower in most runs', () => {
  const rnd = seededRandom(77);
  const z = gauss(rnd);
  const rate = (step: number, trials: number) => {
    let worded = 0;
    for (let t = 0; t < trials; t++) {
      const samples: Sample[] = [];
      for (let round = 0; round < 10; round++)
        for (const [i, id] of ['bare', 'v1'].entries())
          samples.push(sample(id, round, 1e6 * (1 + i * step) * Math.exp(0.03 * z())));
      const sc = {
        name: 's',
        description: '',
        file: '',
        kind: 'launch',
        workload: {},
        params: {},
        rounds: 10,
        warmupRounds: 0,
        seed: 1,
        timeoutMs: 0,
        baseline: 'bare',
        variants: ['bare', 'v1'].map((id) => ({ id, label: id, ns: [], baseline: 'bare' })),
        samples,
        summary: [],
      } as unknown as ScenarioResult;
      finalizeScenario(sc, {});
      const d = directionOf(sc.summary.find((v) => v.variant === 'v1')?.metrics.bootNs, 'bootNs');
      if (d === 'slower' || d === 'faster') worded++;
    }
    return worded / trials;
  };
  const aa = rate(0, 200);
  assert.ok(aa <= 0.08, `A/A rows with a direction word: ${(aa * 100).toFixed(1)}%`);
  const power = rate(0.05, 100);
  assert.ok(power >= 0.65, `+5% called slower: ${(power * 100).toFixed(0)}%`);
});
