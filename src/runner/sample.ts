import os from 'node:os';
import { bootBreakdown, type LaunchResult } from '../launcher/index.ts';
import type { Metrics, Sample } from '../results/index.ts';
import type { SampleBase } from './procedures/procedure.ts';

type SampleContext = SampleBase & { timeoutMs: number };

/** number → name, the first name where several share a number (SIGABRT, not SIGIOT) */
const SIGNAL_NAMES = new Map<number, string>();
for (const [name, num] of Object.entries(os.constants.signals)) if (!SIGNAL_NAMES.has(num)) SIGNAL_NAMES.set(num, name);

function signalName(sig: number): string {
  return SIGNAL_NAMES.get(sig) ?? `signal ${sig}`;
}

/** The in-sandbox setup's steps, as metrics: setupWorkNs (their sum) and setup.<step>Ns for each step done. */
function setupMetrics(r: LaunchResult): Metrics {
  const steps = Object.entries(r.setupNs ?? {}).filter(([, ns]) => ns > 0);
  if (!steps.length) return {};
  return {
    setupWorkNs: steps.reduce((a, [, ns]) => a + ns, 0),
    ...Object.fromEntries(steps.map(([step, ns]) => [`setup.${step}Ns`, ns])),
  };
}

/** Where the launch sits on the machine's clock, for what is measured between launches. */
function launchTimeline(r: LaunchResult): NonNullable<Sample['at']> {
  const requestNs = Number(r.requestMonoNs);
  return {
    requestNs,
    exitNs: r.offsetsNs.exit >= 0 ? requestNs + r.offsetsNs.exit : -1,
    ...(r.offsetsNs.ready >= 0 ? { readyNs: requestNs + r.offsetsNs.ready } : {}),
    ...(r.pid > 0 ? { pid: r.pid } : {}),
  };
}

/** The gap before the launch, as the launcher saw it. */
function launchGap(r: LaunchResult): { gapNs?: number; gapWaitNs?: number } {
  return {
    ...(r.prevExitAgoNs !== undefined && r.prevExitAgoNs >= 0 ? { gapNs: r.prevExitAgoNs } : {}),
    ...(r.gapWaitNs ? { gapWaitNs: r.gapWaitNs } : {}),
  };
}

/** The metrics of one launch: the boot breakdown (wall), the setup inside, and the CPU it cost. */
function launchMetrics(r: LaunchResult): Metrics {
  const b = bootBreakdown(r.offsetsNs);
  return {
    ...setupMetrics(r),
    bootNs: b.bootNs,
    totalNs: b.totalNs,
    prepareNs: b.prepareNs,
    cloneNs: b.cloneNs,
    mapNs: b.mapNs,
    cgroupNs: b.cgroupNs,
    setupNs: b.setupNs,
    execNs: b.execNs,
    afterReadyNs: b.afterReadyNs,
    childUserUs: r.child.userUs,
    childSysUs: r.child.sysUs,
    childCpuUs: r.child.userUs + r.child.sysUs,
    childMaxRssKb: r.child.maxRssKb,
    launcherCpuUs: r.launcher.userUs + r.launcher.sysUs,
  };
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim().length > 0)
      ?.trim()
      .slice(0, 200) ?? ''
  );
}

/**
 * A launch result becomes a sample: failures are data, with their cause.
 * `extra` adds metrics measured beside the launch (cgroup accounting, the
 * workload's own JSON line); an OOM kill is told apart from other SIGKILLs by
 * the cgroup's oom_kill count.
 */
export function toSample(r: LaunchResult, ctx: SampleContext, extra: Metrics = {}): Sample {
  const base = {
    scenario: ctx.scenario,
    variant: ctx.variant,
    round: ctx.round,
    warmup: ctx.warmup,
    seq: ctx.seq,
    ...(ctx.attempt ? { attempt: ctx.attempt } : {}),
    ...(ctx.conditions
      ? { conditions: { ...ctx.conditions, ...launchGap(r), ...(r.createMethod ? { create: r.createMethod } : {}) } }
      : {}),
    ...(r.requestMonoNs ? { at: launchTimeline(r) } : {}),
  };
  const metrics = { ...launchMetrics(r), ...extra };
  if (r.state === 'exited' && r.exitCode === 0) {
    return {
      ...base,
      state: 'completed',
      metrics,
      clonePath: r.clonePath,
      cgroupMethod: r.cgroupMethod,
      ready: r.ready,
      pid: r.pid,
    };
  }
  return { ...base, state: 'errored', ...failureOf(r, ctx, extra, metrics) };
}

/** Why a launch failed, in the sample's terms: its cause, the reason in words, and what it measured before it did. */
function failureOf(
  r: LaunchResult,
  ctx: SampleContext,
  extra: Metrics,
  metrics: Metrics,
): Omit<Extract<Sample, { state: 'errored' }>, keyof SampleBase | 'state'> {
  if (r.state === 'exited') {
    const err = firstLine(r.stderr);
    if (/No space left on device/.test(r.stderr))
      return {
        cause: 'enospc',
        reason: `workload ran out of disk space (exit code ${r.exitCode}): ${err}`,
        metrics,
      };
    if ((extra.cgPidsMaxEvents ?? 0) > 0)
      return {
        cause: 'pids-max',
        reason: `workload hit its cgroup's pids.max (${extra.cgPidsMaxEvents} forks refused, exit code ${r.exitCode})${err ? `: ${err}` : ''}`,
        metrics,
      };
    return {
      cause: 'exit-code',
      reason: `workload exited with code ${r.exitCode}${err ? `: ${err}` : ''}`,
      metrics,
    };
  }
  if (r.state === 'signaled') {
    if (r.signal === 9 && (extra.cgOomKills ?? 0) > 0)
      return {
        cause: 'oom-killed',
        reason: `workload OOM-killed in its cgroup (oom_kill ${extra.cgOomKills}, memory peak ${extra.cgMemoryPeakBytes ?? '?'} bytes)`,
        metrics,
      };
    return {
      cause: 'signaled',
      reason: `workload killed by ${signalName(r.signal)}`,
      metrics,
    };
  }
  if (r.state === 'timeout') {
    return {
      cause: 'timeout',
      reason: `still running after ${ctx.timeoutMs} ms: killed (timeout)`,
    };
  }
  const e = r.error;
  return {
    cause: r.state,
    reason: e?.message ?? r.state,
    ...(e?.code ? { code: e.code } : {}),
    ...(e?.syscall ? { syscall: e.syscall } : {}),
    ...(e?.stage ? { stage: e.stage } : {}),
  };
}
