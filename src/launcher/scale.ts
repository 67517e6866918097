import { spawn } from 'node:child_process';
import type { NativeResult } from '../../native/nsb.d.ts';
import { NATIVE_PATHS, registry, requireBuilt } from '../host/index.ts';
import { DEFAULT_SANDBOX_ENV, type LaunchResult, type SandboxSpec } from './sandbox-launcher.ts';

/** What one parallel creation run gave: every launch, and the wall and CPU time of all of them together. */
export interface ScaleRun {
  /** every launch, with the worker that made it (0..workers-1) */
  launches: { worker: number; result: LaunchResult }[];
  workers: number;
  /** launches each worker was asked for */
  count: number;
  /** CLOCK_MONOTONIC when the workers were released */
  startMonoNs: number;
  /** from the release to the last worker's exit */
  wallNs: number;
  /** CPU time of the workers and of every sandbox they reaped (RUSAGE_CHILDREN) */
  userUs: number;
  sysUs: number;
}

/** The parts of a SandboxSpec the one-shot `nsb-launcher scale` takes; the reason another part cannot go, or null. */
export function scaleUnsupported(spec: SandboxSpec): string | null {
  if (spec.netns) return 'joining a held network namespace';
  if (spec.mntns) return 'a crowded mount table';
  if (spec.tmpfs) return 'a tmpfs mount';
  if (spec.cgroupV1?.length) return 'cgroup v1 placement';
  if (spec.cgroupByWrite) return 'placement by a cgroup.procs write';
  if (spec.timeOffsets) return 'clock offsets';
  return null;
}

function scaleArgs(spec: SandboxSpec, workers: number, count: number): string[] {
  const why = scaleUnsupported(spec);
  if (why) throw new Error(`a parallel creation run cannot take ${why}`);
  return [
    'scale',
    '--workers',
    String(workers),
    '--count',
    String(count),
    '--ns',
    spec.ns.length ? spec.ns.join(',') : 'bare',
    ...(spec.timeoutMs ? ['--timeout-ms', String(Math.ceil(spec.timeoutMs))] : []),
    ...(spec.hostname ? ['--hostname', spec.hostname] : []),
    ...(spec.userMap ? ['--map-uid', String(spec.userMap.uid), '--map-gid', String(spec.userMap.gid)] : []),
    ...(spec.forceClone ? ['--force-clone'] : []),
    ...(spec.noProc ? ['--no-proc'] : []),
    ...(spec.noSetup ? ['--no-setup'] : []),
    ...(spec.vfork ? ['--vfork'] : []),
    ...(spec.gapMs ? ['--gap-ms', String(spec.gapMs)] : []),
    ...(spec.cgroup ? ['--cgroup', spec.cgroup] : []),
    '--',
    spec.path,
    ...(spec.argv ?? [spec.path]).slice(1),
  ];
}

interface LaunchLine {
  state: NativeResult['state'];
  exitCode: number;
  signal: number;
  pid: number;
  clonePath: NativeResult['clonePath'];
  createMethod: string;
  ready: boolean;
  requestMonoNs: number;
  offsetsNs: NativeResult['offsetsNs'];
  setupNs: NativeResult['setupNs'];
  prevExitAgoNs: number;
  gapWaitNs: number;
  childUserUs: number;
  childSysUs: number;
  childMaxRssKb: number;
  launcherUserUs: number;
  launcherSysUs: number;
  error?: NativeResult['error'];
  stdout: string;
  stderr: string;
}

/** A launch line of `nsb-launcher run`/`scale` as the addon's result (the fields the line lacks: none, -1, 0). */
function launchFromLine(l: LaunchLine, id = 0): LaunchResult {
  return {
    id,
    state: l.state,
    exitCode: l.exitCode,
    signal: l.signal,
    pid: l.pid,
    clonePath: l.clonePath,
    cgroupMethod: 'none',
    createMethod: l.createMethod,
    ready: l.ready,
    requestMonoNs: BigInt(l.requestMonoNs),
    offsetsNs: l.offsetsNs,
    child: {
      userUs: l.childUserUs,
      sysUs: l.childSysUs,
      maxRssKb: l.childMaxRssKb,
      minorFaults: 0,
      majorFaults: 0,
      voluntaryCtxSwitches: 0,
      involuntaryCtxSwitches: 0,
    },
    launcher: { userUs: l.launcherUserUs, sysUs: l.launcherSysUs },
    setupBeginOffsetNs: -1,
    setupNs: l.setupNs,
    prevExitAgoNs: l.prevExitAgoNs,
    gapWaitNs: l.gapWaitNs,
    ...(l.error ? { error: l.error } : {}),
    stdout: l.stdout,
    stderr: l.stderr,
  };
}

/**
 * K launcher processes creating and destroying sandboxes at once: `nsb-launcher scale` forks `workers` workers,
 * releases them together, and each runs `count` launches of `spec` in a row (as `runMany` does). A process of its
 * own per request, started by spawn (no thread of Node's pool held per worker), that dies with nsbench
 * (PR_SET_PDEATHSIG), its workers and their sandboxes with it. Rejects when it could not run or said nothing
 * readable; a launch that failed is a result like the others.
 */
export function runScale(
  spec: SandboxSpec,
  workers: number,
  count: number,
  path: string = NATIVE_PATHS.launcher,
): Promise<ScaleRun> {
  const args = scaleArgs(spec, workers, count);
  const child = spawn(requireBuilt(path, 'the launcher'), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: Object.fromEntries(
      (spec.env ?? DEFAULT_SANDBOX_ENV).map((e) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]),
    ),
    ...(spec.cwd ? { cwd: spec.cwd } : {}),
  });
  const unregister = registry.add(`parallel launcher pid ${child.pid} and its workers`, () => child.kill('SIGKILL'), {
    early: true,
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      unregister();
      reject(e);
    });
    child.once('close', (code, signal) => {
      unregister();
      const launches: ScaleRun['launches'] = [];
      let summary: Omit<ScaleRun, 'launches'> | null = null;
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        let j: { worker?: number; launch?: LaunchLine; scale?: Omit<ScaleRun, 'launches'> };
        try {
          j = JSON.parse(line);
        } catch {
          continue; // a line cut short (the process killed mid-write): the count of launches says one is missing
        }
        if (j.launch) launches.push({ worker: j.worker ?? 0, result: launchFromLine(j.launch, launches.length) });
        else if (j.scale) summary = j.scale;
      }
      if (!summary)
        reject(
          new Error(
            `nsb-launcher scale ended (${signal ?? `code ${code}`}) without its summary: ${err.trim().split('\n')[0] || 'no message'}`,
          ),
        );
      else resolve({ ...summary, launches });
    });
  });
}
