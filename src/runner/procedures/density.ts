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
import { bestEffort, type ContextOf, type Holder, type ProcedureOf, type SampleBase } from './procedure.ts';

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
    const r: Ramp = {
      held: [],
      groups: [],
      boots: [],
      chargedHeld: [],
      chargedBytes: [],
      stop: `reached the target of ${d.target}`,
      group: null,
      groupGone: false,
    };
    // namespaces of earlier work still dying would return memory during the ramp
    const settledMs = await settleNamespaces(DENSITY_DEFAULTS.settleTimeoutMs);
    const nsBefore = namespaceSlabs(os.availableParallelism());
    const before = readMeminfo();
    const t0 = performance.now();
    try {
      r.group = this.#rampGroup(v, launcher.pid);
      const chargedBefore = r.group?.group.chargedMemory() ?? null;
      await this.#ramp(v, r, launcher, t0, chargedBefore);
      const rampMs = performance.now() - t0;
      await new Promise((res) => setTimeout(res, d.holdMs ?? DENSITY_DEFAULTS.holdMs));
      const held = measureHeld(r);
      const t1 = performance.now();
      await this.#release(r, launcher);
      const teardownMs = performance.now() - t1;
      const counts = (x: typeof nsBefore) => Object.fromEntries(Object.entries(x).map(([k, c]) => [k, c.active]));
      const debtMs = await this.#debt({ ...before, ns: counts(nsBefore) }, { ...held.mem, ns: counts(held.ns) });
      const figures = { before, nsBefore, chargedBefore, settledMs, rampMs, teardownMs, debtMs, ...held };
      return densitySample(base, d, r, figures, namespaceObjects());
    } finally {
      for (const h of r.held) await bestEffort(launcher.release(h.id, { timeoutMs: 10_000 }));
      for (const g of r.groups) await bestEffort(this.ctx.cgroups().destroy(g));
      await bestEffort(this.#endRamp(r));
    }
  }

  /**
   * Launches and holds idle sandboxes, in batches, up to the target — or until the time budget runs out, available
   * memory falls under the floor, or a launch fails (r.stop says which) — recording each boot and, between batches,
   * what the ramp's group is charged.
   */
  async #ramp(
    v: VariantOf<'density'>,
    r: Ramp,
    launcher: Holder,
    t0: number,
    chargedBefore: ChargedMemory | null,
  ): Promise<void> {
    const d = v.density;
    const floor = d.minFreeBytes ?? DENSITY_DEFAULTS.minFreeBytes();
    const budget = d.timeBudgetMs ?? DENSITY_DEFAULTS.timeBudgetMs;
    const spec = {
      ns: v.ns,
      path: builtinWorkload('idle'),
      argv: ['idle'],
      hostname: this.ctx.scenario.hostname,
      timeoutMs: this.ctx.timeoutMs,
    };
    while (r.held.length < d.target) {
      if (performance.now() - t0 > budget) {
        r.stop = `time budget of ${budget} ms`;
        return;
      }
      if (readMeminfo().availableBytes < floor) {
        r.stop = `memory floor: MemAvailable under ${Math.round(floor / 2 ** 20)} MiB`;
        return;
      }
      let batch: LaunchResult[];
      if (d.perSandboxCgroup) {
        const group = this.ctx.cgroups().create(`${v.id}-d`, {});
        r.groups.push(group);
        batch = [await launcher.hold({ ...spec, ...group.placement })];
      } else batch = await launcher.holdMany(spec, Math.min(BATCH, d.target - r.held.length));
      const failed = batch.find((x) => x.state !== 'running');
      for (const x of batch.filter((y) => y.state === 'running')) {
        r.held.push(x);
        r.boots.push(x.offsetsNs.ready);
      }
      // the ramp's memory as it grows: one file read between batches (a per-sandbox-cgroup ramp would need a read
      // per group, so it has none)
      const now = chargedBefore && !d.perSandboxCgroup ? r.group?.group.chargedMemory() : null;
      if (chargedBefore && now) {
        r.chargedHeld.push(r.held.length);
        r.chargedBytes.push(now.bytes - chargedBefore.bytes);
      }
      if (failed) {
        r.stop = `launch ${r.held.length + 1} failed: ${failed.error?.message ?? `${failed.state} (exit ${failed.exitCode})`}`;
        return;
      }
    }
  }

  /** Everything the ramp holds released, its groups removed, the launcher back where it was. */
  async #release(r: Ramp, launcher: Holder): Promise<void> {
    for (const h of r.held.splice(0)) await launcher.release(h.id, { timeoutMs: 10_000 });
    for (const g of r.groups.splice(0)) await this.ctx.cgroups().destroy(g);
    await this.#endRamp(r);
  }

  async #endRamp(r: Ramp): Promise<void> {
    if (!r.group || r.groupGone) return;
    r.groupGone = true;
    r.group.back();
    await this.ctx.cgroups().destroy(r.group.group);
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

/** One ramp under way: what it holds, and what it records on the way up. */
interface Ramp {
  held: LaunchResult[];
  /** per-sandbox groups, where the variant asks for them */
  groups: SandboxCgroup[];
  /** each held sandbox's boot (ns to ready), in launch order */
  boots: number[];
  /** sandboxes held, and what the ramp's group was charged then, after each batch */
  chargedHeld: number[];
  chargedBytes: number[];
  /** why the ramp stopped */
  stop: string;
  /** the ramp's own group with the launcher in it (and the way back), or null */
  group: { group: SandboxCgroup; back: () => void } | null;
  groupGone: boolean;
}

type ChargedMemory = NonNullable<ReturnType<SandboxCgroup['chargedMemory']>>;

/** The held sandboxes counted from outside, before the teardown. */
function measureHeld(r: Ramp) {
  return {
    mem: readMeminfo(),
    ns: namespaceSlabs(os.availableParallelism()),
    charged: r.group?.group.chargedMemory() ?? null,
    pssBytes: r.held.reduce((sum, h) => sum + pssOf(h.pid), 0),
    alive: r.held.filter((h) => {
      try {
        process.kill(h.pid, 0);
        return true;
      } catch {
        return false; // gone: not held
      }
    }).length,
    cgroupBytes: r.groups.reduce((sum, g) => sum + (g.stats().cgMemoryPeakBytes ?? 0), 0),
    groupCharged: r.groups.reduce((sum, g) => sum + (g.chargedMemory()?.bytes ?? 0), 0),
  };
}

/** What a ramp measured, from its start to the end of its teardown debt. */
type RampFigures = ReturnType<typeof measureHeld> & {
  before: ReturnType<typeof readMeminfo>;
  nsBefore: ReturnType<typeof namespaceSlabs>;
  chargedBefore: ChargedMemory | null;
  settledMs: number;
  rampMs: number;
  teardownMs: number;
  debtMs: number;
};

/** Memory per held sandbox, each way it is measured (what is implausible is left out by plausible()). */
function perInstance(d: DensityTarget, r: Ramp, f: RampFigures): Record<string, number> {
  const n = r.boots.length;
  const nsObjBytes = Object.entries(f.ns).reduce(
    (sum, [k, c]) => sum + (c.active - (f.nsBefore[k]?.active ?? 0)) * c.objSize,
    0,
  );
  return {
    // what the sandboxes are charged, kernel memory included: the ramp's group (+ their own groups)
    ...(f.charged && f.chargedBefore
      ? { chargedPerInstanceBytes: (f.charged.bytes - f.chargedBefore.bytes + f.groupCharged) / n }
      : {}),
    ...(f.charged?.kernelBytes != null && f.chargedBefore?.kernelBytes != null
      ? { chargedKernelPerInstanceBytes: (f.charged.kernelBytes - f.chargedBefore.kernelBytes) / n }
      : {}),
    // their processes' proportional share of the pages they map
    ...(f.pssBytes > 0 ? { pssPerInstanceBytes: f.pssBytes / n } : {}),
    // the namespace objects themselves
    ...(Object.keys(f.ns).length ? { nsObjectsPerInstanceBytes: nsObjBytes / n } : {}),
    // the machine-wide view: moves with the page cache and every other process
    memPerInstanceBytes: (f.before.availableBytes - f.mem.availableBytes) / n,
    slabPerInstanceBytes: (f.mem.slabBytes - f.before.slabBytes) / n,
    ...(r.groups.length || d.perSandboxCgroup ? { cgroupMemPerInstanceBytes: f.cgroupBytes / n } : {}),
  };
}

/** The ramp's sample: its metrics (boot curve, launches/s, memory, teardown), notes and series. */
function densitySample(
  base: SampleBase,
  d: DensityTarget,
  r: Ramp,
  f: RampFigures,
  nsAfter: Record<string, number>,
): Sample {
  const boots = r.boots;
  const n = boots.length;
  const tenth = Math.max(1, Math.floor(n / 10));
  const memory = perInstance(d, r, f);
  const { valid, invalid } = n ? plausible(memory) : { valid: {}, invalid: {} };
  const metrics: Record<string, number> = {
    held: f.alive,
    launched: n,
    launchesPerSec: n / (f.rampMs / 1000),
    bootP50Ns: n ? median(boots) : 0,
    bootFirstTenthP50Ns: n ? median(boots.slice(0, tenth)) : 0,
    bootLastTenthP50Ns: n ? median(boots.slice(-tenth)) : 0,
    bootSlopeNsPerInstance: n >= 2 ? linearRegression(boots.map((b, i) => [i, b])).m : 0,
    ...valid,
    teardownNs: f.teardownMs * 1e6,
    teardownDebtNs: f.debtMs < 0 ? -1 : f.debtMs * 1e6,
    // net namespaces die asynchronously: how many objects per launched sandbox the slab still held when the debt
    // was counted
    ...(f.nsBefore.net_namespace !== undefined && n
      ? { netnsObjectsLeftPerInstance: ((nsAfter.net_namespace ?? 0) - f.nsBefore.net_namespace.active) / n }
      : {}),
  };
  const notes = [
    ...Object.entries(invalid).map(([k, why]) => `${k} left out: ${why}`),
    `stopped: ${r.stop}`,
    ...(f.settledMs < 0
      ? [
          `namespace objects of earlier work were still dying ${DENSITY_DEFAULTS.settleTimeoutMs} ms before the ramp: its memory figures include their return`,
        ]
      : []),
    ...(f.debtMs < 0
      ? [`memory or namespace objects had not returned ${DENSITY_DEFAULTS.debtTimeoutMs} ms after the teardown`]
      : []),
  ];
  return {
    ...base,
    state: 'completed',
    metrics,
    clonePath: 'clone3',
    cgroupMethod: d.perSandboxCgroup ? 'per-sandbox' : r.group ? 'ramp-group' : 'none',
    ready: true,
    pid: -1,
    notes,
    ...(Object.keys(invalid).length
      ? { invalid: Object.fromEntries(Object.entries(invalid).map(([k]) => [k, memory[k] as number])) }
      : {}),
    series: {
      bootNs: boots,
      ...(r.chargedHeld.length ? { chargedHeld: r.chargedHeld, chargedBytes: r.chargedBytes } : {}),
    },
  };
}
