import { CgroupError, type SandboxCgroup } from '../../cgroup/index.ts';
import { workFolder } from '../../host/index.ts';
import type { LaunchResult } from '../../launcher/index.ts';
import type { Metrics, Sample } from '../../results/index.ts';
import type { VariantOf } from '../../scenario/index.ts';
import { workloadCommand, workloadSkipReason } from '../../workloads/index.ts';
import { BacklogWatch, backlogMetrics } from '../backlog.ts';
import { skipReason } from '../skip.ts';
import { LaunchProcedure } from './launch.ts';
import { bestEffort, type ContextOf, type ProcedureOf, type SampleBase } from './procedure.ts';

const DEFAULT_SETTLE_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Noisy neighbours: each sample holds the variant's antagonist in a sandbox
 * of its own (pid namespace, its own cgroup and limits when the variant sets
 * them, a fresh nsb-work-* folder as its working directory), lets it settle,
 * runs the victim exactly as a launch scenario would, then kills the
 * antagonist and everything it made. The antagonist's cgroup figures are
 * recorded beside the victim's as `antagonist.*`. Variants without an
 * antagonist are the victim alone: the baseline its slowdown is measured against.
 */
export class InterferenceProcedure implements ProcedureOf<'interference'> {
  readonly #victim: LaunchProcedure;
  constructor(private readonly ctx: ContextOf<'interference'>) {
    this.#victim = new LaunchProcedure(ctx);
  }

  skipReason(v: VariantOf<'interference'>): string | null {
    const own = this.#victim.skipReason(v);
    if (own || !v.antagonist) return own;
    const a = v.antagonist;
    return (
      skipReason(a.ns ?? ['pid'], this.ctx.euid) ??
      workloadSkipReason(a.workload) ??
      (a.cgroup ? this.ctx.cgroups().unsupported(a.cgroup) : null)
    );
  }

  async teardown(): Promise<void> {
    await this.#victim.teardown();
  }

  async sample(v: VariantOf<'interference'>, base: SampleBase): Promise<Sample> {
    const a = v.antagonist;
    if (!a) return this.#victim.sample(v, base);
    const launcher = this.ctx.holder();
    let group: SandboxCgroup | null = null;
    if (a.cgroup) {
      try {
        group = this.ctx.cgroups().create(`${v.id}-antagonist`, a.cgroup);
      } catch (e) {
        if (!(e instanceof CgroupError)) throw e;
        return { ...base, state: 'errored', cause: 'cgroup', reason: `antagonist: ${e.message}` };
      }
    }
    const folder = workFolder();
    let held: LaunchResult | null = null;
    const extra: Metrics = {};
    let series: Record<string, number[]> = {};
    // an antagonist that churns namespaces: the kernel's teardown backlog, read while it runs and until it drains
    const watch =
      'builtin' in a.workload && a.workload.builtin === 'hog' && a.workload.args?.[0] === 'nschurn'
        ? new BacklogWatch()
        : null;
    try {
      const { path, argv } = workloadCommand(a.workload);
      held = await launcher.hold({
        ns: a.ns ?? ['pid'],
        path,
        argv,
        cwd: folder.dir,
        timeoutMs: this.ctx.timeoutMs,
        ...(group ? group.placement : {}),
      });
      if (held.state !== 'running') {
        const why =
          held.error?.message ??
          (held.state === 'exited' ? `exited with code ${held.exitCode} before it was ready` : held.state);
        held = null;
        return { ...base, state: 'errored', cause: 'antagonist', reason: `the antagonist did not start: ${why}` };
      }
      await sleep(a.settleMs ?? DEFAULT_SETTLE_MS);
      const victim = await this.#victim.sample(v, base);
      if (group) for (const [k, x] of Object.entries(group.stats())) if (x !== undefined) extra[`antagonist.${k}`] = x;
      if (watch) {
        await bestEffort(launcher.release(held.id, { signal: 9, timeoutMs: 5000 })); // the churn ends here
        held = null;
        const backlog = await watch.drained();
        Object.assign(extra, backlogMetrics(backlog));
        series = backlog.series;
      }
      if (victim.state !== 'completed') return victim;
      return {
        ...victim,
        metrics: { ...victim.metrics, ...extra },
        ...(Object.keys(series).length ? { series: { ...victim.series, ...series } } : {}),
      };
    } finally {
      watch?.stop();
      if (held) await bestEffort(launcher.release(held.id, { signal: 9, timeoutMs: 5000 }));
      if (group) await this.ctx.cgroups().destroy(group);
      folder.remove();
    }
  }
}
