import type { ResultFiles, RunResults } from '../results/index.ts';
import { lastRunCosts, RunEstimate, scenarioEstimate } from './eta.ts';
import { type RunOptions, RunState } from './lifecycle.ts';
import { planScenarios, type ScenarioPlan } from './plan.ts';
import { runScenario } from './rounds.ts';

export type { RunOptions };

export interface RunOutcome {
  run: RunResults;
  files: ResultFiles;
  interrupted: boolean;
}

/**
 * Runs scenarios: every round runs each variant once, in a freshly shuffled
 * order (seeded, recorded); warm-up rounds come first and are flagged; every
 * sample is appended to disk as it arrives, with the conditions it was taken
 * under (pace, gap, predecessor, quiesce wait, competing load); results are
 * summarized per variant against its baseline. What a sample is depends on
 * the scenario's kind (procedures/); how launches follow each other, on its
 * pacing; what each scenario runs with, on the plan (plan.ts); the run's
 * lifecycle — owner record, leftovers, resume, cleanup, leaks — is lifecycle.ts.
 */
export async function runBenchmark(opts: RunOptions): Promise<RunOutcome> {
  const state = new RunState(opts);
  const plans = opts.plans ?? planScenarios(opts);
  announce(state, plans);
  let completed = false;
  try {
    for (const [index, plan] of plans.entries()) {
      await runScenario(state, plan, index);
      if (state.interrupted) break;
    }
    completed = true;
  } finally {
    await state.close(completed);
  }
  const run = state.finish();
  return { run, files: state.writer.files, interrupted: state.interrupted };
}

/** The run's estimate (from the last run on this host, or the kind) and its size, to the progress sink. */
function announce(state: RunState, plans: readonly ScenarioPlan[]): void {
  const costs = lastRunCosts(
    state.opts.outDir,
    plans.map((p) => p.sc.name),
  );
  state.progress.plan?.(
    new RunEstimate(
      plans.map((p) =>
        scenarioEstimate(
          {
            name: p.sc.name,
            kind: p.sc.kind,
            variants: p.variants.map((v) => ({ id: v.id, workload: v.workload ?? p.sc.workload })),
            perVariant: p.pacing.burst + 1,
            warmup: p.warmup,
            rounds: p.rounds,
            adaptive: p.adaptive,
          },
          costs.get(p.sc.name),
        ),
      ),
    ),
  );
  state.progress.start(plans.reduce((n, p) => n + (p.rounds + p.warmup) * p.variants.length * (p.pacing.burst + 1), 0));
}
