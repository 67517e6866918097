// One scenario of a run: its kernel tracing, CPU placement, results record and procedure set up; its rounds — every
// variant once per round in a freshly shuffled order (seeded, recorded), warm-up first, a round disturbed by
// competing load run again where asked, adaptive sampling stopping it — and everything put away again, whatever
// happened. What a sample is belongs to the procedure of the scenario's kind.
import { UserError } from '../errors/index.ts';
import { namespaceObjects, registry } from '../host/index.ts';
import {
  applyLate,
  type CreateMethod,
  finalizeScenario,
  headlineOf,
  type LateUpdate,
  loadPerCoreAtStart,
  type Placement,
  type RoundLoad,
  recordVariant,
  type Sample,
  type ScenarioKind,
  type ScenarioResult,
} from '../results/index.ts';
import type { ResolvedVariant } from '../scenario/index.ts';
import { seededRandom, shuffled } from '../stats/index.ts';
import { backlogNote } from './backlog.ts';
import { applySplit, type CpuSplit, placementFor } from './cpus.ts';
import { KernelTrace } from './kernel-trace.ts';
import { KernelWatch } from './kernel-work.ts';
import type { RunState } from './lifecycle.ts';
import { LoadWatch } from './load-watch.ts';
import { ownPressure } from './own-load.ts';
import { Quiescer } from './pacing.ts';
import { type ScenarioPlan, scenarioCreate } from './plan.ts';
import { DensityProcedure } from './procedures/density.ts';
import { FreezeProcedure } from './procedures/freeze.ts';
import { InterferenceProcedure } from './procedures/interference.ts';
import { IsolationProcedure } from './procedures/isolation.ts';
import { LaunchProcedure } from './procedures/launch.ts';
import { NetworkProcedure } from './procedures/network.ts';
import {
  asHolder,
  type ContextOf,
  creating,
  type Launchable,
  type Procedure,
  type ProcedureContext,
  type ProcedureOf,
  type SampleBase,
} from './procedures/procedure.ts';
import { ScalingProcedure } from './procedures/scaling.ts';
import { type AdaptiveState, pilotRounds, type StopReason, stopAfterRound } from './sampling.ts';

const PROCEDURES: { [K in ScenarioKind]: (ctx: ContextOf<K>) => ProcedureOf<K> } = {
  launch: (ctx) => new LaunchProcedure(ctx),
  freeze: (ctx) => new FreezeProcedure(ctx),
  network: (ctx) => new NetworkProcedure(ctx),
  density: (ctx) => new DensityProcedure(ctx),
  isolation: (ctx) => new IsolationProcedure(ctx),
  interference: (ctx) => new InterferenceProcedure(ctx),
  scaling: (ctx) => new ScalingProcedure(ctx),
};

/** The procedure of the scenario's kind (the one place the kind picks the variants' type). */
function procedureFor(ctx: ProcedureContext): Procedure {
  return (PROCEDURES[ctx.scenario.kind] as (c: ProcedureContext) => Procedure)(ctx);
}

/** The order of a round's attempt: from its own seed, so a retried round does not shift every later round's order. */
function roundOrder<T>(items: readonly T[], scenarioSeed: number, round: number, attempt: number): T[] {
  return shuffled(
    items,
    seededRandom((scenarioSeed + Math.imul(round + 1, 0x85ebca6b) + Math.imul(attempt, 0xc2b2ae35)) >>> 0),
  );
}

/** The launcher processes to place on the sandboxes' CPUs (two in an A/B of launcher builds). */
const launcherPids = (l: Launchable): readonly number[] => l.pids ?? [l.pid ?? -1];

/** One scenario under way. */
class ScenarioRun {
  readonly samples: Sample[] = [];
  readonly load: RoundLoad[] = [];
  readonly result: ScenarioResult;
  readonly procedure: Procedure;
  readonly skips: Map<string, string | null>;
  readonly watch: LoadWatch;
  readonly kernel: KernelWatch | null;
  readonly ktrace: KernelTrace | null;
  readonly split: CpuSplit | null;
  readonly placement: Placement;
  /** how its sandboxes are made, and why not as asked (plan.ts scenarioCreate) */
  readonly create: CreateMethod;
  readonly createWhy: string | null;
  readonly seed: number;
  readonly startedMs = performance.now();
  #unsplit: (() => void) | null = null;
  #unregister: (() => void)[] = [];
  quiescer: Quiescer | null = null;
  /** the variant launched last, for the next sample's conditions */
  prev: string | null = null;
  stoppedBy: StopReason = 'rounds';
  measuredRounds = 0;
  firstMeasuredMs = 0;
  readonly adaptive: AdaptiveState = { targetRounds: null };

  constructor(
    readonly state: RunState,
    readonly plan: ScenarioPlan,
    index: number,
  ) {
    const { sc, variants, pacing } = plan;
    const runId = state.runId;
    this.seed = (state.seed + index * 0x9e3779b1) >>> 0;
    this.kernel =
      sc.kind === 'launch'
        ? KernelWatch.start(`nsb-${runId}-${index}`, state.euid, plan.kernelWork.asked, plan.kernelWork.why)
        : null;
    this.ktrace = plan.trace
      ? KernelTrace.start(`nsb-${runId}-${index}-k`, state.euid, state.launcher.pid ?? -1, plan.trace, `nsb-${runId}/`)
      : null;
    ({ create: this.create, why: this.createWhy } = scenarioCreate(plan, () => state.cgroups().backend === 'v1'));
    const placed = placementFor(sc, variants, plan.placement);
    this.placement = placed.placement;
    this.split = placed.split;
    const kernel = this.kernel;
    const ktrace = this.ktrace;
    if (kernel?.traced)
      this.#unregister.push(registry.add(`trace instance nsb-${runId}-${index}`, () => kernel.close()));
    if (ktrace?.state.traced)
      this.#unregister.push(registry.add(`trace instance nsb-${runId}-${index}-k`, () => ktrace.close()));
    this.result = this.#record();
    this.procedure = procedureFor({
      scenario: sc,
      timeoutMs: plan.timeoutMs,
      launcher: () => creating(state.launcher, this.create),
      holder: () => creating(asHolder(state.launcher), this.create),
      cgroups: () => state.cgroups(),
      euid: state.euid,
      pacing,
      create: this.create,
    });
    // kernel attribution asked for and this kernel cannot give it: the samples say why, nothing is measured without it
    const traceSkip =
      ktrace && !ktrace.state.traced
        ? `kernel tracing was asked for, and ${ktrace.state.reason ?? 'it could not start'}`
        : null;
    this.skips = new Map(variants.map((v) => [v.id, this.procedure.skipReason(v) ?? traceSkip]));
    this.watch = new LoadWatch({ ownPressure: ownPressure(sc, variants), ...state.opts.loadWatch });
  }

  /** The scenario's record in the results, before its first sample. */
  #record(): ScenarioResult {
    const { sc, variants, pacing, rounds, warmup, timeoutMs } = this.plan;
    const baseline = variants.some((v) => v.id === sc.baseline)
      ? sc.baseline
      : (variants.find((v) => v.ns.length === 0 && !v.cgroup)?.id ?? sc.baseline);
    const kernel = this.kernel;
    return {
      name: sc.name,
      description: sc.description,
      file: sc.file,
      kind: sc.kind,
      workload: sc.workload,
      params: sc.params,
      rounds,
      warmupRounds: warmup,
      seed: this.seed,
      timeoutMs,
      baseline,
      pace: pacing.pace,
      gapMs: pacing.gapMs,
      ...(pacing.burst ? { burst: pacing.burst } : {}),
      ...(sc.kind === 'launch' ? { placement: this.placement } : {}),
      create: this.create,
      ...(this.createWhy ? { createWhy: this.createWhy } : {}),
      ...(this.split ? { cpus: this.split } : {}),
      ...(kernel ? { kernelWork: { traced: kernel.traced, ...(kernel.reason ? { reason: kernel.reason } : {}) } } : {}),
      ...(this.ktrace ? { kernelTrace: this.ktrace.state } : {}),
      variants: variants.map((v) => recordVariant(v, baseline)),
      samples: this.samples,
      load: this.load,
      summary: [],
    };
  }

  /** A new sample: on disk first, then in the results, then on the progress. */
  record(sample: Sample, label: string): void {
    this.state.writer.append(sample);
    this.samples.push(sample);
    this.state.progress.tick(label);
  }

  /** Something learned about a sample after it was recorded (kernel work, disturbance, superseded). */
  late(sample: Sample, update: LateUpdate): void {
    applyLate(sample, update);
    this.state.writer.late(sample, update);
  }

  takeKernel(): void {
    for (const k of this.kernel?.take() ?? []) this.late(k.sample, { metrics: k.metrics });
  }

  /** The sandboxes' CPUs for the launcher (again after a restart). */
  placeLauncher(): void {
    if (!this.split) return;
    this.#unsplit?.();
    this.#unsplit = applySplit(this.split, launcherPids(this.state.launcher));
  }

  /** Everything the scenario set up, put away: CPU placement, kernel tracing, the procedure's own. */
  async teardown(): Promise<void> {
    this.#unsplit?.();
    try {
      await this.kernel?.finish();
      this.takeKernel(); // writes: may fail on a full disk, and the trace instance still goes
    } finally {
      this.kernel?.close();
      this.ktrace?.close();
      for (const u of this.#unregister) u();
      await this.procedure.teardown?.();
    }
  }
}

/** Runs one scenario of the run (plan `index`), its results record finalized and written. */
export async function runScenario(state: RunState, plan: ScenarioPlan, index: number): Promise<void> {
  state.progress.scenario?.(index);
  const nsBefore = namespaceObjects();
  const s = new ScenarioRun(state, plan, index);
  if (s.createWhy) state.say(`note: ${plan.sc.name} ${s.createWhy}`);
  state.run.scenarios.push(s.result);
  const { samples: _s, summary: _m, load: _l, ...meta } = s.result;
  state.writer.scenario(meta);
  for (const note of plan.notes) state.say(note);
  try {
    s.placeLauncher();
    await s.procedure.setup?.(plan.variants.filter((v) => !s.skips.get(v.id)));
    if (plan.pacing.pace === 'quiesced' && s.kernel) s.quiescer = new Quiescer(s.kernel);
    await runRounds(s);
  } finally {
    await s.teardown();
  }
  const backlog = backlogNote(plan.sc.name, nsBefore, namespaceObjects());
  if (backlog) state.say(backlog);
  finalize(s);
  state.writer.write(state.run); // a consistent partial file after every scenario
}

/** The rounds: warm-up first, each round run again while disturbed (up to --retry-noisy), adaptive stopping. */
async function runRounds(s: ScenarioRun): Promise<void> {
  const { warmup, rounds, variants, pacing, adaptive } = s.plan;
  const state = s.state;
  for (let round = 0; round < warmup + rounds && !state.interrupted; round++) {
    if (round === warmup) s.firstMeasuredMs = performance.now();
    for (let attempt = 0; ; attempt++) {
      s.watch.begin();
      const launched = await runAttempt(s, round, attempt);
      const roundLoad = s.watch.end(round, attempt);
      s.load.push(roundLoad);
      state.writer.round(s.plan.sc.name, roundLoad);
      if (!roundLoad.disturbed.length || !launched.length) break;
      for (const x of launched) s.late(x, { disturbed: roundLoad.disturbed });
      if (attempt >= state.retryNoisy || state.interrupted) break;
      for (const x of launched) s.late(x, { superseded: true }); // run again; these stay raw, marked
      state.progress.grow?.(launched.length);
    }
    if (round < warmup || state.interrupted) continue;
    s.measuredRounds++;
    if (!adaptive) continue;
    const now = performance.now();
    const why = stopAfterRound(
      adaptive,
      s.adaptive,
      s.measuredRounds,
      now - s.startedMs,
      (now - s.firstMeasuredMs) / s.measuredRounds,
      s.samples,
      variants.map((v) => v.id),
      headlineOf({ kind: s.plan.sc.kind, samples: s.samples }).metric,
    );
    if (why) {
      s.stoppedBy = why;
      const left = (warmup + rounds - round - 1) * variants.length * (pacing.burst + 1);
      if (left > 0) state.progress.grow?.(-left); // the rounds planned up to maxRounds that will not run
      break;
    }
  }
  if (state.interrupted) s.stoppedBy = 'interrupted';
}

/**
 * One attempt at a round: every variant once, in the attempt's order. Returns the samples launched or kept from before
 * a resume (not the skipped ones): what the round's competing load is judged against.
 */
async function runAttempt(s: ScenarioRun, round: number, attempt: number): Promise<Sample[]> {
  const state = s.state;
  const { sc, warmup, rounds, pacing } = s.plan;
  const out: Sample[] = [];
  for (const v of roundOrder(s.plan.variants, s.seed, round, attempt)) {
    if (state.opts.signal?.aborted) {
      state.interrupted = true;
      break;
    }
    const isWarmup = round < warmup;
    const label = `${sc.name} ${isWarmup ? 'warm-up' : `round ${round - warmup + 1}/${rounds}`}${attempt ? ` (retry ${attempt})` : ''} ${v.id}`;
    const bursts = pacing.burst ? pacing.burst + 1 : 1;
    const kept =
      attempt === 0
        ? Array.from({ length: bursts }, (_, b) => state.before(sc.name, v.id, round, pacing.burst ? b : undefined))
        : [];
    if (kept.length && kept.every((x) => x !== undefined)) {
      for (const x of kept as Sample[]) {
        const again = { ...x, seq: state.seq++ }; // measured before the run died: kept, not repeated
        s.samples.push(again);
        out.push(again); // judged with the round's load as the rest are
        state.progress.tick(label);
      }
      s.prev = v.id;
      continue;
    }
    const base: SampleBase = {
      scenario: sc.name,
      variant: v.id,
      round,
      warmup: isWarmup,
      seq: state.seq,
      ...(attempt ? { attempt } : {}),
      conditions: { pace: pacing.pace, prev: s.prev, ...(s.result.placement ? { placement: s.result.placement } : {}) },
    };
    const skip = s.skips.get(v.id);
    if (skip) {
      for (let b = 0; b < bursts; b++) {
        const x: Sample = {
          ...base,
          seq: state.seq++,
          ...(pacing.burst ? { conditions: { ...base.conditions, pace: pacing.pace, prev: s.prev, burst: b } } : {}),
          state: 'skipped',
          reason: skip,
        };
        s.record(x, label);
      }
      continue;
    }
    const got = await launchVariant(s, v, base, label);
    out.push(...got);
    if (state.interrupted) break;
  }
  return out;
}

/** The variant's launch (or burst), after the quiet wait where paced so. Returns what it recorded. */
async function launchVariant(s: ScenarioRun, v: ResolvedVariant, base: SampleBase, label: string): Promise<Sample[]> {
  const state = s.state;
  const { pacing } = s.plan;
  state.opts.beforeLaunch?.(v.id); // before the quiet wait: a knob's own effect settles with the rest
  if (s.quiescer) {
    const q = await s.quiescer.wait(pacing.quiesceTimeoutMs);
    base.conditions = { ...base.conditions, pace: pacing.pace, prev: s.prev, quiesceWaitNs: q.waitNs, quiet: q.quiet };
    // untraced: the kernel threads' CPU while the kernel settled is the previous sandbox's deferred work (and the
    // kernel's own)
    const last = s.samples.at(-1);
    if (q.kthreadCpuNs !== undefined && last && last.state !== 'skipped')
      s.late(last, { metrics: { 'kernel.deferredCpuNs': q.kthreadCpuNs } });
  }
  try {
    const got =
      pacing.burst && s.procedure.burst
        ? await s.procedure.burst(v, base, pacing.burst + 1)
        : [await s.procedure.sample(v, base)];
    for (const x of got) x.seq = state.seq++;
    s.ktrace?.collect(got);
    s.kernel?.launched(got, v.ns);
    for (const x of got) s.record(x, label);
    s.prev = v.id;
    s.takeKernel();
    return got;
  } catch (e) {
    if (e instanceof UserError) throw e; // a mistake in the scenario: stop with its message
    return launcherFailed(s, base, label, e as Error & { code?: string });
  }
}

/** The launcher broke under a launch: the sample says so, and a fresh launcher takes over (once per run). */
function launcherFailed(s: ScenarioRun, base: SampleBase, label: string, err: Error & { code?: string }): Sample[] {
  const state = s.state;
  const lost: Sample = {
    ...base,
    seq: state.seq++,
    state: 'errored',
    cause: 'launcher-died',
    reason: `the launcher process failed: ${err.message}`,
    ...(err.code ? { code: err.code } : {}),
  };
  if (state.opts.signal?.aborted) {
    // a forced stop killed the launcher under this launch: not a launcher failure
    s.record({ ...lost, cause: 'interrupted', reason: 'the run was stopped (forced) during this launch' }, label);
    state.interrupted = true;
    return [];
  }
  s.record(lost, label);
  const launcher = state.restartLauncher(err.message);
  s.ktrace?.follow(launcher.pid ?? -1);
  s.placeLauncher();
  return [lost];
}

/** The scenario's sampling record and summary, once its rounds are done. */
function finalize(s: ScenarioRun): void {
  const { adaptive } = s.plan;
  const r = s.result;
  const wallS = (performance.now() - s.startedMs) / 1000;
  if (adaptive) r.rounds = s.measuredRounds; // fixed: the rounds asked for (an interrupted run says how many it did in sampling)
  r.sampling = adaptive
    ? {
        mode: 'adaptive',
        stoppedBy: s.stoppedBy,
        rounds: s.measuredRounds,
        precisionPct: adaptive.precisionPct,
        minRounds: adaptive.minRounds,
        maxRounds: adaptive.maxRounds,
        pilotRounds: pilotRounds(adaptive),
        ...(s.adaptive.targetRounds !== null ? { targetRounds: s.adaptive.targetRounds } : {}),
        budgetS: adaptive.budgetMs === null ? null : adaptive.budgetMs / 1000,
        wallS,
      }
    : { mode: 'fixed', stoppedBy: s.stoppedBy, rounds: s.measuredRounds, wallS };
  finalizeScenario(
    r,
    { stealFraction: s.state.stealSinceStart(), loadPerCore: loadPerCoreAtStart(s.state.run.environment) },
    s.state.retryNoisy > 0,
  );
}
