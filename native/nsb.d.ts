// Hand-written types of the node-addon-api binding (native/src/addon.cc).

export type NativeState = 'exited' | 'signaled' | 'timeout' | 'setup-failed' | 'clone-failed' | 'running';

/** One sandbox request, as the launcher takes it. */
export interface NativeSpec {
  /** NSB_NS_* bits (see `namespaces()`). */
  ns: number;
  /** Bits of `options`. */
  opts?: number;
  /** Host uid that uid 0 inside a user namespace maps to; -1 or absent: the launcher's euid. */
  mapUid?: number;
  mapGid?: number;
  /** Kill the sandbox after this long (0: never). */
  timeoutNs?: number;
  path: string;
  argv?: string[];
  env?: string[];
  hostname?: string;
  /** cgroup v2 directory to clone into (CLONE_INTO_CGROUP). */
  cgroup?: string;
  /** cgroup v1 cgroup.procs files to write the pid to before exec. */
  cgroupV1?: string[];
  /** Join this network namespace (a path such as /run/netns/nsb-...) instead of creating one. */
  netns?: string;
  /** Create the sandbox from this mount namespace (a path such as /proc/<pid>/ns/mnt): a new one copies its mounts. */
  mntns?: string;
  /** Mount a fresh tmpfs on this existing directory inside the sandbox (needs mnt). */
  tmpfs?: string;
  /** With the time namespace: "monotonic S NS\nboottime S NS\n" written to its timens_offsets before exec. */
  timeOffsets?: string;
  /** Working directory of the workload. */
  cwd?: string;
  /** run/runMany: start no sooner than this long after the launcher reaped its previous launch (0: at once). */
  gapNs?: number;
}

/** The in-sandbox setup's steps, timed by the child (ns; 0 where not done). */
export interface NativeSetupSteps {
  propagation: number;
  proc: number;
  tmpfs: number;
  lo: number;
  hostname: number;
}

/** Milestones as ns offsets from the request; -1 where the step did not happen. */
export interface NativeOffsets {
  request: number;
  cloneStart: number;
  cloneDone: number;
  childStart: number;
  mapsDone: number;
  cgroupDone: number;
  setupDone: number;
  exec: number;
  ready: number;
  exit: number;
}

/** An Error like Node's system errors. */
export interface NativeError extends Error {
  code: string;
  errno: number;
  syscall: string;
  stage?: string;
}

export interface NativeResult {
  id: number;
  state: NativeState;
  exitCode: number;
  signal: number;
  pid: number;
  clonePath: 'clone3' | 'clone' | 'none';
  /** clone-into-cgroup: CLONE_INTO_CGROUP (v2, no migration); procs-write: cgroup.procs writes before exec (v1, or v2 without clone3) */
  cgroupMethod: 'none' | 'clone-into-cgroup' | 'procs-write' | 'clone-into-cgroup+procs-write';
  /** fork-style (a copy of the launcher), vfork-style (CLONE_VM | CLONE_VFORK), or fork-style where vfork was asked for and the request rules it out (why, in brackets) */
  createMethod: string;
  ready: boolean;
  requestMonoNs: bigint;
  offsetsNs: NativeOffsets;
  child: {
    userUs: number;
    sysUs: number;
    maxRssKb: number;
    minorFaults: number;
    majorFaults: number;
    voluntaryCtxSwitches: number;
    involuntaryCtxSwitches: number;
  };
  launcher: { userUs: number; sysUs: number };
  /** when the child began its setup, as an offset from the request (-1: it did not get there) */
  setupBeginOffsetNs: number;
  setupNs: NativeSetupSteps;
  /** request − the exit of the launcher's previous launch (-1: none before it) */
  prevExitAgoNs: number;
  /** the part of that gap the launcher waited on purpose (spec.gapNs) */
  gapWaitNs: number;
  error?: NativeError;
  stdout: string;
  stderr: string;
}

export declare class Launcher {
  /** Starts the launcher process at `path` (posix_spawn) and pings it. Throws a NativeError. */
  constructor(path: string);
  readonly pid: number;
  /** Rejects with a NativeError only when the channel to the launcher breaks. */
  run(spec: NativeSpec): Promise<NativeResult>;
  /**
   * Launches and holds: resolves once the workload signalled ready, with state
   * 'running' and `id` as the handle (or with a final state if it exited or
   * failed first). A held sandbox's stdout/stderr go to /dev/null.
   */
  hold(spec: NativeSpec): Promise<NativeResult>;
  /** Holds `count` (1..4096) sandboxes of one spec in one request; a failure ends the batch (the rest: clone-failed, ECANCELED). */
  holdMany(spec: NativeSpec, count: number): Promise<NativeResult[]>;
  /**
   * Runs `count` (1..1000) launches of one spec back to back inside the launcher, with no
   * round trip between them (spec.gapNs apart). A failed launch does not stop the rest.
   */
  runMany(spec: NativeSpec, count: number): Promise<NativeResult[]>;
  /** Sends `signal` (0: none) to a held sandbox, waits up to timeoutNs (then SIGKILL), reaps it. */
  release(id: number, signal: number, timeoutNs: number): Promise<NativeResult>;
  ping(): Promise<void>;
  /** Stops the launcher; its wait status, or null if already closed. */
  close(): number | null;
}

export interface NativeNamespace {
  name: string;
  bit: number;
  cloneFlag: number;
  procFile: string;
}

export interface FreezeResult {
  /** write → the state confirmed (or → the timeout) */
  latencyNs: number;
  polls: number;
  /** v1: FROZEN rewritten while stuck in FREEZING */
  retries: number;
  timedOut: boolean;
  /** v1: still FREEZING at the timeout */
  stuck: boolean;
}

export interface NativeBinding {
  Launcher: typeof Launcher;
  namespaces(): NativeNamespace[];
  pidfdOpen(pid: number): number;
  pidfdSendSignal(pidfd: number, signal: number): void;
  closeFd(fd: number): void;
  getAffinity(pid: number): number[];
  setAffinity(pid: number, cpus: number[]): void;
  errnoName(errno: number): string;
  /** Freeze (true) or thaw a cgroup and time it in C: v2 cgroup.freeze + cgroup.events, or v1 freezer.state. */
  freeze(kind: 'v1' | 'v2', dir: string, freeze: boolean, timeoutNs: number, retryNs: number): Promise<FreezeResult>;
  options: { forceClone: number; noProc: number; noLo: number; cgroupByWrite: number; noSetup: number; vfork: number };
}
