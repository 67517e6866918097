import { randomBytes } from 'node:crypto';
import { CgroupError, type CgroupStats, type SandboxCgroup } from '../../cgroup/index.ts';
import { ENGINES, type Engine, type EngineContext } from '../../engines/index.ts';
import { errorMessage, UserError } from '../../errors/index.ts';
import { builtinWorkload, claim, detectCgroups, registry, workFolder } from '../../host/index.ts';
import type { LaunchResult, SandboxSpec } from '../../launcher/index.ts';
import type { Metrics, Sample } from '../../results/index.ts';
import type { Scenario, VariantOf, WorkloadRef } from '../../scenario/index.ts';
import { outputMetrics, TOOL_ADAPTERS, workloadCommand, workloadSkipReason } from '../../workloads/index.ts';
import { toSample } from '../sample.ts';
import { skipReason } from '../skip.ts';
import { bestEffort, type ContextOf, type ProcedureOf, type SampleBase } from './procedure.ts';

function sandboxSpec(sc: Scenario, v: VariantOf<'launch' | 'interference'>, timeoutMs: number): SandboxSpec {
  const { path, argv } = workloadCommand(v.workload ?? sc.workload);
  if (v.tmpfs && (path === v.tmpfs || path.startsWith(`${v.tmpfs.replace(/\/$/, '')}/`)))
    throw new UserError(
      `${sc.file}: variant ${v.id}: its tmpfs on ${v.tmpfs} would hide the workload ${path}`,
      'mount the tmpfs on another folder (e.g. /dev/shm)',
    );
  return {
    ns: v.ns,
    path,
    argv,
    hostname: sc.hostname,
    timeoutMs,
    ...(v.userMap ? { userMap: v.userMap } : {}),
    ...(v.tmpfs ? { tmpfs: v.tmpfs } : {}),
  };
}

/**
 * A crowded mount namespace held for a launch scenario: where it is, the launcher holding it, how to let it go — or
 * why it could not be made.
 */
type Crowd = { mntns: string; heldBy: number | undefined; release: () => Promise<void> } | { failed: string };

/**
 * Launches the workload once per sample, in a fresh cgroup when the variant
 * has one — or, for an engine variant, runs that engine (unshare, bwrap,
 * runc, crun) bare with the no-op in the namespaces asked for.
 */
export class LaunchProcedure implements ProcedureOf<'launch' | 'interference'> {
  readonly #specs = new Map<string, SandboxSpec>();
  readonly #engineCtx: EngineContext;
  readonly #enginesUsed = new Set<string>();
  constructor(private readonly ctx: ContextOf<'launch' | 'interference'>) {
    const tag = randomBytes(3).toString('hex');
    claim(`nsb-${tag}`);
    this.#engineCtx = { tag, noop: builtinWorkload('noop'), cgroups: detectCgroups() };
  }

  #unregisterEngines: (() => void) | null = null;
  /** the crowded mount namespaces, by mount count: held by the launcher, or why one could not be made */
  readonly #crowds = new Map<number, Crowd>();

  /** A private mount namespace with `mounts` bind mounts per count the variants ask for, held until the teardown. */
  async setup(variants: VariantOf<'launch' | 'interference'>[]): Promise<void> {
    const counts = [...new Set(variants.flatMap((v) => (v.mounts === undefined ? [] : [v.mounts])))];
    for (const mounts of counts) this.#crowds.set(mounts, await this.#crowd(mounts));
  }

  async #crowd(mounts: number): Promise<Crowd> {
    const holder = this.ctx.holder();
    const folder = workFolder();
    const r = await holder.hold({
      ns: ['mnt'],
      path: builtinWorkload('crowd'),
      argv: ['crowd', String(mounts)],
      cwd: folder.dir,
      timeoutMs: Math.max(this.ctx.timeoutMs, 60_000),
    });
    if (r.state !== 'running') {
      folder.remove();
      const why = r.error?.message ?? (r.stderr.trim().split('\n')[0] || r.state);
      return { failed: `the mount namespace with ${mounts} bind mounts could not be made: ${why}` };
    }
    return {
      mntns: `/proc/${r.pid}/ns/mnt`,
      heldBy: holder.pid,
      release: async () => {
        await bestEffort(holder.release(r.id, { signal: 9, timeoutMs: 10_000 }));
        folder.remove();
      },
    };
  }

  async teardown(): Promise<void> {
    for (const c of this.#crowds.values()) if ('release' in c) await c.release();
    this.#crowds.clear();
    for (const name of this.#enginesUsed) ENGINES[name]?.cleanup(this.#engineCtx);
    this.#unregisterEngines?.();
    this.#unregisterEngines = null;
  }

  skipReason(v: VariantOf<'launch' | 'interference'>): string | null {
    const w = v.workload ?? this.ctx.scenario.workload;
    if (this.ctx.pacing.pace === 'back-to-back' && 'tool' in w && TOOL_ADAPTERS[w.tool]?.phases)
      return `${w.tool} ${w.args.join(' ')} needs a prepare and a cleanup run around each launch, which back-to-back pacing (launches in a row inside the launcher) leaves no room for`;
    if (v.mounts !== undefined && this.ctx.euid !== 0) return 'a crowded mount table is made and entered as root';
    if (v.engine)
      return (
        skipReason([], this.ctx.euid) ??
        (this.ctx.euid !== 0 ? 'engines are driven as root' : null) ??
        (ENGINES[v.engine] as Engine).unsupported(v.ns, this.#engineCtx, v.engineBinary)
      );
    const reason =
      skipReason(v.ns, this.ctx.euid) ??
      workloadSkipReason(v.workload ?? this.ctx.scenario.workload) ??
      (v.cgroup ? this.ctx.cgroups().unsupported(v.cgroup) : null);
    if (reason) return reason;
    try {
      this.#spec(v);
    } catch (e) {
      if (e instanceof UserError) return `${e.message} — ${e.fix}`;
      throw e;
    }
    return null;
  }

  /** The variant's launch request, with the scenario's pacing: the gap the launcher keeps. */
  #spec(v: VariantOf<'launch' | 'interference'>): SandboxSpec {
    const s = this.#bareSpec(v);
    const crowd = v.mounts === undefined ? null : this.#crowds.get(v.mounts);
    return {
      ...s,
      ...(this.ctx.pacing.gapMs ? { gapMs: this.ctx.pacing.gapMs } : {}),
      ...(crowd && 'mntns' in crowd ? { mntns: crowd.mntns } : {}),
    };
  }

  /** Why the variant's crowded mount table is not there (it could not be made), or null. */
  #crowdFailed(v: VariantOf<'launch' | 'interference'>): string | null {
    if (v.mounts === undefined) return null;
    const crowd = this.#crowds.get(v.mounts);
    if (!crowd) return 'its crowded mount table was not made';
    if ('failed' in crowd) return crowd.failed;
    // the holder died with a launcher that failed and was restarted: its pid may now be another process's
    return crowd.heldBy !== this.ctx.launcher().pid
      ? 'its crowded mount table went with the launcher that held it (the launcher was restarted)'
      : null;
  }

  #bareSpec(v: VariantOf<'launch' | 'interference'>): SandboxSpec {
    let s = this.#specs.get(v.id);
    if (!s && v.engine) {
      this.#enginesUsed.add(v.engine);
      this.#unregisterEngines ??= registry.add(`engine bundles and containers nsb-${this.#engineCtx.tag}*`, () =>
        this.teardown(),
      );
      const cmd = (ENGINES[v.engine] as Engine).command(v.ns, this.#specs.size, this.#engineCtx, v.engineBinary);
      s = { ns: [], path: cmd.path, argv: cmd.argv, timeoutMs: this.ctx.timeoutMs };
      this.#specs.set(v.id, s);
    }
    if (!s) {
      s = { ...sandboxSpec(this.ctx.scenario, v, this.ctx.timeoutMs), ...(v.setup === false ? { noSetup: true } : {}) };
      this.#specs.set(v.id, s);
    }
    return s;
  }

  /** An unmeasured prepare/cleanup run of a tool, bare, in the sample's working directory; the reason if it failed. */
  async #phase(w: WorkloadRef, args: string[], cwd: string): Promise<string | null> {
    const { path, argv } = workloadCommand({ ...w, args } as WorkloadRef);
    const r = await this.ctx.launcher().run({ ns: [], path, argv, cwd, timeoutMs: this.ctx.timeoutMs });
    return r.state === 'exited' && r.exitCode === 0
      ? null
      : `${argv.join(' ')} failed: ${r.error?.message ?? (r.stderr.trim() || r.state)}`;
  }

  /**
   * The variant's own cgroup for a launch (none without a cgroup spec), or the errored sample of a group that could not
   * be made.
   */
  #group(
    v: VariantOf<'launch' | 'interference'>,
    base: SampleBase,
  ): { group: SandboxCgroup | null } | { errored: Sample } {
    if (!v.cgroup) return { group: null };
    try {
      return { group: this.ctx.cgroups().create(v.id, v.cgroup) };
    } catch (e) {
      if (!(e instanceof CgroupError)) throw e;
      return {
        errored: { ...base, state: 'errored', cause: 'cgroup', reason: e.message, ...(e.code ? { code: e.code } : {}) },
      };
    }
  }

  async sample(v: VariantOf<'launch' | 'interference'>, base: SampleBase): Promise<Sample> {
    const crowdFailed = this.#crowdFailed(v);
    if (crowdFailed) return { ...base, state: 'errored', cause: 'mount-table', reason: crowdFailed };
    const made = this.#group(v, base);
    if ('errored' in made) return made.errored;
    const { group } = made;
    const workload = v.workload ?? this.ctx.scenario.workload;
    const phases = 'tool' in workload ? (TOOL_ADAPTERS[workload.tool]?.phases?.(workload.args) ?? null) : null;
    // real tools run in a fresh folder of their own (files they make, a writable cwd also when rootless)
    const folder = 'tool' in workload ? workFolder() : null;
    const workdir = folder?.dir ?? null;
    let result: LaunchResult;
    let stats: CgroupStats = {};
    try {
      if (phases && workdir) {
        const prep = await this.#phase(workload, phases.prepare, workdir);
        if (prep) return { ...base, state: 'errored', cause: 'prepare', reason: prep };
      }
      result = await this.ctx
        .launcher()
        .run({ ...this.#spec(v), ...(group ? group.placement : {}), ...(workdir ? { cwd: workdir } : {}) });
      if (group) stats = group.stats();
    } finally {
      if (group) await this.ctx.cgroups().destroy(group);
      if (phases && workdir) await this.#phase(workload, phases.cleanup, workdir);
      folder?.remove();
    }
    return this.#toSample(v, result, base, stats);
  }

  #toSample(
    v: VariantOf<'launch' | 'interference'>,
    result: LaunchResult,
    base: SampleBase,
    stats: CgroupStats,
  ): Sample {
    let fromOutput: Metrics = {};
    try {
      fromOutput = outputMetrics(v.workload ?? this.ctx.scenario.workload, result.stdout);
    } catch (e) {
      return {
        ...base,
        state: 'errored',
        cause: 'parse',
        reason: `cannot parse the workload's output: ${errorMessage(e)}`,
      };
    }
    return toSample(result, { ...base, timeoutMs: this.ctx.timeoutMs }, { ...stats, ...fromOutput });
  }

  /**
   * back-to-back: `count` launches of the variant in a row inside the
   * launcher, with no round trip between them (what a C loop achieves). The
   * first follows another variant (the lead-in); the others follow their
   * twin. A variant with a cgroup gets one group for the burst, its
   * accounting on the last sample.
   */
  async burst(v: VariantOf<'launch' | 'interference'>, base: SampleBase, count: number): Promise<Sample[]> {
    const crowdFailed = this.#crowdFailed(v);
    if (crowdFailed) return [{ ...base, state: 'errored', cause: 'mount-table', reason: crowdFailed }];
    const launcher = this.ctx.launcher();
    const made = this.#group(v, base);
    if ('errored' in made) return [made.errored];
    const { group } = made;
    let results: LaunchResult[];
    let stats: CgroupStats = {};
    try {
      results = await launcher.runMany({ ...this.#spec(v), ...(group ? group.placement : {}) }, count);
      if (group) stats = group.stats();
    } finally {
      if (group) await this.ctx.cgroups().destroy(group);
    }
    return results.map((r, b) =>
      this.#toSample(
        v,
        r,
        {
          ...base,
          conditions: { pace: 'back-to-back', prev: b === 0 ? (base.conditions?.prev ?? null) : v.id, burst: b },
        },
        b === results.length - 1 ? stats : {},
      ),
    );
  }
}
