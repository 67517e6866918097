import os from 'node:os';
import { CgroupManager } from '../cgroup/index.ts';
import { findLeftovers, sortByOwner } from '../cleanup/index.ts';
import { UserError } from '../errors/index.ts';
import {
  acquireRunLock,
  claim,
  claimRunExclusively,
  registry,
  releaseRunClaim,
  releaseRunLock,
} from '../host/index.ts';
import { SandboxLauncher } from '../launcher/index.ts';
import {
  applyLate,
  type Environment,
  finalizeScenario,
  headlineOf,
  type LateUpdate,
  loadPerCoreAtStart,
  type Pace,
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  type ResultFiles,
  ResultsWriter,
  type RoundLoad,
  type RunResults,
  recordVariant,
  type Sample,
  type ScenarioKind,
  type ScenarioResult,
} from '../results/index.ts';
import type { ResolvedVariant, Scenario } from '../scenario/index.ts';
import { randomSeed, seededRandom, shuffled } from '../stats/index.ts';
import { listSome } from '../util/index.ts';
import { applySplit, type HarnessCpuMode, splitFor } from './cpus.ts';
import { captureEnvironment, cpuJiffies, gitCommit, nsbenchVersion, resumedEnvironment } from './environment.ts';
import { lastRunCosts, RunEstimate, scenarioEstimate } from './eta.ts';
import { KernelTrace, type KernelTraceAsk } from './kernel-trace.ts';
import { KernelWatch } from './kernel-work.ts';
import { LoadWatch, type LoadWatchOptions } from './load-watch.ts';
import { ownPressure } from './own-load.ts';
import { PACING_DEFAULTS, type Pacing, Quiescer } from './pacing.ts';
import { DensityProcedure } from './procedures/density.ts';
import { FreezeProcedure } from './procedures/freeze.ts';
import { InterferenceProcedure } from './procedures/interference.ts';
import { IsolationProcedure } from './procedures/isolation.ts';
import { LaunchProcedure } from './procedures/launch.ts';
import { NetworkProcedure } from './procedures/network.ts';
import {
  asHolder,
  type ContextOf,
  type Launchable,
  type Procedure,
  type ProcedureContext,
  type ProcedureOf,
  type SampleBase,
} from './procedures/procedure.ts';
import { type ProgressSink, silentProgress } from './progress.ts';
import { type Adaptive, type AdaptiveState, pilotRounds, type StopReason, stopAfterRound } from './sampling.ts';

export interface RunOptions {
  scenarios: Scenario[];
  /** Override the scenarios' own rounds/warm-up. */
  rounds?: number;
  warmup?: number;
  /**
   * Per scenario (by name): rounds, warm-up and adaptive sampling from the profile; over the scenario's own, under
   * `rounds`/`warmup`.
   */
  sampling?: Record<string, { rounds?: number; warmup?: number; adaptive?: Adaptive }>;
  /** The profile the run follows, recorded with the results. */
  profile?: { name: string; description: string };
  /** Used when a scenario sets none. */
  defaultRounds: number;
  defaultWarmup: number;
  defaultTimeoutMs: number;
  seed?: number;
  outDir: string;
  /** Write the raw CSV gzipped (<run-id>.csv.gz). */
  gzipCsv?: boolean;
  /** Replace every scenario's variants (from `run --ns`). */
  variants?: ResolvedVariant[];
  /** Pace the launch scenarios this way (from `run --pace`), and keep this gap (`--gap-ms`). */
  pace?: Pace;
  gapMs?: number;
  /** back-to-back: launches per burst (`--burst`). */
  burst?: number;
  /** Run a round again this many times at most while competing load disturbs it (`--retry-noisy`). */
  retryNoisy?: number;
  /** false: do not trace the kernel's deferred work (`--no-kernel-work`). */
  kernelWork?: boolean;
  /**
   * attribute every launch of the launch scenarios to kernel work (`--kernel-trace`); a scenario can ask for it itself
   * (kernelTrace)
   */
  kernelTrace?: KernelTraceAsk;
  /**
   * auto (default): the harness on one CPU, the launcher and its sandboxes on the others, where that changes no
   * workload's share (`--harness-cpu`).
   */
  harnessCpu?: HarnessCpuMode;
  progress?: ProgressSink;
  startLauncher?: () => Launchable;
  /**
   * the user the sandboxes are launched as (default: this process's); a test's fixed launcher passes 0 so that no
   * variant is skipped for want of root
   */
  euid?: number;
  /** cgroups for variants that ask for them (tests pass their own). */
  cgroups?: CgroupManager;
  signal?: AbortSignal;
  runId?: string;
  /** Continue a run that died: its id, seed and the samples it already measured (from its samples file). */
  resume?: {
    runId: string;
    seed: number;
    startedAt: string;
    environment: Environment;
    samples: Sample[];
    samplesFile?: string;
  };
  /** What the caller asked for (scenario names, options), kept in the samples file's header for --resume. */
  plan?: Record<string, unknown>;
  /** Before each launch (burst) of a variant, by its id: `nsbench ab` sets its side's knob here. */
  beforeLaunch?: (variantId: string) => void;
  /** Where competing load is read from (tests that must hold beside outside load control their load source). */
  loadWatch?: LoadWatchOptions;
  /** An A/B run: what tells the sides apart, recorded with the results (environment.ab). */
  ab?: { what: string; A: string; B: string };
}

export interface RunOutcome {
  run: RunResults;
  files: ResultFiles;
  interrupted: boolean;
}

/** The launcher processes to place on the sandboxes' CPUs (two in an A/B of launcher builds). */
const launcherPids = (l: Launchable | SandboxLauncher): readonly number[] =>
  'pids' in l && l.pids ? l.pids : [l.pid ?? -1];

/** A failed launcher is restarted this many times per run before the run stops. */
const LAUNCHER_RESTARTS = 1;

const PROCEDURES: { [K in ScenarioKind]: (ctx: ContextOf<K>) => ProcedureOf<K> } = {
  launch: (ctx) => new LaunchProcedure(ctx),
  freeze: (ctx) => new FreezeProcedure(ctx),
  network: (ctx) => new NetworkProcedure(ctx),
  density: (ctx) => new DensityProcedure(ctx),
  isolation: (ctx) => new IsolationProcedure(ctx),
  interference: (ctx) => new InterferenceProcedure(ctx),
};

/** The procedure of the scenario's kind (the one place the kind picks the variants' type). */
function procedureFor(ctx: ProcedureContext): Procedure {
  return (PROCEDURES[ctx.scenario.kind] as (c: ProcedureContext) => Procedure)(ctx);
}

function makeRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`;
}

/** The order of a round's attempt: from its own seed, so a retried round does not shift every later round's order. */
function roundOrder<T>(items: readonly T[], scenarioSeed: number, round: number, attempt: number): T[] {
  return shuffled(
    items,
    seededRandom((scenarioSeed + Math.imul(round + 1, 0x85ebca6b) + Math.imul(attempt, 0xc2b2ae35)) >>> 0),
  );
}

/**
 * How a scenario's launches are paced in this run: the command line's choice for launch scenarios, else the scenario's.
 */
function pacingOf(sc: Scenario, opts: RunOptions): Pacing {
  const launch = sc.kind === 'launch';
  const pace = (launch ? (opts.pace ?? sc.pace) : sc.pace) ?? 'interleaved';
  return {
    pace,
    gapMs: (launch ? (opts.gapMs ?? sc.gapMs) : undefined) ?? 0,
    burst: pace === 'back-to-back' ? (opts.burst ?? sc.burst ?? PACING_DEFAULTS.burst) : 0,
    quiesceTimeoutMs: sc.quiesceTimeoutMs ?? PACING_DEFAULTS.quiesceTimeoutMs,
  };
}

const sampleKey = (scenario: string, variant: string, round: number, burst?: number) =>
  `${scenario}\0${variant}\0${round}\0${burst ?? ''}`;

/**
 * Runs scenarios: every round runs each variant once, in a freshly shuffled
 * order (seeded, recorded); warm-up rounds come first and are flagged; every
 * sample is appended to disk as it arrives, with the conditions it was taken
 * under (pace, gap, predecessor, quiesce wait, competing load); results are
 * summarized per variant against its baseline. What a sample is depends on
 * the scenario's kind; how launches follow each other, on its pacing.
 */
export async function runBenchmark(opts: RunOptions): Promise<RunOutcome> {
  const runId = opts.resume?.runId ?? opts.runId ?? makeRunId();
  const seed = opts.resume?.seed ?? opts.seed ?? randomSeed();
  const now = new Date().toISOString();
  // a resumed run keeps its start and the machine it was started on; each resume is added, with what changed
  const startedAt = opts.resume?.startedAt ?? now;
  const steal0 = cpuJiffies();
  const environment = opts.resume
    ? resumedEnvironment(opts.resume.environment, captureEnvironment(), now)
    : captureEnvironment();
  if (opts.ab) environment.ab = opts.ab;
  const leftoverKey = (l: { kind: string; id: string }) => `${l.kind} ${l.id}`;
  // this run's owner record, before it makes anything: a cleanup or a leak check beside it leaves its objects alone
  try {
    acquireRunLock(runId);
  } catch (e) {
    process.stderr.write(`warning: ${(e as Error).message}: a cleanup beside this run could remove its objects\n`);
  }
  claim(`nsb-${runId}`);
  // one process appends to a run's samples file: a resume beside the run (or another resume) is refused
  const appending = claimRunExclusively(runId);
  if (appending !== null)
    throw new UserError(
      `run ${runId} is being run or resumed now${appending > 0 ? ` (pid ${appending})` : ''}: two would append to one samples file`,
      'wait for it to end, or stop it first',
    );
  const found = sortByOwner(findLeftovers());
  const before = new Set(found.free.map(leftoverKey));
  if (before.size) {
    environment.leftoversBefore = [...before];
    process.stderr.write(
      `warning: ${before.size} nsb- object(s) of earlier runs are on this machine (\`nsbench cleanup --dry-run\` lists them); they are not counted as this run's leaks\n`,
    );
  }
  if (found.live.length) {
    environment.liveRunsBeside = found.live.map((l) => ({
      runId: l.owner.runId,
      pid: l.owner.pid,
      objects: l.items.length,
    }));
    process.stderr.write(
      `note: ${found.live.map((l) => `run ${l.owner.runId} (pid ${l.owner.pid})`).join(', ')} is running beside this one: its load is measured as competing load, its objects are not this run's\n`,
    );
  }
  const tool = { name: 'nsbench' as const, version: nsbenchVersion(), commit: gitCommit() };
  const writer = new ResultsWriter(
    opts.outDir,
    runId,
    { startedAt, seed, tool, environment: { ...environment, ...(opts.plan ? { plan: opts.plan } : {}) } },
    opts.resume !== undefined,
    opts.resume?.samplesFile,
    opts.gzipCsv === true,
  );
  const measuredBefore = new Map<string, Sample>();
  for (const s of opts.resume?.samples ?? [])
    if (!s.superseded) measuredBefore.set(sampleKey(s.scenario, s.variant, s.round, s.conditions?.burst), s);
  if (opts.resume) {
    environment.resumedWith = opts.resume.samples.length;
    const entry = environment.resumes?.at(-1) ?? {};
    writer.resumed(entry);
    if (entry.changed)
      process.stderr.write(
        `warning: resuming on a machine that differs from the one the run started on (${Object.keys(entry.changed).join(', ')}); both are in the results (environment.resumes)\n`,
      );
  }
  const progress = opts.progress ?? silentProgress;
  const start = opts.startLauncher ?? (() => SandboxLauncher.start());
  const euid = opts.euid ?? process.geteuid?.() ?? 0;
  let cgroups = opts.cgroups ?? null;
  const getCgroups = () => (cgroups ??= new CgroupManager(runId));
  const retryNoisy = opts.retryNoisy ?? 0;
  const run: RunResults = {
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId,
    status: 'partial',
    startedAt,
    finishedAt: null,
    tool,
    ...(opts.profile ? { profile: opts.profile } : {}),
    environment,
    scenarios: [],
  };

  const plans = opts.scenarios.map((sc) => {
    const own = opts.sampling?.[sc.name];
    // --rounds fixes the rounds: no adaptive sampling then
    const adaptive = opts.rounds === undefined ? (own?.adaptive ?? null) : null;
    return {
      sc,
      adaptive,
      rounds: adaptive ? adaptive.maxRounds : (opts.rounds ?? own?.rounds ?? sc.rounds ?? opts.defaultRounds),
      warmup: opts.warmup ?? own?.warmup ?? sc.warmup ?? opts.defaultWarmup,
      variants: opts.variants && sc.kind === 'launch' ? opts.variants : sc.variants,
      timeoutMs: sc.timeoutMs ?? opts.defaultTimeoutMs,
      pacing: pacingOf(sc, opts),
    };
  });
  const costs = lastRunCosts(
    opts.outDir,
    plans.map((p) => p.sc.name),
  );
  progress.plan?.(
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
  progress.start(plans.reduce((n, p) => n + (p.rounds + p.warmup) * p.variants.length * (p.pacing.burst + 1), 0));

  let launcher = start();
  let restarts = 0;
  let seq = 0;
  let interrupted = false;
  let completedMeasuring = false;
  try {
    for (const [index, plan] of plans.entries()) {
      const { sc, rounds, warmup, variants, timeoutMs, pacing, adaptive } = plan;
      progress.scenario?.(index);
      const scenarioStart = performance.now();
      let stoppedBy: StopReason = 'rounds';
      let measuredRounds = 0;
      let firstMeasuredAt = 0;
      const adaptiveState: AdaptiveState = { targetRounds: null };
      const scenarioSeed = (seed + index * 0x9e3779b1) >>> 0;
      const baseline = variants.some((v) => v.id === sc.baseline)
        ? sc.baseline
        : (variants.find((v) => v.ns.length === 0 && !v.cgroup)?.id ?? sc.baseline);
      const samples: Sample[] = [];
      const load: RoundLoad[] = [];
      // tracing runs only when asked for: kernelTrace (scenario or --kernel-trace), kernelWork, or quiesced pacing (its
      // quiet judgement)
      const traceAsk = sc.kind === 'launch' ? mergeAsk(sc.kernelTrace, opts.kernelTrace) : null;
      const workAsked =
        opts.kernelWork !== false && (sc.kernelWork ?? (traceAsk !== null || pacing.pace === 'quiesced'));
      const kernel =
        sc.kind === 'launch'
          ? KernelWatch.start(
              `nsb-${runId}-${index}`,
              euid,
              workAsked,
              workWhy(sc.kernelWork, opts.kernelWork, traceAsk !== null, pacing.pace),
            )
          : null;
      const ktrace = traceAsk
        ? KernelTrace.start(`nsb-${runId}-${index}-k`, euid, launcher.pid ?? -1, traceAsk, `nsb-${runId}/`)
        : null;
      const split = splitFor(sc, variants, opts.harnessCpu ?? 'auto');
      const unregisterKernel = kernel?.traced
        ? registry.add(`trace instance nsb-${runId}-${index}`, () => kernel.close())
        : null;
      const unregisterTrace = ktrace?.state.traced
        ? registry.add(`trace instance nsb-${runId}-${index}-k`, () => ktrace.close())
        : null;
      const result: ScenarioResult = {
        name: sc.name,
        description: sc.description,
        file: sc.file,
        kind: sc.kind,
        workload: sc.workload,
        params: sc.params,
        rounds,
        warmupRounds: warmup,
        seed: scenarioSeed,
        timeoutMs,
        baseline,
        pace: pacing.pace,
        gapMs: pacing.gapMs,
        ...(pacing.burst ? { burst: pacing.burst } : {}),
        ...(split ? { cpus: split } : {}),
        ...(kernel
          ? { kernelWork: { traced: kernel.traced, ...(kernel.reason ? { reason: kernel.reason } : {}) } }
          : {}),
        ...(ktrace ? { kernelTrace: ktrace.state } : {}),
        variants: variants.map((v) => recordVariant(v, baseline)),
        samples,
        load,
        summary: [],
      };
      run.scenarios.push(result);
      const { samples: _s, summary: _m, load: _l, ...meta } = result;
      writer.scenario(meta);
      const procedure = procedureFor({
        scenario: sc,
        timeoutMs,
        launcher: () => launcher,
        holder: () => asHolder(launcher),
        cgroups: getCgroups,
        euid,
        pacing,
      });
      // kernel attribution asked for and this kernel cannot give it: the samples say why, nothing is measured without
      // it
      const traceSkip =
        ktrace && !ktrace.state.traced
          ? `kernel tracing was asked for, and ${ktrace.state.reason ?? 'it could not start'}`
          : null;
      const skips = new Map(variants.map((v) => [v.id, procedure.skipReason(v) ?? traceSkip]));
      const watch = new LoadWatch({ ownPressure: ownPressure(sc, variants), ...opts.loadWatch });
      const record = (sample: Sample, label: string) => {
        writer.append(sample);
        samples.push(sample);
        progress.tick(label);
      };
      const late = (sample: Sample, update: LateUpdate) => {
        applyLate(sample, update);
        writer.late(sample, update);
      };
      const takeKernel = () => {
        for (const k of kernel?.take() ?? []) late(k.sample, { metrics: k.metrics });
      };
      let quiescer: Quiescer | null = null;
      let prev: string | null = null;
      let unsplit = split ? applySplit(split, launcherPids(launcher)) : null;
      try {
        await procedure.setup?.(variants.filter((v) => !skips.get(v.id)));
        if (pacing.pace === 'quiesced' && kernel) quiescer = new Quiescer(kernel);
        for (let round = 0; round < warmup + rounds && !interrupted; round++) {
          if (round === warmup) firstMeasuredAt = performance.now();
          for (let attempt = 0; ; attempt++) {
            const roundSamples: Sample[] = [];
            watch.begin();
            for (const v of roundOrder(variants, scenarioSeed, round, attempt)) {
              if (opts.signal?.aborted) {
                interrupted = true;
                break;
              }
              const isWarmup = round < warmup;
              const label = `${sc.name} ${isWarmup ? 'warm-up' : `round ${round - warmup + 1}/${rounds}`}${attempt ? ` (retry ${attempt})` : ''} ${v.id}`;
              const keys = pacing.burst
                ? Array.from({ length: pacing.burst + 1 }, (_, b) => sampleKey(sc.name, v.id, round, b))
                : [sampleKey(sc.name, v.id, round)];
              const kept = attempt === 0 ? keys.map((k) => measuredBefore.get(k)) : [];
              if (kept.length && kept.every((s) => s !== undefined)) {
                for (const s of kept as Sample[]) {
                  const again = { ...s, seq: seq++ }; // measured before the run died: kept, not repeated
                  samples.push(again);
                  roundSamples.push(again);
                  progress.tick(label);
                }
                prev = v.id;
                continue;
              }
              const base: SampleBase = {
                scenario: sc.name,
                variant: v.id,
                round,
                warmup: isWarmup,
                seq,
                ...(attempt ? { attempt } : {}),
                conditions: { pace: pacing.pace, prev },
              };
              const skip = skips.get(v.id);
              if (skip) {
                for (let b = 0; b < keys.length; b++) {
                  const s: Sample = {
                    ...base,
                    seq: seq++,
                    ...(pacing.burst ? { conditions: { pace: pacing.pace, prev, burst: b } } : {}),
                    state: 'skipped',
                    reason: skip,
                  };
                  record(s, label);
                  roundSamples.push(s);
                }
                continue;
              }
              opts.beforeLaunch?.(v.id); // before the quiet wait: a knob's own effect settles with the rest
              if (quiescer) {
                const q = await quiescer.wait(pacing.quiesceTimeoutMs);
                base.conditions = {
                  ...base.conditions,
                  pace: pacing.pace,
                  prev,
                  quiesceWaitNs: q.waitNs,
                  quiet: q.quiet,
                };
                // untraced: the kernel threads' CPU while the kernel settled is the previous sandbox's deferred work
                // (and the kernel's own)
                const last = samples.at(-1);
                if (q.kthreadCpuNs !== undefined && last && last.state !== 'skipped')
                  late(last, { metrics: { 'kernel.deferredCpuNs': q.kthreadCpuNs } });
              }
              try {
                const got =
                  pacing.burst && procedure.burst
                    ? await procedure.burst(v, base, pacing.burst + 1)
                    : [await procedure.sample(v, base)];
                for (const s of got) s.seq = seq++;
                ktrace?.collect(got);
                kernel?.launched(got, v.ns);
                for (const s of got) {
                  record(s, label);
                  roundSamples.push(s);
                }
                prev = v.id;
                takeKernel();
              } catch (e) {
                if (e instanceof UserError) throw e; // a mistake in the scenario: stop with its message
                const err = e as Error & { code?: string };
                const lost: Sample = {
                  ...base,
                  seq: seq++,
                  state: 'errored',
                  cause: 'launcher-died',
                  reason: `the launcher process failed: ${err.message}`,
                  ...(err.code ? { code: err.code } : {}),
                };
                if (opts.signal?.aborted) {
                  // a forced stop killed the launcher under this launch: not a launcher failure
                  record(
                    { ...lost, cause: 'interrupted', reason: 'the run was stopped (forced) during this launch' },
                    label,
                  );
                  interrupted = true;
                  break;
                }
                record(lost, label);
                roundSamples.push(lost);
                launcher.close();
                if (restarts++ >= LAUNCHER_RESTARTS)
                  throw new Error(`the launcher failed again after a restart: ${err.message}`);
                launcher = start();
                ktrace?.follow(launcher.pid ?? -1);
                if (split) {
                  unsplit?.();
                  unsplit = applySplit(split, launcherPids(launcher));
                }
              }
            }
            const roundLoad = watch.end(round, attempt);
            load.push(roundLoad);
            writer.round(sc.name, roundLoad);
            const launched = roundSamples.filter((s) => s.state !== 'skipped');
            if (!roundLoad.disturbed.length || !launched.length) break;
            for (const s of launched) late(s, { disturbed: roundLoad.disturbed });
            if (attempt >= retryNoisy || interrupted) break;
            for (const s of launched) late(s, { superseded: true }); // run again; these stay raw, marked
            progress.grow?.(launched.length);
          }
          if (round < warmup || interrupted) continue;
          measuredRounds++;
          if (adaptive) {
            const now = performance.now();
            const why = stopAfterRound(
              adaptive,
              adaptiveState,
              measuredRounds,
              now - scenarioStart,
              (now - firstMeasuredAt) / measuredRounds,
              samples,
              variants.map((v) => v.id),
              headlineOf({ kind: sc.kind, samples }).metric,
            );
            if (why) {
              stoppedBy = why;
              const left = (warmup + rounds - round - 1) * variants.length * (pacing.burst + 1);
              if (left > 0) progress.grow?.(-left); // the rounds planned up to maxRounds that will not run
              break;
            }
          }
        }
        if (interrupted) stoppedBy = 'interrupted';
      } finally {
        unsplit?.();
        try {
          await kernel?.finish();
          takeKernel(); // writes: may fail on a full disk, and the trace instance still goes
        } finally {
          kernel?.close();
          unregisterKernel?.();
          ktrace?.close();
          unregisterTrace?.();
          await procedure.teardown?.();
        }
      }
      if (adaptive) result.rounds = measuredRounds; // fixed: the rounds asked for (an interrupted run says how many it did in sampling)
      result.sampling = adaptive
        ? {
            mode: 'adaptive',
            stoppedBy,
            rounds: measuredRounds,
            precisionPct: adaptive.precisionPct,
            minRounds: adaptive.minRounds,
            maxRounds: adaptive.maxRounds,
            pilotRounds: pilotRounds(adaptive),
            ...(adaptiveState.targetRounds !== null ? { targetRounds: adaptiveState.targetRounds } : {}),
            budgetS: adaptive.budgetMs === null ? null : adaptive.budgetMs / 1000,
            wallS: (performance.now() - scenarioStart) / 1000,
          }
        : { mode: 'fixed', stoppedBy, rounds: measuredRounds, wallS: (performance.now() - scenarioStart) / 1000 };
      const jiffies = cpuJiffies();
      finalizeScenario(
        result,
        {
          stealFraction: (jiffies.steal - steal0.steal) / Math.max(1, jiffies.total - steal0.total),
          loadPerCore: loadPerCoreAtStart(run.environment),
        },
        retryNoisy > 0,
      );
      writer.write(run); // a consistent partial file after every scenario
      if (interrupted) break;
    }
    completedMeasuring = true;
  } finally {
    launcher.close();
    if (cgroups) {
      run.environment.cgroupPlacement = cgroups.describe();
      const left = await cgroups.cleanup();
      if (left.length) {
        run.environment.cleanupFailures = left;
        process.stderr.write(`warning: nsbench could not remove some of its cgroups: ${left.join('; ')}\n`);
      }
    }
    progress.done();
    if (!completedMeasuring) {
      releaseRunLock(); // an error on the way out: the record goes with it
      releaseRunClaim(runId);
    }
  }
  const leaks = sortByOwner(findLeftovers()).free.filter((l) => !before.has(leftoverKey(l))); // not another live run's
  releaseRunLock();
  releaseRunClaim(runId);
  if (leaks.length) {
    run.environment.leaks = leaks.map((l) => `${leftoverKey(l)} (${l.detail})`);
    process.stderr.write(
      `warning: the run left ${leaks.length} nsb- object(s) behind: ${listSome(leaks.map(leftoverKey), 8)} — \`nsbench cleanup\` removes them\n`,
    );
  }
  const steal1 = cpuJiffies();
  const dTotal = steal1.total - steal0.total;
  run.environment.stealFraction = dTotal > 0 ? (steal1.steal - steal0.steal) / dTotal : 0;
  run.environment.loadAverageAtEnd = os.loadavg();
  run.status = interrupted ? 'partial' : 'complete';
  run.finishedAt = new Date().toISOString();
  writer.write(run);
  return { run, files: writer.files, interrupted };
}

/** The scenario's kernelTrace and --kernel-trace together: the stricter of each. */
function mergeAsk(a: KernelTraceAsk | null, b: KernelTraceAsk | undefined): KernelTraceAsk | null {
  if (!a && !b) return null;
  return {
    functions: (a?.functions ?? false) || (b?.functions ?? false),
    footprint: (a?.footprint ?? false) || (b?.footprint ?? false),
  };
}

/** Why the teardown work is (not) traced, for the results. */
function workWhy(scenario: boolean | undefined, cli: boolean | undefined, traced: boolean, pace: string): string {
  if (cli === false) return 'turned off (--no-kernel-work)';
  if (scenario === false) return 'turned off (kernelWork: false)';
  if (scenario === true) return 'asked for (kernelWork: true)';
  if (traced) return 'asked for (kernelTrace)';
  if (pace === 'quiesced') return 'asked for (quiesced pacing judges a quiet kernel by it)';
  return 'not asked for (kernelWork: true, kernelTrace or --kernel-trace trace it)';
}
