import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FreezeResult } from '../../native/nsb.d.ts';
import { errorMessage } from '../errors/index.ts';
import { type CgroupInfo, type CgroupMode, claim, detectCgroups, nativeBinding, registry } from '../host/index.ts';
import { DELEGATION_HINT, type Delegation, findDelegation, ownV2Group } from './delegation.ts';
import { CgroupError, keyedNumbers, pidsIn, readText, removeDir, singleNumber, writeText } from './fs.ts';
import { type CgroupStats, type LimitPlan, planV1, planV2, readV1Stats, readV2Stats } from './limits.ts';
import type { CgroupSpec } from './spec.ts';

/** v1 controllers a sandbox is placed in: accounting and the limits we apply (cpuset and devices are left alone). */
const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer'] as const;
/** v2 controllers nsbench enables for its groups where the machine has them. */
export const V2_CONTROLLERS = ['cpu', 'memory', 'pids', 'io'] as const;

/**
 * The freezers nsbench drives: cgroup v2 cgroup.freeze, v1 freezer.state (the one list: scenarios and results take it
 * from here).
 */
export const FREEZERS = ['v2', 'v1'] as const;
export type FreezerKind = (typeof FREEZERS)[number];

/** Where a launcher request places the sandbox at birth. */
interface Placement {
  /** cgroup v2 directory: CLONE_INTO_CGROUP (or a cgroup.procs write without clone3) */
  cgroup?: string;
  /** v1 cgroup.procs files written while the child waits */
  cgroupV1?: string[];
}

/** One sandbox's own cgroup (a directory per hierarchy). */
export class SandboxCgroup {
  constructor(
    readonly name: string,
    /** v2 leaf (v2 machines, or the controller-less unified hierarchy of a hybrid one) */
    readonly v2Dir: string | null,
    /** v1 leaves by controller */
    readonly v1Dirs: Readonly<Record<string, string>>,
    /** which hierarchy holds the limits and the accounting */
    readonly limitsIn: 'v2' | 'v1',
  ) {}

  get placement(): Placement {
    const v1 = Object.values(this.v1Dirs).map((d) => join(d, 'cgroup.procs'));
    return { ...(this.v2Dir ? { cgroup: this.v2Dir } : {}), ...(v1.length ? { cgroupV1: v1 } : {}) };
  }

  /** Freezers available to this group. */
  get freezers(): FreezerKind[] {
    const out: FreezerKind[] = [];
    if (this.v2Dir && existsSync(join(this.v2Dir, 'cgroup.freeze'))) out.push('v2');
    if (this.v1Dirs.freezer) out.push('v1');
    return out;
  }

  stats(): CgroupStats {
    return this.limitsIn === 'v2' && this.v2Dir ? readV2Stats(this.v2Dir) : readV1Stats(this.v1Dirs);
  }

  /**
   * Memory charged to the group now, kernel memory included: v2 memory.current
   * (it counts slab, stacks and page tables), v1 memory.usage_in_bytes (which
   * charges kernel memory too) with memory.kmem.usage_in_bytes as its kernel
   * part. null where the group has no memory accounting.
   */
  chargedMemory(): { bytes: number; kernelBytes: number | null } | null {
    if (this.limitsIn === 'v2' && this.v2Dir) {
      const bytes = singleNumber(readText(join(this.v2Dir, 'memory.current')));
      const stat = keyedNumbers(readText(join(this.v2Dir, 'memory.stat')));
      const kernel =
        stat.kernel ??
        (stat.slab !== undefined
          ? stat.slab + (stat.kernel_stack ?? 0) + (stat.pagetables ?? 0) + (stat.percpu ?? 0) + (stat.sock ?? 0)
          : undefined);
      return bytes === null ? null : { bytes, kernelBytes: kernel ?? null };
    }
    const dir = this.v1Dirs.memory;
    if (!dir) return null;
    const bytes = singleNumber(readText(join(dir, 'memory.usage_in_bytes')));
    return bytes === null
      ? null
      : { bytes, kernelBytes: singleNumber(readText(join(dir, 'memory.kmem.usage_in_bytes'))) };
  }

  /** Processes in the group (from the v2 leaf, else the v1 ones). */
  pids(): number[] {
    if (this.v2Dir) return pidsIn(this.v2Dir);
    const seen = new Set<number>();
    for (const d of Object.values(this.v1Dirs)) for (const p of pidsIn(d)) seen.add(p);
    return [...seen];
  }

  /** Freeze or thaw, timed in C. v1 retries a freezer stuck in FREEZING every retryMs. */
  async setFrozen(kind: FreezerKind, frozen: boolean, timeoutMs = 5000, retryMs = 50): Promise<FreezeResult> {
    const dir = kind === 'v2' ? this.v2Dir : this.v1Dirs.freezer;
    if (!dir) throw new CgroupError(`no ${kind} freezer for ${this.name}`, this.name);
    return nativeBinding().freeze(kind, dir, frozen, timeoutMs * 1e6, retryMs * 1e6);
  }

  /**
   * Kills every process in the group: cgroup.kill where there is one, else
   * SIGKILL by pid (frozen first, so nothing forks meanwhile, then thawed so
   * the signal is acted on), repeated until the group is empty.
   */
  async killAll(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const hasKill = this.v2Dir !== null && existsSync(join(this.v2Dir, 'cgroup.kill'));
    const freezer = this.v1Dirs.freezer ?? null;
    // freezing first only spares the kill a race with forks: a freeze that fails still leaves the kill below
    if (!hasKill && freezer && pidsIn(freezer).length) await this.setFrozen('v1', true, 1000).catch(() => undefined);
    for (let first = true; this.pids().length > 0; first = false) {
      if (Date.now() > deadline)
        throw new CgroupError(
          `processes of ${this.name} did not exit after SIGKILL: ${this.pids().join(' ')}`,
          this.name,
        );
      if (hasKill) {
        if (first) writeText(join(this.v2Dir as string, 'cgroup.kill'), '1');
      } else {
        for (const pid of this.pids()) {
          try {
            process.kill(pid, 'SIGKILL'); // a process in our nsb- group: one we started
          } catch {
            /* already gone */
          }
        }
      }
      // a frozen task acts on SIGKILL only once thawed (v1; v2 tasks die frozen)
      if (freezer && (readText(join(freezer, 'freezer.state')) ?? '').trim() !== 'THAWED')
        writeText(join(freezer, 'freezer.state'), 'THAWED');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async remove(): Promise<void> {
    if (this.pids().length) await this.killAll();
    const dirs = [...Object.values(this.v1Dirs), ...(this.v2Dir ? [this.v2Dir] : [])];
    for (const d of dirs) await removeDir(d);
  }
}

/**
 * Creates per-sandbox cgroups under an `nsb-<run>` parent in every hierarchy
 * this machine has, applies limits through the v2 or v1 backend, and removes
 * everything it made. v1 parents sit under nsbench's own cgroup (respecting a
 * delegated sub-tree); the v2 parent too where controllers can be enabled
 * there, else under the hierarchy's root.
 *
 * As a non-root user, only a cgroup v2 group delegated to that user is used:
 * the one nsbench runs in. Its processes (nsbench, the launcher, whatever
 * started them there) move into a leaf `nsb-<run>.harness` for the run, since
 * cgroup v2 lets a group enable controllers for its children only while it
 * holds no process; at the end the controllers nsbench enabled are disabled
 * again and the processes move back.
 */
export class CgroupManager {
  readonly info: CgroupInfo;
  readonly runName: string;
  /** where limits and accounting live */
  readonly backend: 'v2' | 'v1' | 'none';
  /** the delegated group a non-root run uses (null as root, or where none is delegated) */
  readonly delegation: Delegation | null;
  /** why a non-root run has no cgroups (null as root or when delegated) */
  readonly #notDelegated: string | null;
  #v2Parent: string | null = null;
  #harnessLeaf: string | null = null;
  #enabledAtDelegation: string[] = [];
  #v2Controllers: string[] = [];
  #v1Parents: Record<string, string> | null = null;
  #groups = new Set<SandboxCgroup>();
  #seq = 0;

  constructor(runId: string, info: CgroupInfo = detectCgroups()) {
    this.info = info;
    this.runName = `nsb-${runId}`;
    claim(this.runName); // before any of its groups exists: a cleanup beside this run leaves them alone
    const rootless = (process.geteuid?.() ?? 0) !== 0;
    const found = rootless ? findDelegation(info) : null;
    this.delegation = found && 'delegation' in found ? found.delegation : null;
    this.#notDelegated = found && 'reason' in found ? found.reason : null;
    this.backend = this.delegation
      ? 'v2'
      : info.mode === 'v2'
        ? 'v2'
        : info.mode === 'hybrid' || info.mode === 'v1'
          ? 'v1'
          : 'none';
  }

  /** v2 controllers nsbench may enable for its groups. */
  get #v2Available(): string[] {
    return usableV2Controllers(this.delegation ? this.delegation.controllers : this.info.v2Controllers);
  }

  get mode(): CgroupMode {
    return this.info.mode;
  }

  /** Why `spec` cannot be applied here, or null. */
  unsupported(spec: CgroupSpec): string | null {
    if (this.backend === 'none') return 'no cgroup hierarchy is mounted';
    if (this.#notDelegated)
      return `creating cgroups needs root or a delegated cgroup: ${this.#notDelegated} — ${DELEGATION_HINT}`;
    const plan = this.#plan(spec);
    return plan.ok ? null : plan.reason;
  }

  #plan(spec: CgroupSpec): LimitPlan {
    if (this.backend === 'v2') return planV2(spec, this.#v2Available);
    return planV1(spec, this.info.v1Controllers, (ctrl, file) => {
      const mount = this.info.v1Controllers[ctrl];
      return mount !== undefined && existsSync(join(mount, file));
    });
  }

  #unregister: (() => void) | null = null;

  /** The run's groups are registered for emergency removal as soon as its first parent exists. */
  #registerOnce(): void {
    this.#unregister ??= registry.add(`cgroups ${this.runName}`, () => this.cleanup());
  }

  /** The v2 parent: in a delegated group, below it; as root, own cgroup when it can host controllers, else the root. */
  #ensureV2Parent(): string | null {
    if (this.#v2Parent || !this.info.v2Root) return this.#v2Parent;
    const root = this.info.v2Root;
    const own = ownV2Group(this.info) as string;
    let base = own;
    if (this.delegation) {
      this.#registerOnce();
      this.#enterHarnessLeaf(own);
      const before = subtreeControl(own);
      this.#v2Controllers = enableControllers(own, this.#v2Available);
      this.#enabledAtDelegation = this.#v2Controllers.filter((c) => !before.includes(c));
    } else if (this.backend === 'v2') {
      const wanted = this.#v2Available;
      const enabledAtOwn = subtreeControl(own);
      base = own === root || wanted.every((c) => enabledAtOwn.includes(c)) ? own : root;
      this.#v2Controllers = enableControllers(base, wanted);
    }
    const parent = join(base, this.runName);
    this.#registerOnce();
    mkdirSync(parent, { recursive: true });
    if (this.#v2Controllers.length) this.#v2Controllers = enableControllers(parent, this.#v2Controllers);
    this.#v2Parent = parent;
    return parent;
  }

  /**
   * Moves every process of the delegated group `dir` into the leaf nsb-<run>.harness (new ones may appear while moving:
   * a few passes).
   */
  #enterHarnessLeaf(dir: string): void {
    const leaf = join(dir, `${this.runName}${HARNESS_SUFFIX}`);
    mkdirSync(leaf, { recursive: true });
    this.#harnessLeaf = leaf;
    const left = moveAll(dir, leaf);
    if (left.length)
      throw new CgroupError(
        `processes ${left.join(' ')} keep appearing in the delegated cgroup ${dir}; nsbench cannot empty it to enable controllers`,
        dir,
      );
  }

  /** Undoes #enterHarnessLeaf: controllers nsbench enabled are disabled, the processes move back, the leaf goes. */
  async #leaveHarnessLeaf(): Promise<void> {
    const leaf = this.#harnessLeaf;
    if (!leaf) return;
    const dir = join(leaf, '..');
    for (const c of this.#enabledAtDelegation) writeText(join(dir, 'cgroup.subtree_control'), `-${c}`);
    this.#enabledAtDelegation = [];
    moveAll(leaf, dir);
    await removeDir(leaf);
    this.#harnessLeaf = null;
  }

  #ensureV1Parents(): Record<string, string> {
    if (this.#v1Parents) return this.#v1Parents;
    const parents: Record<string, string> = {};
    for (const ctrl of V1_CONTROLLERS) {
      const mount = this.info.v1Controllers[ctrl];
      if (!mount) continue;
      const own = this.info.self[ctrlKey(this.info, ctrl)] ?? '/';
      const parent = join(mount, own, this.runName);
      this.#registerOnce();
      mkdirSync(parent, { recursive: true });
      parents[ctrl] = parent;
    }
    this.#v1Parents = parents;
    return parents;
  }

  /** A new sandbox group with `spec` applied. Throws CgroupError when it cannot be made. */
  create(label: string, spec: CgroupSpec): SandboxCgroup {
    const reason = this.unsupported(spec);
    if (reason) throw new CgroupError(reason, this.runName);
    const name = `nsb-${label.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60)}-${++this.#seq}`;
    const v2Parent = this.#ensureV2Parent();
    let v2Dir: string | null = null;
    if (v2Parent) {
      v2Dir = join(v2Parent, name);
      mkdirSync(v2Dir);
    }
    const v1Dirs: Record<string, string> = {};
    if (this.backend === 'v1') {
      for (const [ctrl, parent] of Object.entries(this.#ensureV1Parents())) {
        v1Dirs[ctrl] = join(parent, name);
        mkdirSync(v1Dirs[ctrl]);
      }
    }
    const group = new SandboxCgroup(name, v2Dir, v1Dirs, this.backend === 'v2' ? 'v2' : 'v1');
    this.#groups.add(group);
    const plan = this.#plan(spec);
    if (plan.ok) {
      for (const w of plan.writes) {
        const dir = w.controller === '' ? v2Dir : v1Dirs[w.controller];
        if (dir) writeText(join(dir, w.file), w.value);
      }
    }
    return group;
  }

  /**
   * Moves a process of nsbench's own (the launcher) into `group` in every
   * hierarchy, so that what it allocates from now on — the namespaces it
   * creates in clone, its children — is charged there; the returned function
   * moves it back to where it was.
   */
  adopt(group: SandboxCgroup, pid: number): () => void {
    const where = new Map<string, string>();
    for (const line of (readText(`/proc/${pid}/cgroup`) ?? '').split('\n').filter(Boolean)) {
      const [, ctrls = '', path = ''] = line.split(':');
      where.set(ctrls, path);
    }
    const moves: { to: string; back: string }[] = [];
    if (group.v2Dir && this.info.v2Root)
      moves.push({ to: group.v2Dir, back: join(this.info.v2Root, where.get('') ?? '/') });
    for (const [ctrl, dir] of Object.entries(group.v1Dirs)) {
      const mount = this.info.v1Controllers[ctrl];
      const path = [...where].find(([k]) => k.split(',').includes(ctrl))?.[1];
      if (mount && path !== undefined) moves.push({ to: dir, back: join(mount, path) });
    }
    for (const m of moves) writeText(join(m.to, 'cgroup.procs'), String(pid));
    return () => {
      for (const m of moves) movePid(pid, m.back);
    };
  }

  async destroy(group: SandboxCgroup): Promise<void> {
    await group.remove();
    this.#groups.delete(group);
  }

  /**
   * Removes every group this manager made and its nsb-<run> parents, killing
   * what is left. Returns what could not be removed (empty when all is gone).
   */
  async cleanup(): Promise<string[]> {
    const failed: string[] = [];
    for (const g of [...this.#groups]) {
      try {
        await this.destroy(g);
      } catch (e) {
        failed.push(errorMessage(e));
        this.#groups.delete(g);
      }
    }
    const parents = [...Object.values(this.#v1Parents ?? {}), ...(this.#v2Parent ? [this.#v2Parent] : [])];
    for (const p of parents) await removeDir(p).catch((e: Error) => failed.push(e.message));
    this.#v1Parents = null;
    this.#v2Parent = null;
    await this.#leaveHarnessLeaf().catch((e: Error) => failed.push(e.message));
    this.#unregister?.();
    this.#unregister = null;
    return failed;
  }

  /** Where the run's groups live, for the results' environment. */
  describe(): Record<string, unknown> {
    return {
      mode: this.info.mode,
      backend: this.backend,
      v2Parent: this.#v2Parent,
      v2Controllers: this.#v2Controllers,
      v1Parents: this.#v1Parents,
      ...(this.delegation
        ? { delegatedGroup: this.delegation.dir, delegatedControllers: this.delegation.controllers }
        : {}),
    };
  }
}

/** Of the controllers a v2 group offers, those nsbench enables and limits. */
export function usableV2Controllers(offered: readonly string[]): string[] {
  return offered.filter((c) => (V2_CONTROLLERS as readonly string[]).includes(c));
}

/** The /proc/self/cgroup key of a v1 controller (e.g. "cpu" lives under "cpu,cpuacct" on many distros). */
export function ctrlKey(info: CgroupInfo, ctrl: string): string {
  return Object.keys(info.self).find((k) => k.split(',').includes(ctrl)) ?? ctrl;
}

/** The suffix of the leaf a non-root run moves its delegated group's processes into. */
export const HARNESS_SUFFIX = '.harness';

function subtreeControl(dir: string): string[] {
  return (readText(join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/).filter(Boolean);
}

/** Moves one process into the v2 group `dir`; one that exited meanwhile is no error. */
function movePid(pid: number, dir: string): void {
  try {
    writeText(join(dir, 'cgroup.procs'), String(pid));
  } catch (e) {
    if ((e as CgroupError).code !== 'ESRCH') throw e;
  }
}

/**
 * Moves every process of the v2 group `from` into `to` (new ones may appear while moving: a few passes); returns those
 * still in `from`.
 */
export function moveAll(from: string, to: string): number[] {
  for (let pass = 0; pass < 5 && pidsIn(from).length; pass++) for (const pid of pidsIn(from)) movePid(pid, to);
  return pidsIn(from);
}

/** Enables the wanted controllers in dir's cgroup.subtree_control; returns those enabled. */
function enableControllers(dir: string, wanted: readonly string[]): string[] {
  const enabled = new Set(subtreeControl(dir));
  for (const c of wanted) {
    if (enabled.has(c)) continue;
    try {
      writeText(join(dir, 'cgroup.subtree_control'), `+${c}`);
      enabled.add(c);
    } catch {
      /* not available here: limits needing it are reported as unsupported */
    }
  }
  return wanted.filter((c) => enabled.has(c));
}
