// A scenario run for real through the runner, with fixed rounds (no adaptive sampling), in a fresh results folder.
import assert from 'node:assert/strict';
import type { RunResults, ScenarioResult } from '../../src/results/index.ts';
import { type RunOptions, runBenchmark } from '../../src/runner/index.ts';
import type { Scenario } from '../../src/scenario/index.ts';
import { tempDir } from './env.ts';

/**
 * Runs `sc` alone for `rounds` measured rounds after `warmup` (default 0), each launch killed after `timeoutMs`
 * (default 10 s); `extra` passes any other run option (a seed, --create, a cgroup manager). Its results record is
 * asserted present.
 */
export async function runFixed(
  sc: Scenario,
  o: { rounds: number; warmup?: number; timeoutMs?: number } & Partial<Omit<RunOptions, 'scenarios'>>,
): Promise<{ run: RunResults; r: ScenarioResult }> {
  const { rounds, warmup = 0, timeoutMs = 10_000, ...extra } = o;
  const { run } = await runBenchmark({
    scenarios: [sc],
    rounds,
    warmup,
    defaultRounds: rounds,
    defaultWarmup: warmup,
    defaultTimeoutMs: timeoutMs,
    outDir: tempDir(),
    ...extra,
  });
  const r = run.scenarios[0];
  assert.ok(r, `the results hold scenario ${sc.name}`);
  return { run, r };
}
