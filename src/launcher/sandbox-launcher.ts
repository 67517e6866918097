import type { Launcher as NativeLauncher, NativeResult, NativeSpec } from '../../native/nsb.d.ts';
import { NATIVE_PATHS, nativeBinding, registry, requireBuilt } from '../host/index.ts';
import { type Namespace, namespaceBits } from '../isolation/index.ts';

/** What to launch, in the harness's terms. */
export interface SandboxSpec {
  ns: readonly Namespace[];
  path: string;
  argv?: readonly string[];
  env?: readonly string[];
  hostname?: string;
  timeoutMs?: number;
  /** Host uid/gid that root inside a user namespace maps to (default: the caller's). */
  userMap?: { uid: number; gid: number };
  /** Use clone() even where clone3() exists. */
  forceClone?: boolean;
  /**
   * vfork-style creation (CLONE_VM | CLONE_VFORK, as posix_spawn does): the launcher's address space is not copied;
   * where the request rules it out (maps to another uid, cgroup placement by writes, no clone3) fork-style, and the
   * result's createMethod says why.
   */
  vfork?: boolean;
  /** Skip the fresh /proc in a pid+mnt sandbox. */
  noProc?: boolean;
  cgroup?: string;
  cgroupV1?: readonly string[];
  /** Place into `cgroup` by a cgroup.procs write instead of CLONE_INTO_CGROUP (to compare the two). */
  cgroupByWrite?: boolean;
  /** Join this network namespace (e.g. /run/netns/nsb-...) instead of creating one. */
  netns?: string;
  /** Create the sandbox from this mount namespace (e.g. /proc/<pid>/ns/mnt): a new one copies its mounts. */
  mntns?: string;
  /** Mount a fresh tmpfs on this existing directory inside the sandbox (needs mnt). */
  tmpfs?: string;
  /** Working directory of the workload. */
  cwd?: string;
  /** With 'time' in ns: the sandbox's clocks run this far ahead of the host's (seconds, may be negative). */
  timeOffsets?: { monotonicSec?: number; boottimeSec?: number };
  /** No in-sandbox setup (propagation, /proc, lo, hostname): the namespaces' own cost alone. */
  noSetup?: boolean;
  /** run/runMany: start no sooner than this long after the launcher reaped its previous launch. */
  gapMs?: number;
}

export type LaunchResult = NativeResult;

/** The environment a sandbox gets unless the scenario says otherwise. */
export const DEFAULT_SANDBOX_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C'];

export function toNativeSpec(spec: SandboxSpec): NativeSpec {
  const b = nativeBinding();
  let opts = 0;
  if (spec.forceClone) opts |= b.options.forceClone;
  if (spec.noProc) opts |= b.options.noProc;
  if (spec.cgroupByWrite) opts |= b.options.cgroupByWrite;
  if (spec.noSetup) opts |= b.options.noSetup;
  if (spec.vfork) opts |= b.options.vfork;
  return {
    ns: namespaceBits(spec.ns),
    opts,
    mapUid: spec.userMap?.uid ?? -1,
    mapGid: spec.userMap?.gid ?? -1,
    timeoutNs: Math.round((spec.timeoutMs ?? 0) * 1e6),
    gapNs: Math.round((spec.gapMs ?? 0) * 1e6),
    path: spec.path,
    argv: [...(spec.argv ?? [spec.path])],
    env: [...(spec.env ?? DEFAULT_SANDBOX_ENV)],
    ...(spec.hostname ? { hostname: spec.hostname } : {}),
    ...(spec.cgroup ? { cgroup: spec.cgroup } : {}),
    ...(spec.cgroupV1 ? { cgroupV1: [...spec.cgroupV1] } : {}),
    ...(spec.netns ? { netns: spec.netns } : {}),
    ...(spec.mntns ? { mntns: spec.mntns } : {}),
    ...(spec.tmpfs ? { tmpfs: spec.tmpfs } : {}),
    ...(spec.cwd ? { cwd: spec.cwd } : {}),
    ...(spec.timeOffsets
      ? {
          timeOffsets: `monotonic ${Math.trunc(spec.timeOffsets.monotonicSec ?? 0)} 0\nboottime ${Math.trunc(spec.timeOffsets.boottimeSec ?? 0)} 0\n`,
        }
      : {}),
  };
}

/**
 * The harness's handle on the native launcher process: one per run. Requests
 * are serialized (the launcher handles one at a time); the timing is taken in C.
 */
export class SandboxLauncher {
  #native: NativeLauncher | null;
  #queue: Promise<unknown> = Promise.resolve();

  readonly #unregister: () => void;

  private constructor(native: NativeLauncher) {
    this.#native = native;
    // emergency removal kills it outright (a request may be in flight): its sandboxes die with it (PR_SET_PDEATHSIG)
    this.#unregister = registry.add(`launcher pid ${native.pid} and its sandboxes`, () => this.#kill(), {
      early: true,
    });
  }

  static start(path: string = NATIVE_PATHS.launcher): SandboxLauncher {
    const b = nativeBinding();
    return new SandboxLauncher(new b.Launcher(requireBuilt(path, 'the launcher')));
  }

  get pid(): number {
    return this.#native?.pid ?? -1;
  }

  get running(): boolean {
    return this.#native !== null;
  }

  #enqueue<T>(call: (native: NativeLauncher) => Promise<T>): Promise<T> {
    const native = this.#native;
    if (!native) return Promise.reject(new Error('the launcher is closed'));
    const next = this.#queue.then(() => call(native));
    // the queue only orders calls: a failed call's error goes to its own caller (next), not to the ones after it
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Launches one sandbox and waits for its exit; rejects only if the launcher channel breaks. */
  run(spec: SandboxSpec): Promise<LaunchResult> {
    const nspec = toNativeSpec(spec);
    return this.#enqueue((n) => n.run(nspec));
  }

  /**
   * Launches the same spec `count` times back to back inside the launcher
   * (no round trip between them, `gapMs` apart): what a C loop achieves.
   */
  runMany(spec: SandboxSpec, count: number): Promise<LaunchResult[]> {
    const nspec = toNativeSpec(spec);
    return this.#enqueue((n) => n.runMany(nspec, count));
  }

  /**
   * Launches a sandbox and holds it once it is ready: state 'running', `id`
   * is the handle for release(). Its stdout/stderr are discarded. The
   * launcher kills and reaps whatever is still held when it is closed.
   */
  hold(spec: SandboxSpec): Promise<LaunchResult> {
    const nspec = toNativeSpec(spec);
    return this.#enqueue((n) => n.hold(nspec));
  }

  /** Holds `count` sandboxes of one spec in one request (density ramps); a failure ends the batch. */
  holdMany(spec: SandboxSpec, count: number): Promise<LaunchResult[]> {
    const nspec = toNativeSpec(spec);
    return this.#enqueue((n) => n.holdMany(nspec, count));
  }

  /** Signals a held sandbox (default SIGKILL; 0 sends none), waits up to timeoutMs (then kills), reaps it. */
  release(id: number, opts: { signal?: number; timeoutMs?: number } = {}): Promise<LaunchResult> {
    const signal = opts.signal ?? 9;
    const timeoutNs = Math.round((opts.timeoutMs ?? 10_000) * 1e6);
    return this.#enqueue((n) => n.release(id, signal, timeoutNs));
  }

  #kill(): void {
    const pid = this.#native?.pid ?? -1;
    if (pid > 0) process.kill(pid, 'SIGKILL');
  }

  close(): number | null {
    const native = this.#native;
    this.#native = null;
    this.#unregister();
    return native ? native.close() : null;
  }
}
