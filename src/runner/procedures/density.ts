import os from 'node:os';
import { linearRegression, median } from 'simple-statistics';
import type { SandboxCgroup } from '../../cgroup/index.ts';
import {
  builtinWorkload,
  fdHardLimit,
  namespaceObjects,
  namespaceSlabs,
  pidMax,
  pssOf,
  readMeminfo,
  settleNamespaces,
  taskCount,
} from '../../host/index.ts';
import type { LaunchResult } from '../../launcher/index.ts';
import type { Sample } from '../../results/index.ts';
import type { DensityTarget, VariantOf } from '../../scenario/index.ts';
import { skipReason } from '../skip.ts';
import { bestEffort, type ContextOf, type ProcedureOf, type SampleBase } from './procedure.ts';

/** Defaults of a ramp's safety limits, each with its reason. */
const DENSITY_DEFAULTS = {
  /** never take the machine below a gigabyte (or a tenth of it) of available memory */
  minFreeBytes: () => Math.max(2 ** 30, Math.floor(os.totalmem() / 10)),
  /** a ramp that has not reached its target in two minutes will not teach more */
  timeBudgetMs: 120_000,
  /** long enough for lazy kernel work (RCU, slab) to settle before the memory is read */
  holdMs: 500,
  /**
   * how long to wait for memory and namespace objects to return after the last sandbox is reaped (net namespaces die in
   * a kernel workqueue)
   */
  debtTimeoutMs: 60_000,
  /** how long a ramp waits, before it starts, for the namespace objects of earlier work to stop dying */
  settleTimeoutMs: 60_000,
} as const;

/** What a ramp is measured by: available memory, slab, and the live namespace objects by kind. */
interface Footprint {
  availableBytes: number;
  slabBytes: number;
  ns: Record<string, number>;
}

/** Sandboxes launched per request when they share a spec: the harness's round trip is paid once per batch. */
const BATCH = 16;

/** Headroom kept below the pid and fd limits. */
const PID_HEADROOM = 0.8;
const FD_RESERVE = 100;

/**
 * What a sandbox can plausibly take: more than nothing, less than this. A
 * per-instance figure outside is noise (MemAvailable moved by the page cache
 * or another process) and is flagged, never printed as a figure.
 */
const PLAUSIBLE_MAX_BYTES = 64 * 2 ** 20;

/** Figures that may be 0: a bare sandbox has no namespace objects, and may charge no kernel memory of its own. */
const MAY_BE_ZERO = new Set(['nsObjectsPerInstanceBytes', 'chargedKernelPerInstanceBytes']);

export function plausible(perInstance: Record<string, number>): {
  valid: Record<string, number>;
  invalid: Record<string, string>;
} {
  const valid: Record<string, number> = {};
  const invalid: Record<string, string> = {};
  for (const [k, v] of Object.entries(perInstance)) {
    const low = MAY_BE_ZERO.has(k) ? v >= 0 : v > 0;
    if (Number.isFinite(v) && low && v < PLAUSIBLE_MAX_BYTES) valid[k] = v;
    else
      invalid[k] =
        `${Number.isFinite(v) ? `${(v / 1024).toFixed(0)} KiB` : String(v)} per instance is implausible (${v < PLAUSIBLE_MAX_BYTES ? 'nothing or less: memory elsewhere came back during the ramp' : 'more than 64 MiB'})`;
  }
  return { valid, invalid };
}

/**
 * Share of what a ramp took that may still be held when it counts as returned (memory, slab and namespace objects
 * alike).
 */
const RETURNED = 0.1;

/** Why a ramp to `target` must not even start here, or null (the guard rails). */
export function densityGuard(d: DensityTarget): string | null {
  const maxPids = pidMax();
  const running = taskCount();
  if (running + d.target > maxPids * PID_HEADROOM)
    return `a ramp to ${d.target} would pass ${PID_HEADROOM * 100}% of kernel.pid_max (${maxPids}, ${running} in use): lower density.target or raise kernel.pid_max`;
  const fds = fdHardLimit();
  if (d.target > fds - FD_RESERVE)
    return `a ramp to ${d.target} needs a pidfd per sandbox, the launcher may open ${fds}: lower density.target or raise the hard limit (ulimit -Hn)`;
  const floor = d.minFreeBytes ?? DENSITY_DEFAULTS.minFreeBytes();
  if (readMeminfo().availableBytes < floor)
    return `only ${Math.round(readMeminfo().availableBytes / 2 ** 20)} MiB available, under the ${Math.round(floor / 2 ** 20)} MiB floor: free memory or lower density.minFreeBytes`;
  return null;
}

/**
 * Same-host density: a sample is one ramp. Idle sandboxes are launched and
 * held one by one up to the target, or until a launch fails, available memory
 * falls under the floor or the time budget runs out; then held, counted from
 * outside, and torn down. Records each launch's boot time (the curve and its
 * slope), launches/s, memory per instance three ways (MemAvailable, the
 * sandboxes' cgroups, slab), teardown time and teardown debt (until memory
 * and namespace objects are back; a ramp first waits for earlier namespaces to
 * finish dying), and the net namespace objects the slab still holds by then.
 */
export class DensityProcedure implements ProcedureOf<'density'> {
  constructor(private readonly ctx: ContextOf<'density'>) {}

  skipReason(v: VariantOf<'density'>): string | null {
    const d = v.density;
    return (
      skipReason(v.ns, this.ctx.euid) ??
      (d.perSandboxCgroup ? this.ctx.cgroups().unsupported({}) : null) ??
      densityGuard(d)
    );
  }

  /**
   * A group for the whole ramp, with the launcher moved into it: what the
   * launcher allocates from then on (the namespaces its clones create, the
   * children's tasks, stacks and page tables) and what the sandboxes allocate
   * is charged there, kernel memory included — a measure of the sandboxes'
   * own memory that the page cache and other processes do not move. null
   * where there is no memory accounting or no launcher process to move.
   */
  #rampGroup(v: VariantOf<'density'>, pid: number | undefined): { group: SandboxCgroup; back: () => void } | null {
    if (!pid || pid <= 0 || this.ctx.euid !== 0 || this.ctx.cgroups().unsupported({})) return null;
    const group = this.ctx.cgroups().create(`${v.id}-ramp`, {});
    if (!group.chargedMemory()) {
      void this.ctx.cgroups().destroy(group);
      return null;
    }
    return { group, back: this.ctx.cgroups().adopt(group, pid) };
  }

  async sample(v: VariantOf<'density'>, base: SampleBase): Promise<Sample> {
    const d = v.density;
    const launcher = this.ctx.holder();
    const floor = d.minFreeBytes ?? DENSITY_DEFAULTS.minFreeBytes();
    const budget = d.timeBudgetMs ?? DENSITY_DEFAULTS.timeBudgetMs;
    const idle = builtinWorkload('idle');
    const held: LaunchResult[] = [];
    const groups: SandboxCgroup[] = [];
    const boots: number[] = [];
    let stop = `reached the target of ${d.target}`;
    // namespaces of earlier work still dying would return memory during the ramp
    const settledMs = await settleNamespaces(DENSITY_DEFAULTS.settleTimeoutMs);
    const nsBefore = namespaceSlabs(os.availableParallelism());
    const before = readMeminfo();
    let ramp: { group: SandboxCgroup; back: () => void } | null = null;
    let rampGone = false;
    const endRamp = async () => {
      if (!ramp || rampGone) return;
      rampGone = true;
      ramp.back();
      await this.ctx.cgroups().destroy(ramp.group);
    };
    const t0 = performance.now();
    try {
      ramp = this.#rampGroup(v, launcher.pid);
      const chargedBefore = ramp?.group.chargedMemory() ?? null;
      // the ramp's memory as it grows: what its group is charged after each batch (one file read between batches;
      // a per-sandbox-cgroup ramp would need a read per group, so it has none)
      const chargedHeld: number[] = [];
      const chargedBytes: number[] = [];
      while (held.length < d.target) {
        if (performance.now() - t0 > budget) {
          stop = `time budget of ${budget} ms`;
          break;
        }
        if (readMeminfo().availableBytes < floor) {
          stop = `memory floor: MemAvailable under ${Math.round(floor / 2 ** 20)} MiB`;
          break;
        }
        const spec = {
          ns: v.ns,
          path: idle,
          argv: ['idle'],
          hostname: this.ctx.scenario.hostname,
          timeoutMs: this.ctx.timeoutMs,
        };
        let batch: LaunchResult[];
        if (d.perSandboxCgroup) {
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
        if (chargedBefore && !d.perSandboxCgroup) {
          const now = ramp?.group.chargedMemory();
          if (now) {
            chargedHeld.push(held.length);
            chargedBytes.push(now.bytes - chargedBefore.bytes);
          }
        }
        if (failed) {
          stop = `launch ${held.length + 1} failed: ${failed.error?.message ?? `${failed.state} (exit ${failed.exitCode})`}`;
          break;
        }
      }
      const rampMs = performance.now() - t0;
      await new Promise((r) => setTimeout(r, d.holdMs ?? DENSITY_DEFAULTS.holdMs));
      const during = readMeminfo();
      const nsDuring = namespaceSlabs(os.availableParallelism());
      const charged = ramp?.group.chargedMemory() ?? null;
      const pssBytes = held.reduce((sum, h) => sum + pssOf(h.pid), 0);
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
      const groupCharged = groups.reduce((sum, g) => sum + (g.chargedMemory()?.bytes ?? 0), 0);
      for (const h of held.splice(0)) await launcher.release(h.id, { timeoutMs: 10_000 });
      for (const g of groups.splice(0)) await this.ctx.cgroups().destroy(g);
      await endRamp();
      const teardownMs = performance.now() - t1;
      const counts = (x: typeof nsBefore) => Object.fromEntries(Object.entries(x).map(([k, c]) => [k, c.active]));
      const debtMs = await this.#debt({ ...before, ns: counts(nsBefore) }, { ...during, ns: counts(nsDuring) });
      const nsAfter = namespaceObjects();
      const n = boots.length;
      const tenth = Math.max(1, Math.floor(n / 10));
      const slope = n >= 2 ? linearRegression(boots.map((b, i) => [i, b])).m : 0;
      const nsObjBytes = Object.entries(nsDuring).reduce(
        (sum, [k, c]) => sum + (c.active - (nsBefore[k]?.active ?? 0)) * c.objSize,
        0,
      );
      const perInstance: Record<string, number> = {
        // what the sandboxes are charged, kernel memory included: the ramp's group (+ their own groups)
        ...(charged && chargedBefore
          ? { chargedPerInstanceBytes: (charged.bytes - chargedBefore.bytes + groupCharged) / n }
          : {}),
        ...(charged?.kernelBytes != null && chargedBefore?.kernelBytes != null
          ? { chargedKernelPerInstanceBytes: (charged.kernelBytes - chargedBefore.kernelBytes) / n }
          : {}),
        // their processes' proportional share of the pages they map
        ...(pssBytes > 0 ? { pssPerInstanceBytes: pssBytes / n } : {}),
        // the namespace objects themselves
        ...(Object.keys(nsDuring).length ? { nsObjectsPerInstanceBytes: nsObjBytes / n } : {}),
        // the machine-wide view: moves with the page cache and every other process
        memPerInstanceBytes: (before.availableBytes - during.availableBytes) / n,
        slabPerInstanceBytes: (during.slabBytes - before.slabBytes) / n,
        ...(groups.length || d.perSandboxCgroup ? { cgroupMemPerInstanceBytes: cgroupBytes / n } : {}),
      };
      const { valid, invalid } = n ? plausible(perInstance) : { valid: {}, invalid: {} };
      const metrics: Record<string, number> = {
        held: alive,
        launched: n,
        launchesPerSec: n / (rampMs / 1000),
        bootP50Ns: n ? median(boots) : 0,
        bootFirstTenthP50Ns: n ? median(boots.slice(0, tenth)) : 0,
        bootLastTenthP50Ns: n ? median(boots.slice(-tenth)) : 0,
        bootSlopeNsPerInstance: slope,
        ...valid,
        teardownNs: teardownMs * 1e6,
        teardownDebtNs: debtMs < 0 ? -1 : debtMs * 1e6,
        // net namespaces die asynchronously: how many objects per launched sandbox the slab still held when the debt
        // was counted
        ...(nsBefore.net_namespace !== undefined && n
          ? { netnsObjectsLeftPerInstance: ((nsAfter.net_namespace ?? 0) - nsBefore.net_namespace.active) / n }
          : {}),
      };
      const notes = [
        ...Object.entries(invalid).map(([k, why]) => `${k} left out: ${why}`),
        `stopped: ${stop}`,
        ...(settledMs < 0
          ? [
              `namespace objects of earlier work were still dying ${DENSITY_DEFAULTS.settleTimeoutMs} ms before the ramp: its memory figures include their return`,
            ]
          : []),
        ...(debtMs < 0
          ? [`memory or namespace objects had not returned ${DENSITY_DEFAULTS.debtTimeoutMs} ms after the teardown`]
          : []),
      ];
      return {
        ...base,
        state: 'completed',
        metrics,
        clonePath: 'clone3',
        cgroupMethod: d.perSandboxCgroup ? 'per-sandbox' : ramp ? 'ramp-group' : 'none',
        ready: true,
        pid: -1,
        notes,
        ...(Object.keys(invalid).length
          ? { invalid: Object.fromEntries(Object.entries(invalid).map(([k]) => [k, perInstance[k] as number])) }
          : {}),
        series: { bootNs: boots, ...(chargedHeld.length ? { chargedHeld, chargedBytes } : {}) },
      };
    } finally {
      for (const h of held) await bestEffort(launcher.release(h.id, { timeoutMs: 10_000 }));
      for (const g of groups) await bestEffort(this.ctx.cgroups().destroy(g));
      await bestEffort(endRamp());
    }
  }

  /**
   * ms until MemAvailable and Slab are back within a tenth of what the ramp
   * took and the live namespace objects are back too (or have stopped
   * falling: settleNamespaces); -1 at the timeout.
   */
  async #debt(before: Footprint, during: Footprint): Promise<number> {
    const timeout = DENSITY_DEFAULTS.debtTimeoutMs;
    const memory = async (): Promise<number> => {
      const t = performance.now();
      const memTaken = Math.max(0, before.availableBytes - during.availableBytes);
      const slabTaken = Math.max(0, during.slabBytes - before.slabBytes);
      for (;;) {
        const now = readMeminfo();
        if (
          before.availableBytes - now.availableBytes <= memTaken * RETURNED &&
          now.slabBytes - before.slabBytes <= slabTaken * RETURNED
        )
          return performance.now() - t;
        if (performance.now() - t > timeout) return -1;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const taken = (k: string) => Math.max(0, (during.ns[k] ?? 0) - (before.ns[k] ?? 0)) * RETURNED;
    const [mem, ns] = await Promise.all([memory(), settleNamespaces(timeout, before.ns, taken)]);
    return mem < 0 || ns < 0 ? -1 : Math.max(mem, ns);
  }
}
