// A run's lifecycle around its scenarios: the owner record and claims, the nsb- objects found before it, the
// environment (or a resumed run's), the results writer; at the end, the launcher and cgroups put away, what the
// run left behind, and the final file. Every message goes through the run's one sink (RunState.say).
import os from 'node:os';
import { CgroupManager } from '../cgroup/index.ts';
import { findLeftovers, sortByOwner } from '../cleanup/index.ts';
import { errorMessage, UserError } from '../errors/index.ts';
import { acquireRunLock, claim, claimRunExclusively, releaseRunClaim, releaseRunLock } from '../host/index.ts';
import { SandboxLauncher } from '../launcher/index.ts';
import {
  type Environment,
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  ResultsWriter,
  type RunResults,
  type Sample,
} from '../results/index.ts';
import { randomSeed } from '../stats/index.ts';
import { listSome } from '../util/index.ts';
import { captureEnvironment, cpuJiffies, gitCommit, nsbenchVersion, resumedEnvironment } from './environment.ts';
import type { LoadWatchOptions } from './load-watch.ts';
import type { PlanOptions, ScenarioPlan } from './plan.ts';
import type { Launchable } from './procedures/procedure.ts';
import { type ProgressSink, silentProgress } from './progress.ts';

export interface RunOptions extends PlanOptions {
  /** The scenarios as planned (plan.ts planScenarios of these same options), where the caller planned them already. */
  plans?: ScenarioPlan[];
  /** The profile the run follows, recorded with the results. */
  profile?: { name: string; description: string };
  seed?: number;
  outDir: string;
  /** Write the raw CSV gzipped (<run-id>.csv.gz). */
  gzipCsv?: boolean;
  /** Run a round again this many times at most while competing load disturbs it (`--retry-noisy`). */
  retryNoisy?: number;
  /** Progress, and every message of the run (warnings, notes): the run's one sink; stderr where it takes none. */
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

/** A failed launcher is restarted this many times per run before the run stops. */
const LAUNCHER_RESTARTS = 1;

const sampleKey = (scenario: string, variant: string, round: number, burst?: number) =>
  `${scenario}\0${variant}\0${round}\0${burst ?? ''}`;
const leftoverKey = (l: { kind: string; id: string }) => `${l.kind} ${l.id}`;

function makeRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`;
}

/** A run under way: what every scenario of it shares. */
export class RunState {
  readonly runId: string;
  readonly seed: number;
  readonly progress: ProgressSink;
  readonly euid: number;
  readonly retryNoisy: number;
  readonly run: RunResults;
  readonly writer: ResultsWriter;
  /** samples a resumed run measured before it died, by scenario, variant, round and burst position */
  readonly measuredBefore = new Map<string, Sample>();
  launcher: Launchable;
  seq = 0;
  interrupted = false;
  #restarts = 0;
  #cgroups: CgroupManager | null;
  readonly #before: Set<string>;
  readonly #steal0 = cpuJiffies();

  constructor(readonly opts: RunOptions) {
    this.runId = opts.resume?.runId ?? opts.runId ?? makeRunId();
    this.seed = opts.resume?.seed ?? opts.seed ?? randomSeed();
    this.progress = opts.progress ?? silentProgress;
    this.euid = opts.euid ?? process.geteuid?.() ?? 0;
    this.retryNoisy = opts.retryNoisy ?? 0;
    this.#cgroups = opts.cgroups ?? null;
    const now = new Date().toISOString();
    const environment = opts.resume
      ? resumedEnvironment(opts.resume.environment, captureEnvironment(), now)
      : captureEnvironment();
    if (opts.ab) environment.ab = opts.ab;
    this.#claim();
    this.#before = this.#leftoversBefore(environment);
    // a resumed run keeps its start and the machine it was started on; each resume is added, with what changed
    const startedAt = opts.resume?.startedAt ?? now;
    const tool = { name: 'nsbench' as const, version: nsbenchVersion(), commit: gitCommit() };
    this.writer = new ResultsWriter(
      opts.outDir,
      this.runId,
      { startedAt, seed: this.seed, tool, environment: { ...environment, ...(opts.plan ? { plan: opts.plan } : {}) } },
      opts.resume !== undefined,
      opts.resume?.samplesFile,
      opts.gzipCsv === true,
    );
    if (opts.resume) this.#resumed(environment, opts.resume);
    this.run = {
      schema: RESULTS_SCHEMA,
      schemaVersion: RESULTS_SCHEMA_VERSION,
      runId: this.runId,
      status: 'partial',
      startedAt,
      finishedAt: null,
      tool,
      ...(opts.profile ? { profile: opts.profile } : {}),
      environment,
      scenarios: [],
    };
    this.launcher = this.#start();
  }

  /** A warning or note of the run, through its sink (above a progress bar), or on stderr. */
  say(line: string): void {
    if (this.progress.message) this.progress.message(line);
    else process.stderr.write(`${line}\n`);
  }

  /** The run's cgroups, made on first use. */
  cgroups(): CgroupManager {
    this.#cgroups ??= new CgroupManager(this.runId);
    return this.#cgroups;
  }

  /** A sample measured before a resumed run died, at this place, or undefined. */
  before(scenario: string, variant: string, round: number, burst?: number): Sample | undefined {
    return this.measuredBefore.get(sampleKey(scenario, variant, round, burst));
  }

  /** The launcher failed under a launch: a fresh one, once per run; the second failure ends the run. */
  restartLauncher(cause: string): Launchable {
    this.launcher.close();
    if (this.#restarts++ >= LAUNCHER_RESTARTS) throw new Error(`the launcher failed again after a restart: ${cause}`);
    this.launcher = this.#start();
    return this.launcher;
  }

  #start(): Launchable {
    return (this.opts.startLauncher ?? (() => SandboxLauncher.start()))();
  }

  /** This run's owner record and claims, before it makes anything. */
  #claim(): void {
    // a cleanup or a leak check beside it leaves its objects alone
    try {
      acquireRunLock(this.runId);
    } catch (e) {
      this.say(`warning: ${errorMessage(e)}: a cleanup beside this run could remove its objects`);
    }
    claim(`nsb-${this.runId}`);
    // one process appends to a run's samples file: a resume beside the run (or another resume) is refused
    const appending = claimRunExclusively(this.runId);
    if (appending !== null)
      throw new UserError(
        `run ${this.runId} is being run or resumed now${appending > 0 ? ` (pid ${appending})` : ''}: two would append to one samples file`,
        'wait for it to end, or stop it first',
      );
  }

  /** nsb- objects of earlier runs, and runs alive beside this one: recorded, said, never counted as this run's. */
  #leftoversBefore(environment: Environment): Set<string> {
    const found = sortByOwner(findLeftovers());
    const before = new Set(found.free.map(leftoverKey));
    if (before.size) {
      environment.leftoversBefore = [...before];
      this.say(
        `warning: ${before.size} nsb- object(s) of earlier runs are on this machine (\`nsbench cleanup --dry-run\` lists them); they are not counted as this run's leaks`,
      );
    }
    if (found.live.length) {
      environment.liveRunsBeside = found.live.map((l) => ({
        runId: l.owner.runId,
        pid: l.owner.pid,
        objects: l.items.length,
      }));
      this.say(
        `note: ${found.live.map((l) => `run ${l.owner.runId} (pid ${l.owner.pid})`).join(', ')} is running beside this one: its load is measured as competing load, its objects are not this run's`,
      );
    }
    return before;
  }

  #resumed(environment: Environment, resume: NonNullable<RunOptions['resume']>): void {
    for (const s of resume.samples)
      if (!s.superseded) this.measuredBefore.set(sampleKey(s.scenario, s.variant, s.round, s.conditions?.burst), s);
    environment.resumedWith = resume.samples.length;
    const entry = environment.resumes?.at(-1) ?? {};
    this.writer.resumed(entry);
    if (entry.changed)
      this.say(
        `warning: resuming on a machine that differs from the one the run started on (${Object.keys(entry.changed).join(', ')}); both are in the results (environment.resumes)`,
      );
  }

  /** After the scenarios (or an error among them): the launcher and the cgroups put away, the progress ended. */
  async close(completed: boolean): Promise<void> {
    this.launcher.close();
    const cgroups = this.#cgroups;
    if (cgroups) {
      this.run.environment.cgroupPlacement = cgroups.describe();
      const left = await cgroups.cleanup();
      if (left.length) {
        this.run.environment.cleanupFailures = left;
        this.say(`warning: nsbench could not remove some of its cgroups: ${left.join('; ')}`);
      }
    }
    this.progress.done();
    if (!completed) {
      releaseRunLock(); // an error on the way out: the record goes with it
      releaseRunClaim(this.runId);
    }
  }

  /** The run's end: what it left behind (not another live run's), steal and load, status, the final file. */
  finish(): RunResults {
    const leaks = sortByOwner(findLeftovers()).free.filter((l) => !this.#before.has(leftoverKey(l)));
    releaseRunLock();
    releaseRunClaim(this.runId);
    const env = this.run.environment;
    if (leaks.length) {
      env.leaks = leaks.map((l) => `${leftoverKey(l)} (${l.detail})`);
      this.say(
        `warning: the run left ${leaks.length} nsb- object(s) behind: ${listSome(leaks.map(leftoverKey), 8)} — \`nsbench cleanup\` removes them`,
      );
    }
    env.stealFraction = this.stealSinceStart();
    env.loadAverageAtEnd = os.loadavg();
    this.run.status = this.interrupted ? 'partial' : 'complete';
    this.run.finishedAt = new Date().toISOString();
    this.writer.write(this.run);
    return this.run;
  }

  /** Share of CPU time the hypervisor took since the run began. */
  stealSinceStart(): number {
    const now = cpuJiffies();
    const total = now.total - this.#steal0.total;
    return total > 0 ? (now.steal - this.#steal0.steal) / total : 0;
  }
}
