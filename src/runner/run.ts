import { existsSync } from 'node:fs';
import os from 'node:os';
import type { Namespace } from '../isolation/index.ts';
import { SandboxLauncher, builtinWorkload, type LaunchResult, type SandboxSpec } from '../launcher/index.ts';
import {
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  ResultsWriter,
  summarize,
  type ResultFiles,
  type RunResults,
  type Sample,
  type ScenarioResult,
} from '../results/index.ts';
import type { ResolvedVariant, Scenario } from '../scenario/index.ts';
import { captureEnvironment, cpuJiffies, gitCommit, nsbenchVersion } from './environment.ts';
import { silentProgress, type ProgressSink } from './progress.ts';
import { toSample } from './sample.ts';
import { randomSeed, seededRandom, shuffled } from './shuffle.ts';

/** What the runner needs of a launcher; tests pass one with fixed timings. */
export interface Launchable {
  run(spec: SandboxSpec): Promise<LaunchResult>;
  close(): unknown;
}

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
  signal?: AbortSignal;
  runId?: string;
}

export interface RunOutcome {
  run: RunResults;
  files: ResultFiles;
  interrupted: boolean;
}

/** A failed launcher is restarted this many times per run before the run stops. */
const LAUNCHER_RESTARTS = 1;

export function makeRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0')}`;
}

/** Why a variant cannot run here, or null. */
export function skipReason(ns: readonly Namespace[], euid: number): string | null {
  for (const n of ns) {
    if (!existsSync(`/proc/self/ns/${n}`)) return `this kernel has no ${n} namespace (/proc/self/ns/${n} is missing)`;
  }
  if (euid !== 0 && ns.length > 0 && !ns.includes('user'))
    return 'needs root: creating namespaces without a user namespace needs CAP_SYS_ADMIN (run as root, or add the user namespace)';
  return null;
}

function sandboxSpec(sc: Scenario, v: ResolvedVariant, timeoutMs: number): SandboxSpec {
  const w = sc.workload;
  const [path, argv] = 'builtin' in w ? [builtinWorkload(w.builtin), [w.builtin, ...(w.args ?? [])]] : [w.command[0] as string, w.command];
  return { ns: v.ns, path, argv, hostname: sc.hostname, timeoutMs, ...(v.userMap ? { userMap: v.userMap } : {}) };
}

/**
 * Runs scenarios: every round runs each variant once, in a freshly shuffled
 * order (seeded, recorded); warm-up rounds come first and are flagged; every
 * sample is appended to disk as it arrives; results are summarized per variant
 * against the baseline.
 */
export async function runBenchmark(opts: RunOptions): Promise<RunOutcome> {
  const runId = opts.runId ?? makeRunId();
  const seed = opts.seed ?? randomSeed();
  const startedAt = new Date().toISOString();
  const steal0 = cpuJiffies();
  const environment = captureEnvironment();
  const writer = new ResultsWriter(opts.outDir, runId, { startedAt, seed, environment });
  const progress = opts.progress ?? silentProgress;
  const start = opts.startLauncher ?? (() => SandboxLauncher.start());
  const euid = process.geteuid?.() ?? 0;
  const run: RunResults = {
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId,
    status: 'partial',
    startedAt,
    finishedAt: null,
    tool: { name: 'nsbench', version: nsbenchVersion(), commit: gitCommit() },
    environment,
    scenarios: [],
  };

  const plans = opts.scenarios.map((sc) => {
    const rounds = opts.rounds ?? sc.rounds ?? opts.defaultRounds;
    const warmup = opts.warmup ?? sc.warmup ?? opts.defaultWarmup;
    const variants = opts.variants ?? sc.variants;
    return { sc, rounds, warmup, variants, timeoutMs: sc.timeoutMs ?? opts.defaultTimeoutMs };
  });
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
      const baseline = variants.some((v) => v.id === sc.baseline) ? sc.baseline : (variants.find((v) => v.ns.length === 0)?.id ?? sc.baseline);
      const samples: Sample[] = [];
      const result: ScenarioResult = {
        name: sc.name,
        description: sc.description,
        file: sc.file,
        workload: sc.workload,
        params: sc.params,
        rounds,
        warmupRounds: warmup,
        seed: scenarioSeed,
        timeoutMs,
        baseline,
        variants: variants.map((v) => ({ id: v.id, label: v.label, ns: [...v.ns], ...(v.userMap ? { userMap: v.userMap } : {}) })),
        samples,
        summary: [],
      };
      run.scenarios.push(result);
      const specs = new Map(variants.map((v) => [v.id, sandboxSpec(sc, v, timeoutMs)]));
      const skips = new Map(variants.map((v) => [v.id, skipReason(v.ns, euid)]));

      for (let round = 0; round < warmup + rounds && !interrupted; round++) {
        for (const v of shuffled(variants, random)) {
          if (opts.signal?.aborted) {
            interrupted = true;
            break;
          }
          const ctx = { scenario: sc.name, variant: v.id, round, warmup: round < warmup, seq: seq++ };
          const skip = skips.get(v.id);
          let sample: Sample;
          if (skip) {
            sample = { ...ctx, state: 'skipped', reason: skip };
          } else {
            try {
              sample = toSample(await launcher.run(specs.get(v.id) as SandboxSpec), { ...ctx, timeoutMs });
            } catch (e) {
              const err = e as Error & { code?: string; syscall?: string };
              sample = { ...ctx, state: 'errored', cause: 'launcher-died', reason: `the launcher process failed: ${err.message}`, ...(err.code ? { code: err.code } : {}) };
              writer.append(sample);
              samples.push(sample);
              launcher.close();
              if (restarts++ >= LAUNCHER_RESTARTS) throw new Error(`the launcher failed again after a restart: ${err.message}`);
              launcher = start();
              progress.tick(`${sc.name}/${v.id}`);
              continue;
            }
          }
          writer.append(sample);
          samples.push(sample);
          progress.tick(`${sc.name} ${ctx.warmup ? 'warm-up' : `round ${round - warmup + 1}/${rounds}`} ${v.id}`);
        }
      }
      result.summary = summarize(samples, variants.map((v) => v.id), baseline);
      writer.write(run); // a consistent partial file after every scenario
      if (interrupted) break;
    }
  } finally {
    launcher.close();
    progress.done();
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
