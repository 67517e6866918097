// A launcher that returns fixed timings on a virtual clock, for the runner's
// statistics paths: no namespaces, no processes.
import type { NativeResult } from '../../native/nsb.d.ts';
import type { SandboxSpec } from '../../src/launcher/index.ts';
import type { Launchable } from '../../src/runner/index.ts';

/** A result of a launch whose ready byte came at bootNs, on a virtual clock at requestNs. */
export function fixedResult(bootNs: number, over: Partial<NativeResult> = {}, requestNs = 1): NativeResult {
  return {
    id: 1,
    state: 'exited',
    exitCode: 0,
    signal: 0,
    pid: 4242,
    clonePath: 'clone3',
    cgroupMethod: 'none',
    createMethod: 'fork',
    ready: true,
    requestMonoNs: BigInt(Math.round(requestNs)),
    offsetsNs: {
      request: 0,
      cloneStart: 1000,
      cloneDone: bootNs / 4,
      childStart: bootNs / 4 + 10,
      mapsDone: -1,
      cgroupDone: -1,
      setupDone: bootNs / 2,
      exec: bootNs / 2 + 100,
      ready: bootNs,
      exit: bootNs + 50_000,
    },
    child: {
      userUs: 10,
      sysUs: 300,
      maxRssKb: 900,
      minorFaults: 40,
      majorFaults: 0,
      voluntaryCtxSwitches: 2,
      involuntaryCtxSwitches: 0,
    },
    launcher: { userUs: 5, sysUs: 60 },
    setupBeginOffsetNs: bootNs / 4 + 20,
    setupNs: { propagation: 0, proc: 0, tmpfs: 0, lo: 0, hostname: 0 },
    prevExitAgoNs: -1,
    gapWaitNs: 0,
    stdout: '',
    stderr: '',
    ...over,
  };
}

/** A test launcher's back-to-back burst: `count` of its own launches one after the other. */
export async function runInTurn(l: Pick<Launchable, 'run'>, spec: SandboxSpec, count: number): Promise<NativeResult[]> {
  const out: NativeResult[] = [];
  for (let i = 0; i < count; i++) out.push((await l.run(spec)) as NativeResult);
  return out;
}

/**
 * Boot time from a model of the spec and of the launch before it: a way to
 * give a run a known carry-over. The virtual clock advances by each launch's
 * total time plus a fixed gap.
 */
export class ModelLauncher implements Launchable {
  calls: SandboxSpec[] = [];
  closed = 0;
  #clock = 1e9;
  #prev: SandboxSpec | null = null;
  constructor(
    private readonly model: (spec: SandboxSpec, prev: SandboxSpec | null, i: number) => NativeResult | number,
    private readonly gapNs = 1_000_000,
  ) {}
  async run(spec: SandboxSpec): Promise<NativeResult> {
    const m = this.model(spec, this.#prev, this.calls.length);
    this.calls.push(spec);
    this.#prev = spec;
    const r =
      typeof m === 'number'
        ? fixedResult(m, {}, this.#clock)
        : { ...m, requestMonoNs: BigInt(Math.round(this.#clock)) };
    r.prevExitAgoNs = this.calls.length > 1 ? this.gapNs : -1;
    if (spec.vfork) r.createMethod = 'vfork';
    this.#clock += Math.max(0, r.offsetsNs.exit) + this.gapNs;
    return r;
  }
  async runMany(spec: SandboxSpec, count: number): Promise<NativeResult[]> {
    return runInTurn(this, spec, count);
  }
  close() {
    this.closed++;
  }
}
