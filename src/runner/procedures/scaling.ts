import { quantileSorted } from 'simple-statistics';
import { errorMessage } from '../../errors/index.ts';
import { readCpuTimes, USER_HZ } from '../../host/index.ts';
import { bootBreakdown, runScale, type SandboxSpec, type ScaleRun, scaleUnsupported } from '../../launcher/index.ts';
import type { Metrics, Sample } from '../../results/index.ts';
import type { VariantOf } from '../../scenario/index.ts';
import { workloadCommand, workloadSkipReason } from '../../workloads/index.ts';
import { BacklogWatch, backlogMetrics } from '../backlog.ts';
import { toSample } from '../sample.ts';
import { SchedWatch } from '../sched-watch.ts';
import { skipReason } from '../skip.ts';
import type { ContextOf, ProcedureOf, SampleBase } from './procedure.ts';

/** Launches each launcher makes per sample unless the variant says otherwise. */
const DEFAULT_SCALING_LAUNCHES = 20;

/**
 * Parallel creation: each sample releases K launcher processes together (`nsb-launcher scale`), each creating and
 * destroying `launches` sandboxes of the variant's namespace set in a row, and measures what they did together —
 * create+destroy throughput (launches/s over the wall time from the release to the last exit), the boot times of
 * every launch, the CPU time the launchers and sandboxes used against that wall time, the time each launch spent
 * off a CPU (waiting in the kernel, or for a CPU once K exceeds them) — and the kernel's teardown backlog: the
 * namespace objects the churn left dying, read every 50 ms, and how long they took to drain after it (the next
 * sample starts on a drained kernel). The machine's CPU time over the sample and the drain holds the kernel
 * workers' teardown that no launcher is charged for.
 */
export class ScalingProcedure implements ProcedureOf<'scaling'> {
  #sched: SchedWatch | null = null;
  constructor(private readonly ctx: ContextOf<'scaling'>) {}

  /** The scheduler trace of the parallel runs, where this machine allows one (else the samples go without it). */
  async setup(): Promise<void> {
    const w = SchedWatch.start(this.ctx.euid);
    this.#sched = w instanceof SchedWatch ? w : null;
  }

  async teardown(): Promise<void> {
    this.#sched?.close();
    this.#sched = null;
  }

  skipReason(v: VariantOf<'scaling'>): string | null {
    const w = v.workload ?? this.ctx.scenario.workload;
    return skipReason(v.ns, this.ctx.euid) ?? workloadSkipReason(w) ?? scaleUnsupported(this.#spec(v));
  }

  #spec(v: VariantOf<'scaling'>): SandboxSpec {
    const { path, argv } = workloadCommand(v.workload ?? this.ctx.scenario.workload);
    return {
      ns: v.ns,
      path,
      argv,
      hostname: this.ctx.scenario.hostname,
      timeoutMs: this.ctx.timeoutMs,
      ...(v.userMap ? { userMap: v.userMap } : {}),
      ...(this.ctx.create === 'vfork' ? { vfork: true } : {}),
    };
  }

  async sample(v: VariantOf<'scaling'>, base: SampleBase): Promise<Sample> {
    const { k } = v.scaling;
    const launches = v.scaling.launches ?? DEFAULT_SCALING_LAUNCHES;
    const watch = new BacklogWatch();
    this.#sched?.take(); // what came before this sample
    const cpu0 = readCpuTimes();
    const t0 = performance.now();
    let run: ScaleRun;
    try {
      run = await runScale(this.#spec(v), k, launches);
    } catch (e) {
      watch.stop();
      return { ...base, state: 'errored', cause: 'launcher', reason: errorMessage(e, true) };
    }
    const sched = this.#sched?.take() ?? null;
    const backlog = backlogMetrics(await watch.drained());
    const windowNs = (performance.now() - t0) * 1e6;
    const hostBusyNs = ((readCpuTimes().busy - cpu0.busy) / USER_HZ) * 1e9;
    const failed = run.launches.find((l) => l.result.state !== 'exited' || l.result.exitCode !== 0);
    if (failed) {
      const s = toSample(failed.result, { ...base, timeoutMs: this.ctx.timeoutMs });
      const of = `launcher ${failed.worker + 1} of ${k}`;
      return s.state === 'errored'
        ? { ...s, reason: `${of}: ${s.reason}` }
        : { ...base, state: 'errored', cause: 'launch', reason: `${of}: a launch failed` };
    }
    if (run.launches.length !== k * launches)
      return {
        ...base,
        state: 'errored',
        cause: 'launcher',
        reason: `${run.launches.length} of ${k * launches} launches reported`,
      };
    const first = run.launches[0]?.result;
    const methods = [...new Set(run.launches.map((l) => l.result.createMethod))];
    return {
      ...base,
      ...(base.conditions ? { conditions: { ...base.conditions, create: methods.join(', ') } } : {}),
      state: 'completed',
      metrics: {
        ...scalingMetrics(run, hostBusyNs, windowNs),
        ...backlog,
        ...(sched
          ? {
              blockedPerLaunchNs: sched.blockedNs / run.launches.length,
              runqueuePerLaunchNs: sched.runqueueNs / run.launches.length,
              ...(sched.lost ? { schedEventsLost: sched.lost } : {}),
            }
          : {}),
      },
      clonePath: first?.clonePath ?? 'none',
      cgroupMethod: 'none',
      ready: true,
      pid: -1,
    };
  }
}

/** The figures of one parallel run (README "Scaling"). */
export function scalingMetrics(run: ScaleRun, hostBusyNs: number, windowNs: number): Metrics {
  const n = run.launches.length;
  const boots = run.launches.map((l) => bootBreakdown(l.result.offsetsNs).bootNs).sort((a, b) => a - b);
  const cpuNs = (run.userUs + run.sysUs) * 1000;
  return {
    workers: run.workers,
    launched: n,
    launchesPerSec: n / (run.wallNs / 1e9),
    bootP50Ns: quantileSorted(boots, 0.5),
    bootP90Ns: quantileSorted(boots, 0.9),
    cpuPerLaunchNs: cpuNs / n,
    offCpuPerLaunchNs: Math.max(0, run.workers * run.wallNs - cpuNs) / n,
    cpusBusy: cpuNs / run.wallNs,
    hostCpuPerLaunchNs: hostBusyNs / n,
    hostCpusBusy: windowNs > 0 ? hostBusyNs / windowNs : 0,
  };
}
