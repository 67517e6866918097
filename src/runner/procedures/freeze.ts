import { CgroupError, type SandboxCgroup } from '../../cgroup/index.ts';
import { errorMessage } from '../../errors/index.ts';
import { builtinWorkload } from '../../host/index.ts';
import type { LaunchResult } from '../../launcher/index.ts';
import type { Sample } from '../../results/index.ts';
import type { VariantOf } from '../../scenario/index.ts';
import { skipReason } from '../skip.ts';
import { bestEffort, type ContextOf, type ProcedureOf, type SampleBase } from './procedure.ts';

/** How long a thawed sandbox runs before it is frozen again: busy processes get back on a CPU. */
const SETTLE_MS = 20;
/** Give up on a freeze or thaw after this long (a v1 freezer can stick in FREEZING). */
const FREEZE_TIMEOUT_MS = 5000;
/** v1: rewrite FROZEN this often while stuck in FREEZING. */
const FREEZE_RETRY_MS = 50;

interface Held {
  group: SandboxCgroup;
  launch: LaunchResult | null;
  failure: string | null;
}

/**
 * Pause/unpause latency. Every variant's sandbox (N processes, busy or
 * sleeping, in its own cgroup) is held for the whole scenario and kept frozen;
 * a sample thaws it (timed), lets it run SETTLE_MS, and freezes it (timed), so
 * only the sandbox under test runs and variants do not disturb each other.
 */
export class FreezeProcedure implements ProcedureOf<'freeze'> {
  readonly #held = new Map<string, Held>();
  constructor(private readonly ctx: ContextOf<'freeze'>) {}

  skipReason(v: VariantOf<'freeze'>): string | null {
    const base = skipReason(v.ns, this.ctx.euid);
    if (base) return base;
    const f = v.freeze;
    const info = this.ctx.cgroups().info;
    if (f.freezer === 'v1' && !info.v1Controllers.freezer)
      return 'no cgroup v1 freezer here (a cgroup v2 machine uses cgroup.freeze: the v2 variants)';
    if (f.freezer === 'v2' && !info.v2Root) return 'no cgroup2 hierarchy mounted here';
    return this.ctx.cgroups().unsupported(v.cgroup ?? {});
  }

  async setup(variants: VariantOf<'freeze'>[]): Promise<void> {
    const launcher = this.ctx.holder();
    const hog = builtinWorkload('hog');
    for (const v of variants) {
      const f = v.freeze;
      const group = this.ctx.cgroups().create(v.id, v.cgroup ?? {});
      const held: Held = { group, launch: null, failure: null };
      this.#held.set(v.id, held);
      const launch = await launcher.hold({
        ns: v.ns,
        path: hog,
        argv: ['hog', 'procs', String(f.processes), f.mode],
        timeoutMs: 60_000,
        ...group.placement,
      });
      if (launch.state !== 'running') {
        held.failure = `the sandbox did not start: ${launch.error?.message ?? `${launch.state} (exit ${launch.exitCode})`}`;
        continue;
      }
      held.launch = launch;
      const first = await group.setFrozen(f.freezer, true, FREEZE_TIMEOUT_MS, FREEZE_RETRY_MS);
      if (first.timedOut)
        held.failure = `could not freeze the sandbox at setup (${first.stuck ? 'stuck in FREEZING' : 'timed out'})`;
    }
  }

  async sample(v: VariantOf<'freeze'>, base: SampleBase): Promise<Sample> {
    const held = this.#held.get(v.id);
    const f = v.freeze;
    if (!held || held.failure)
      return { ...base, state: 'errored', cause: 'setup', reason: held?.failure ?? 'not set up' };
    try {
      const thaw = await held.group.setFrozen(f.freezer, false, FREEZE_TIMEOUT_MS, FREEZE_RETRY_MS);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const running = held.group.pids().length;
      const freeze = await held.group.setFrozen(f.freezer, true, FREEZE_TIMEOUT_MS, FREEZE_RETRY_MS);
      const metrics = {
        thawNs: thaw.latencyNs,
        freezeNs: freeze.latencyNs,
        freezeRetries: freeze.retries,
        freezePolls: freeze.polls,
        thawPolls: thaw.polls,
        processes: running,
      };
      if (freeze.timedOut || thaw.timedOut) {
        const what = freeze.timedOut
          ? `freeze ${freeze.stuck ? `stuck in FREEZING after ${freeze.retries} retries` : 'timed out'}`
          : 'thaw timed out';
        return {
          ...base,
          state: 'errored',
          cause: 'freeze-timeout',
          reason: `${what} (${FREEZE_TIMEOUT_MS} ms)`,
          metrics,
        };
      }
      return {
        ...base,
        state: 'completed',
        metrics,
        clonePath: held.launch?.clonePath ?? 'none',
        cgroupMethod: held.launch?.cgroupMethod ?? 'none',
        ready: true,
        pid: held.launch?.pid ?? -1,
      };
    } catch (e) {
      if (!(e instanceof CgroupError) && !(e as { syscall?: string }).syscall) throw e;
      return { ...base, state: 'errored', cause: 'cgroup', reason: errorMessage(e) };
    }
  }

  async teardown(): Promise<void> {
    const launcher = this.ctx.holder();
    for (const [, held] of this.#held) {
      const f = [...held.group.freezers];
      // thaw first: a v1-frozen task cannot act on SIGKILL until thawed
      for (const kind of f) await bestEffort(held.group.setFrozen(kind, false, 1000));
      if (held.launch) await bestEffort(launcher.release(held.launch.id, { timeoutMs: 5000 }));
      await bestEffort(this.ctx.cgroups().destroy(held.group));
    }
    this.#held.clear();
  }
}
