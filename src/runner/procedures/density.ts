import { readFileSync } from 'node:fs';
import os from 'node:os';
import { linearRegression, median } from 'simple-statistics';
import type { SandboxCgroup } from '../../cgroup/index.ts';
import { builtinWorkload, type LaunchResult } from '../../launcher/index.ts';
import type { Sample } from '../../results/index.ts';
import type { DensityTarget, ResolvedVariant } from '../../scenario/index.ts';
import { skipReason } from '../skip.ts';
import type { Procedure, ProcedureContext, SampleBase } from './procedure.ts';

/** Defaults of a ramp's safety limits, each with its reason. */
export const DENSITY_DEFAULTS = {
  /** never take the machine below a gigabyte (or a tenth of it) of available memory */
  minFreeBytes: () => Math.max(2 ** 30, Math.floor(os.totalmem() / 10)),
  /** a ramp that has not reached its target in two minutes will not teach more */
  timeBudgetMs: 120_000,
  /** long enough for lazy kernel work (RCU, slab) to settle before the memory is read */
  holdMs: 500,
  /** how long to wait for memory to return after the last sandbox is reaped */
  debtTimeoutMs: 10_000,
} as const;

/** Sandboxes launched per request when they share a spec: the harness's round trip is paid once per batch. */
const BATCH = 16;

/** Headroom kept below the pid and fd limits. */
const PID_HEADROOM = 0.8;
const FD_RESERVE = 100;

function meminfo(): { availableBytes: number; slabBytes: number } {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { availableBytes: kb('MemAvailable'), slabBytes: kb('Slab') };
}

/** Live namespace objects in the kernel's slab caches (net namespaces die asynchronously, after their last process). */
export function namespaceObjects(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync('/proc/slabinfo', 'utf8').split('\n')) {
      const [name, active] = line.split(/\s+/);
      if (name && /^(net|pid|user|uts|ipc)_namespace$/.test(name)) out[name] = Number(active);
    }
  } catch {
    /* slabinfo needs root; without it only memory is watched */
  }
  return out;
}

function readNumber(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

function fdLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  return Number(/^Max open files\s+\d+\s+(\d+)/m.exec(limits)?.[1] ?? 1024);
}

/** Why a ramp to `target` must not even start here, or null (the guard rails). */
export function densityGuard(d: DensityTarget): string | null {
  const pidMax = readNumber('/proc/sys/kernel/pid_max') ?? 32768;
  const running = processCount();
  if (running + d.target > pidMax * PID_HEADROOM) return `a ramp to ${d.target} would pass ${PID_HEADROOM * 100}% of kernel.pid_max (${pidMax}, ${running} in use): lower density.target or raise kernel.pid_max`;
  const fds = fdLimit();
  if (d.target > fds - FD_RESERVE) return `a ramp to ${d.target} needs a pidfd per sandbox, the launcher may open ${fds}: lower density.target or raise the hard limit (ulimit -Hn)`;
  const floor = d.minFreeBytes ?? DENSITY_DEFAULTS.minFreeBytes();
  if (meminfo().availableBytes < floor) return `only ${Math.round(meminfo().availableBytes / 2 ** 20)} MiB available, under the ${Math.round(floor / 2 ** 20)} MiB floor: free memory or lower density.minFreeBytes`;
  return null;
}

/** Tasks on the machine now (the total of /proc/loadavg's "running/total"). */
function processCount(): number {
  return Number((readFileSync('/proc/loadavg', 'utf8').split(' ')[3] ?? '0/0').split('/')[1] ?? 0);
}

/**
 * Same-host density: a sample is one ramp. Idle sandboxes are launched and
 * held one by one up to the target, or until a launch fails, available memory
 * falls under the floor or the time budget runs out; then held, counted from
 * outside, and torn down. Records each launch's boot time (the curve and its
 * slope), launches/s, memory per instance three ways (MemAvailable, the
 * sandboxes' cgroups, slab), teardown time and teardown debt (until memory is
 * back), and the net namespace objects the slab still holds by then.
 */
export class DensityProcedure implements Procedure {
  constructor(private readonly ctx: ProcedureContext) {}

  skipReason(v: ResolvedVariant): string | null {
    const d = v.density as DensityTarget;
    return skipReason(v.ns, this.ctx.euid) ?? (d.perSandboxCgroup ? this.ctx.cgroups().unsupported({}) : null) ?? densityGuard(d);
  }

  async sample(v: ResolvedVariant, base: SampleBase): Promise<Sample> {
    const d = v.density as DensityTarget;
    const launcher = this.ctx.launcher();
    if (!launcher.hold || !launcher.release) throw new Error('this launcher cannot hold sandboxes');
    const floor = d.minFreeBytes ?? DENSITY_DEFAULTS.minFreeBytes();
    const budget = d.timeBudgetMs ?? DENSITY_DEFAULTS.timeBudgetMs;
    const idle = builtinWorkload('idle');
    const held: LaunchResult[] = [];
    const groups: SandboxCgroup[] = [];
    const boots: number[] = [];
    let stop = `reached the target of ${d.target}`;
    const nsBefore = namespaceObjects();
    const before = meminfo();
    const t0 = performance.now();
    try {
      while (held.length < d.target) {
        if (performance.now() - t0 > budget) {
          stop = `time budget of ${budget} ms`;
          break;
        }
        if (meminfo().availableBytes < floor) {
          stop = `memory floor: MemAvailable under ${Math.round(floor / 2 ** 20)} MiB`;
          break;
        }
        const spec = { ns: v.ns, path: idle, argv: ['idle'], hostname: this.ctx.scenario.hostname, timeoutMs: this.ctx.timeoutMs };
        let batch: LaunchResult[];
        if (d.perSandboxCgroup || !launcher.holdMany) {
          const group = d.perSandboxCgroup ? this.ctx.cgroups().create(`${v.id}-d`, {}) : null;
          if (group) groups.push(group);
          batch = [await launcher.hold({ ...spec, ...(group ? group.placement : {}) })];
        } else {
          batch = await launcher.holdMany(spec, Math.min(BATCH, d.target - held.length));
        }
        const failed = batch.find((r) => r.state !== 'running');
        for (const r of batch.filter((x) => x.state === 'running')) {
          held.push(r);
          boots.push(r.offsetsNs.ready);
        }
        if (failed) {
          stop = `launch ${held.length + 1} failed: ${failed.error?.message ?? `${failed.state} (exit ${failed.exitCode})`}`;
          break;
        }
      }
      const rampMs = performance.now() - t0;
      await new Promise((r) => setTimeout(r, d.holdMs ?? DENSITY_DEFAULTS.holdMs));
      const during = meminfo();
      const alive = held.filter((h) => {
        try {
          process.kill(h.pid, 0);
          return true;
        } catch {
          return false;
        }
      }).length;
      const cgroupBytes = groups.reduce((sum, g) => sum + (g.stats().cgMemoryPeakBytes ?? 0), 0);
      const t1 = performance.now();
      for (const h of held.splice(0)) await launcher.release(h.id, { timeoutMs: 10_000 });
      for (const g of groups.splice(0)) await this.ctx.cgroups().destroy(g);
      const teardownMs = performance.now() - t1;
      const debtMs = await this.#debt(before, during);
      const nsAfter = namespaceObjects();
      const n = boots.length;
      const tenth = Math.max(1, Math.floor(n / 10));
      const slope = n >= 2 ? linearRegression(boots.map((b, i) => [i, b])).m : 0;
      const metrics: Record<string, number> = {
        held: alive,
        launched: n,
        launchesPerSec: n / (rampMs / 1000),
        bootP50Ns: n ? median(boots) : 0,
        bootFirstTenthP50Ns: n ? median(boots.slice(0, tenth)) : 0,
        bootLastTenthP50Ns: n ? median(boots.slice(-tenth)) : 0,
        bootSlopeNsPerInstance: slope,
        memPerInstanceBytes: n ? (before.availableBytes - during.availableBytes) / n : 0,
        slabPerInstanceBytes: n ? (during.slabBytes - before.slabBytes) / n : 0,
        teardownNs: teardownMs * 1e6,
        teardownDebtNs: debtMs < 0 ? -1 : debtMs * 1e6,
        // net namespaces die asynchronously: how many objects per launched sandbox the slab still held when memory was back
        ...(nsBefore.net_namespace !== undefined && n ? { netnsObjectsLeftPerInstance: ((nsAfter.net_namespace ?? 0) - nsBefore.net_namespace) / n } : {}),
        ...(groups.length || d.perSandboxCgroup ? { cgroupMemPerInstanceBytes: n ? cgroupBytes / n : 0 } : {}),
      };
      const notes = [`stopped: ${stop}`, ...(debtMs < 0 ? [`memory had not returned ${DENSITY_DEFAULTS.debtTimeoutMs} ms after the teardown`] : [])];
      return { ...base, state: 'completed', metrics, clonePath: 'clone3', cgroupMethod: d.perSandboxCgroup ? 'per-sandbox' : 'none', ready: true, pid: -1, notes, series: { bootNs: boots } };
    } finally {
      for (const h of held) await launcher.release(h.id, { timeoutMs: 10_000 }).catch(() => undefined);
      for (const g of groups) await this.ctx.cgroups().destroy(g).catch(() => undefined);
    }
  }

  /** ms until MemAvailable and Slab are back within 10% of what the ramp took; -1 at the timeout. */
  async #debt(before: { availableBytes: number; slabBytes: number }, during: { availableBytes: number; slabBytes: number }): Promise<number> {
    const t = performance.now();
    const memTaken = Math.max(0, before.availableBytes - during.availableBytes);
    const slabTaken = Math.max(0, during.slabBytes - before.slabBytes);
    for (;;) {
      const now = meminfo();
      const memBack = before.availableBytes - now.availableBytes <= memTaken * 0.1;
      const slabBack = now.slabBytes - before.slabBytes <= slabTaken * 0.1;
      if (memBack && slabBack) return performance.now() - t;
      if (performance.now() - t > DENSITY_DEFAULTS.debtTimeoutMs) return -1;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
