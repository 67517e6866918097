import os from 'node:os';
import { CgroupManager } from '../cgroup/index.ts';
import { findLeftovers } from '../cleanup/index.ts';
import { UserError } from '../errors/index.ts';
import { SandboxLauncher } from '../launcher/index.ts';
import {
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  ResultsWriter,
  scenarioWarnings,
  summarize,
  type ResultFiles,
  type RunResults,
  type Sample,
  type ScenarioResult,
} from '../results/index.ts';
import type { ResolvedVariant, Scenario } from '../scenario/index.ts';
import { captureEnvironment, cpuJiffies, gitCommit, nsbenchVersion } from './environment.ts';
import { DensityProcedure } from './procedures/density.ts';
import { FreezeProcedure } from './procedures/freeze.ts';
import { InterferenceProcedure } from './procedures/interference.ts';
import { IsolationProcedure } from './procedures/isolation.ts';
import { LaunchProcedure } from './procedures/launch.ts';
import { NetworkProcedure } from './procedures/network.ts';
import type { Launchable, Procedure, ProcedureContext } from './procedures/procedure.ts';
import { silentProgress, type ProgressSink } from './progress.ts';
import { randomSeed, seededRandom, shuffled } from '../stats/index.ts';

export type { Launchable } from './procedures/procedure.ts';

export interface RunOptions {
  scenarios: Scenario[];
  /** Override the scenarios' own rounds/warm-up. */
  rounds?: number;
  warmup?: number;
  /** Used when a scenario sets none. */
  defaultRounds: number;
  defaultWarmup: number;
  defaultTimeoutMs: number;
  seed?: number;
  outDir: string;
  /** Replace every scenario's variants (from `run --ns`). */
  variants?: ResolvedVariant[];
  progress?: ProgressSink;
  startLauncher?: () => Launchable;
  /** cgroups for variants that ask for them (tests pass their own). */
  cgroups?: CgroupManager;
  signal?: AbortSignal;
  runId?: string;
  /** Continue a run that died: its id, seed and the samples it already measured (from its samples file). */
  resume?: { runId: string; seed: number; samples: Sample[] };
  /** What the caller asked for (scenario names, options), kept in the samples file's header for --resume. */
  plan?: Record<string, unknown>;
}

export interface RunOutcome {
  run: RunResults;
  files: ResultFiles;
  interrupted: boolean;
}

/** A failed launcher is restarted this many times per run before the run stops. */
const LAUNCHER_RESTARTS = 1;

const PROCEDURES: Record<Scenario['kind'], (ctx: ProcedureContext) => Procedure> = {
  launch: (ctx) => new LaunchProcedure(ctx),
  freeze: (ctx) => new FreezeProcedure(ctx),
  network: (ctx) => new NetworkProcedure(ctx),
  density: (ctx) => new DensityProcedure(ctx),
  isolation: (ctx) => new IsolationProcedure(ctx),
  interference: (ctx) => new InterferenceProcedure(ctx),
};

/** The metric each kind's warnings (drift, spread) are judged on. */
const HEADLINE_METRIC: Record<Scenario['kind'], string> = {
  launch: 'bootNs',
  freeze: 'freezeNs',
  network: 'workload.throughputMbitPerSec',
  density: 'launchesPerSec',
  isolation: 'bootNs',
  interference: 'workload.elapsedNs',
};

export function makeRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0')}`;
}

/**
 * Runs scenarios: every round runs each variant once, in a freshly shuffled
 * order (seeded, recorded); warm-up rounds come first and are flagged; every
 * sample is appended to disk as it arrives; results are summarized per variant
 * against its baseline. What a sample is depends on the scenario's kind.
 */
export async function runBenchmark(opts: RunOptions): Promise<RunOutcome> {
  const runId = opts.resume?.runId ?? opts.runId ?? makeRunId();
  const seed = opts.resume?.seed ?? opts.seed ?? randomSeed();
  const startedAt = new Date().toISOString();
  const steal0 = cpuJiffies();
  const environment = captureEnvironment();
  const leftoverKey = (l: { kind: string; id: string }) => `${l.kind} ${l.id}`;
  const before = new Set(findLeftovers().map(leftoverKey));
  if (before.size) {
    environment.leftoversBefore = [...before];
    process.stderr.write(`warning: ${before.size} nsb- object(s) of earlier runs are on this machine (\`nsbench cleanup --dry-run\` lists them); they are not counted as this run's leaks\n`);
  }
  const tool = { name: 'nsbench' as const, version: nsbenchVersion(), commit: gitCommit() };
  const writer = new ResultsWriter(opts.outDir, runId, { startedAt, seed, tool, environment: { ...environment, ...(opts.plan ? { plan: opts.plan } : {}) } }, opts.resume !== undefined);
  const measuredBefore = new Map((opts.resume?.samples ?? []).map((s) => [`${s.scenario}\0${s.variant}\0${s.round}`, s]));
  if (opts.resume) environment.resumedWith = opts.resume.samples.length;
  const progress = opts.progress ?? silentProgress;
  const start = opts.startLauncher ?? (() => SandboxLauncher.start());
  const euid = process.geteuid?.() ?? 0;
  let cgroups = opts.cgroups ?? null;
  const getCgroups = () => (cgroups ??= new CgroupManager(runId));
  const run: RunResults = {
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId,
    status: 'partial',
    startedAt,
    finishedAt: null,
    tool,
    environment,
    scenarios: [],
  };

  const plans = opts.scenarios.map((sc) => ({
    sc,
    rounds: opts.rounds ?? sc.rounds ?? opts.defaultRounds,
    warmup: opts.warmup ?? sc.warmup ?? opts.defaultWarmup,
    variants: opts.variants && sc.kind === 'launch' ? opts.variants : sc.variants,
    timeoutMs: sc.timeoutMs ?? opts.defaultTimeoutMs,
  }));
  progress.start(plans.reduce((n, p) => n + (p.rounds + p.warmup) * p.variants.length, 0));

  let launcher = start();
  let restarts = 0;
  let seq = 0;
  let interrupted = false;
  try {
    for (const [index, plan] of plans.entries()) {
      const { sc, rounds, warmup, variants, timeoutMs } = plan;
      const scenarioSeed = (seed + index * 0x9e3779b1) >>> 0;
      const random = seededRandom(scenarioSeed);
      const baseline = variants.some((v) => v.id === sc.baseline) ? sc.baseline : (variants.find((v) => v.ns.length === 0 && !v.cgroup)?.id ?? sc.baseline);
      const samples: Sample[] = [];
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
        variants: variants.map((v) => ({
          id: v.id,
          label: v.label,
          ns: [...v.ns],
          ...(v.userMap ? { userMap: v.userMap } : {}),
          ...(v.cgroup ? { cgroup: v.cgroup } : {}),
          ...(v.workload ? { workload: v.workload } : {}),
          ...(v.freeze ? { freeze: v.freeze } : {}),
          ...(v.net ? { net: v.net } : {}),
          ...(v.tmpfs ? { tmpfs: v.tmpfs } : {}),
          ...(v.density ? { density: v.density } : {}),
          ...(v.engine ? { engine: v.engine } : {}),
          ...(v.antagonist ? { antagonist: v.antagonist } : {}),
          baseline: v.baseline ?? baseline,
        })),
        samples,
        summary: [],
      };
      run.scenarios.push(result);
      const { samples: _s, summary: _m, ...meta } = result;
      writer.scenario(meta);
      const procedure = PROCEDURES[sc.kind]({ scenario: sc, timeoutMs, launcher: () => launcher, cgroups: getCgroups, euid });
      const skips = new Map(variants.map((v) => [v.id, procedure.skipReason(v)]));
      const record = (sample: Sample, label: string) => {
        writer.append(sample);
        samples.push(sample);
        progress.tick(label);
      };
      try {
        await procedure.setup?.(variants.filter((v) => !skips.get(v.id)));
        for (let round = 0; round < warmup + rounds && !interrupted; round++) {
          for (const v of shuffled(variants, random)) {
            if (opts.signal?.aborted) {
              interrupted = true;
              break;
            }
            const base = { scenario: sc.name, variant: v.id, round, warmup: round < warmup, seq: seq++ };
            const label = `${sc.name} ${base.warmup ? 'warm-up' : `round ${round - warmup + 1}/${rounds}`} ${v.id}`;
            const before = measuredBefore.get(`${sc.name}\0${v.id}\0${round}`);
            if (before) {
              samples.push({ ...before, seq: base.seq }); // measured before the run died: kept, not repeated
              progress.tick(label);
              continue;
            }
            const skip = skips.get(v.id);
            if (skip) {
              record({ ...base, state: 'skipped', reason: skip }, label);
              continue;
            }
            try {
              record(await procedure.sample(v, base), label);
            } catch (e) {
              if (e instanceof UserError) throw e; // a mistake in the scenario: stop with its message
              const err = e as Error & { code?: string };
              if (opts.signal?.aborted) {
                // a forced stop killed the launcher under this launch: not a launcher failure
                record({ ...base, state: 'errored', cause: 'interrupted', reason: 'the run was stopped (forced) during this launch' }, label);
                interrupted = true;
                break;
              }
              record({ ...base, state: 'errored', cause: 'launcher-died', reason: `the launcher process failed: ${err.message}`, ...(err.code ? { code: err.code } : {}) }, label);
              launcher.close();
              if (restarts++ >= LAUNCHER_RESTARTS) throw new Error(`the launcher failed again after a restart: ${err.message}`);
              launcher = start();
            }
          }
        }
      } finally {
        await procedure.teardown?.();
      }
      result.summary = summarize(samples, result.variants.map((v) => ({ id: v.id, baseline: v.baseline ?? baseline })));
      const load = (run.environment.loadAverage as number[] | undefined)?.[0] ?? 0;
      const cores = (run.environment.cpu as { cores?: number } | undefined)?.cores ?? 1;
      result.warnings = scenarioWarnings(samples, result.summary, baseline, HEADLINE_METRIC[sc.kind], {
        stealFraction: (cpuJiffies().steal - steal0.steal) / Math.max(1, cpuJiffies().total - steal0.total),
        loadPerCore: load / cores,
      }, sc.kind === 'density' ? 0 : undefined); // a density sample is a whole ramp of launches
      writer.write(run); // a consistent partial file after every scenario
      if (interrupted) break;
    }
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
  }
  const leaks = findLeftovers().filter((l) => !before.has(leftoverKey(l)));
  if (leaks.length) {
    run.environment.leaks = leaks.map((l) => `${leftoverKey(l)} (${l.detail})`);
    process.stderr.write(`warning: the run left ${leaks.length} nsb- object(s) behind: ${leaks.map(leftoverKey).join(', ')} — \`nsbench cleanup\` removes them\n`);
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
