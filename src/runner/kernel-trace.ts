import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors/index.ts';
import {
  overruns,
  parseTraceLine,
  schedFork,
  schedSwitch,
  type TraceEvent,
  TraceInstance,
  type TracingFacilities,
  traceableFunctions,
  tracefsRoot,
  tracefsUnavailable,
  tracingFacilities,
} from '../host/index.ts';
import { PHASES } from '../launcher/index.ts';
import { type Metrics, NS_FUNCTIONS, type Sample } from '../results/index.ts';

/**
 * What a scenario (`kernelTrace`) or a run (`--kernel-trace`) asks for.
 * System calls, scheduling and cgroup events always; `functions`: the
 * function-level split of the namespace-creating calls is required (without
 * it, it is taken where the kernel allows and left out where not);
 * `footprint`: every kernel function the sandbox runs is counted (the
 * function tracer on everything, for the sandbox's tasks alone).
 */
export interface KernelTraceAsk {
  functions: boolean;
  footprint: boolean;
}

/** The system calls traced per sample, by their tracepoint names (syscalls/sys_enter_<name>). */
const TRACED_SYSCALLS = [
  'clone3',
  'clone',
  'unshare',
  'setns',
  'mount',
  'umount',
  'pivot_root',
  'move_mount',
  'open_tree',
  'fsmount',
  'execve',
  'exit_group',
  'sethostname',
  'write',
] as const;

const NS_CALLS = new Set(['clone3', 'clone', 'unshare', 'setns']);

/** How a scenario's kernel tracing went: on, with what, or why not. */
interface KernelTraceState {
  traced: boolean;
  /** the function-level split ran (function tracer on the namespace constructors) */
  functions: boolean;
  footprint: boolean;
  /** why not (all of it, or the function-level part) */
  reason?: string;
}

interface Task {
  state: 'on' | 'runnable' | 'blocked';
  /** the open system call and when it began */
  /**
   * the system call under way; for a clone, `forkNs` is when the child was made (sched_process_fork): its work ends
   * there — a vfork-style clone returns only after the child's execve, and that wait is the child's time, not clone's
   */
  sys?: { name: string; atNs: number; marks: { fn: string; atNs: number }[]; forkNs?: number };
}

interface Window {
  sample: Sample;
  startNs: number;
  bootEndNs: number;
  endNs: number;
  /** [name, from, to] in time order: the boot phases, then afterReady */
  phases: [string, number, number][];
  tree: Set<number>;
  metrics: Metrics;
  functions: Set<string>;
}

const num = (fields: string, name: string) => Number(new RegExp(`\\b${name}=(-?\\d+)`).exec(fields)?.[1] ?? NaN);

/**
 * Per launch scenario with kernel tracing asked for: an nsb- tracefs
 * instance on the launcher and everything it forks (set_event_pid with
 * event-fork), with the system calls above, context switches and wakeups,
 * forks and cgroup events (and the function tracer where asked and
 * allowed). After each launch, collect() reads what was traced and adds to
 * each sample, before it is written:
 * - `kernel.syscall.<name>.ns` / `.count`: the named calls of the launcher
 *   and the sandbox during the launch (request → reaped); the launcher's
 *   writes in the map phase are `mapWrite` (uid/gid maps), in the cgroup
 *   phase `cgroupWrite` (cgroup.procs); exit_group runs until the task's
 *   last context switch;
 * - `kernel.runNs`, `kernel.waitNs` (boot wall time when neither the
 *   launcher nor any task of the sandbox was on a CPU), `kernel.waitCpuNs`
 *   (of that, one of them was runnable: waiting for a CPU), and
 *   `kernel.wait.<phase>` for each boot phase and afterReadyNs;
 * - `kernel.cgroup.<event>.count` (attach_task, mkdir, freeze, …);
 * - `kernel.fn.<function>.ns`: a namespace constructor's slice of the
 *   clone/unshare call (function tracer);
 * - `kernel.footprint.functions` / `.calls` (footprint), and
 *   `kernel.trace.lostEvents` where the ring buffer overflowed.
 */
export class KernelTrace {
  readonly state: KernelTraceState;
  readonly #trace: TraceInstance | null;
  /**
   * the run's cgroups made and removed (by nsbench itself, outside the launcher: their own instance, filtered by path)
   */
  #cgroups: TraceInstance | null = null;
  readonly #tasks = new Map<number, Task>();
  #launchers: number[];
  #lastNs = 0;
  #lost = 0;

  private constructor(trace: TraceInstance | null, state: KernelTraceState, launchers: number[]) {
    this.#trace = trace;
    this.state = state;
    this.#launchers = launchers;
  }

  /**
   * Why this machine cannot give what was asked for, or null: tracefs and
   * root for all of it, the syscalls/sched/cgroup tracepoints, and the
   * function tracer where it is required (functions, footprint).
   */
  static unavailable(euid: number, ask: KernelTraceAsk, given?: TracingFacilities): string | null {
    const base = tracefsUnavailable(euid); // mounts tracefs where it is missing: the facilities are read after it
    if (base) return base;
    const f = given ?? tracingFacilities();
    const missing = (['syscalls', 'sched', 'cgroup'] as const).filter((k) => !f.tracepoints[k]);
    if (missing.length) return `this kernel has no ${missing.join(', ')} tracepoints (nsbench doctor)`;
    if ((ask.functions || ask.footprint) && !f.functionTracer)
      return `${ask.footprint ? 'the kernel footprint' : 'the function-level split'} needs the function tracer, which this kernel ${f.functionTracerRefused ? 'lists but refuses' : 'does not have'} (nsbench doctor; scripts/v2-vm.sh boots a kernel that has it)`;
    return null;
  }

  /**
   * Starts tracing the launcher (pid) and what it forks, in instances/<name>; throws nothing: a failure is its state.
   */
  static start(name: string, euid: number, launcherPid: number, ask: KernelTraceAsk, cgroupPath?: string): KernelTrace {
    const t = KernelTrace.#start(name, euid, launcherPid, ask);
    if (t.#trace && cgroupPath) {
      try {
        const filter = `path ~ "*${cgroupPath}*"`;
        const root = tracefsRoot() as string;
        const events = ['cgroup_mkdir', 'cgroup_rmdir', 'cgroup_release'].filter((e) =>
          existsSync(join(root, 'events', 'cgroup', e)),
        ); // cgroup_release is newer than 6.1
        t.#cgroups = TraceInstance.create(
          root,
          `${name}c`,
          events.map((e) => ({ event: `cgroup/${e}`, filter })),
          { bufferKb: 256 },
        );
      } catch {
        // the launcher's own cgroup events are still traced
      }
    }
    return t;
  }

  static #start(name: string, euid: number, launcherPid: number, ask: KernelTraceAsk): KernelTrace {
    const mountWhy = tracefsUnavailable(euid); // mounts tracefs where it is missing, before its facilities are read
    const f = tracingFacilities();
    const why = mountWhy ?? KernelTrace.unavailable(euid, ask, f);
    if (why) return new KernelTrace(null, { traced: false, functions: false, footprint: false, reason: why }, []);
    const root = tracefsRoot() as string;
    const syscalls = TRACED_SYSCALLS.filter((c) => existsSync(join(root, 'events', 'syscalls', `sys_enter_${c}`)));
    const events = [
      ...syscalls.flatMap((c) => [{ event: `syscalls/sys_enter_${c}` }, { event: `syscalls/sys_exit_${c}` }]),
      { event: 'sched/sched_switch' },
      { event: 'sched/sched_wakeup' },
      { event: 'sched/sched_wakeup_new' },
      { event: 'sched/sched_process_fork' },
      { event: 'cgroup' },
    ];
    const known = f.functionTracer ? [...traceableFunctions(root, Object.keys(NS_FUNCTIONS))] : [];
    const functions: readonly string[] | 'all' | undefined = ask.footprint ? 'all' : known.length ? known : undefined;
    const tryCreate = (fns: typeof functions) =>
      TraceInstance.create(root, name, events, {
        pids: [launcherPid],
        ...(fns ? { functions: fns } : {}),
        bufferKb: ask.footprint ? 32768 : 4096,
      });
    try {
      const noSplit = f.functionTracer
        ? 'the kernel has none of the namespace constructors by name (/proc/kallsyms)'
        : f.functionTracerRefused
          ? 'this kernel lists the function tracer but refuses it'
          : 'this kernel has no function tracer';
      return new KernelTrace(
        tryCreate(functions),
        {
          traced: true,
          functions: functions !== undefined,
          footprint: ask.footprint,
          ...(functions ? {} : { reason: noSplit }),
        },
        [launcherPid],
      );
    } catch (e) {
      const msg = errorMessage(e, true);
      // the function tracer is optional unless asked for: without it, the rest
      if (functions && !ask.functions && !ask.footprint) {
        try {
          return new KernelTrace(
            tryCreate(undefined),
            { traced: true, functions: false, footprint: false, reason: `function tracer refused: ${msg}` },
            [launcherPid],
          );
        } catch (e2) {
          return new KernelTrace(
            null,
            {
              traced: false,
              functions: false,
              footprint: false,
              reason: `cannot trace: ${errorMessage(e2, true)}`,
            },
            [],
          );
        }
      }
      return new KernelTrace(
        null,
        { traced: false, functions: false, footprint: false, reason: `cannot trace: ${msg}` },
        [],
      );
    }
  }

  /** A new launcher (after a restart) is traced too. */
  follow(pid: number): void {
    if (!this.#trace || pid <= 0 || this.#launchers.includes(pid)) return;
    this.#launchers.push(pid);
    this.#trace.addPids([pid]);
  }

  /**
   * Launches were measured (their samples not yet written): reads the trace
   * and adds each launch's kernel metrics to its sample.
   */
  collect(samples: readonly Sample[]): void {
    if (!this.#trace) return;
    const windows: Window[] = [];
    for (const s of samples) {
      if (s.state !== 'completed' || !s.at || s.at.exitNs < 0) continue;
      const start = s.at.requestNs;
      const phases: [string, number, number][] = [];
      let at = start;
      for (const p of PHASES) {
        const d = s.metrics[p] ?? 0;
        phases.push([p, at, at + d]);
        at += d;
      }
      const bootEnd = s.at.readyNs ?? s.at.exitNs;
      phases.push(['afterReadyNs', bootEnd, s.at.exitNs]);
      windows.push({
        sample: s,
        startNs: start,
        bootEndNs: bootEnd,
        endNs: s.at.exitNs,
        phases,
        tree: new Set(s.at.pid ? [s.at.pid] : []),
        metrics: {},
        functions: new Set(),
      });
    }
    for (const line of this.#trace.read()) {
      const e = parseTraceLine(line);
      if (e) this.#event(e, windows);
    }
    // a sample's cgroup is made just before its request and removed just after it was reaped (a burst's around the
    // burst)
    for (const line of this.#cgroups?.read() ?? []) {
      const e = parseTraceLine(line);
      if (!e || !windows.length) continue;
      const w =
        e.event === 'cgroup_mkdir'
          ? (windows.find((x) => x.startNs >= e.tsNs) ?? windows[0])
          : (windows.findLast((x) => x.endNs <= e.tsNs) ?? windows.at(-1));
      if (w)
        w.metrics[`kernel.cgroup.${e.event.slice(7)}.count`] =
          (w.metrics[`kernel.cgroup.${e.event.slice(7)}.count`] ?? 0) + 1;
    }
    const lost = overruns(this.#trace.dir);
    const newlyLost = lost - this.#lost;
    this.#lost = lost;
    for (const w of windows) {
      this.#advance(Math.max(this.#lastNs, w.endNs), windows); // what is left of the window, in the state last seen
      if (this.state.footprint) {
        w.metrics['kernel.footprint.functions'] = w.functions.size;
      }
      if (newlyLost > 0) w.metrics['kernel.trace.lostEvents'] = newlyLost / windows.length;
      const boot = w.bootEndNs - w.startNs;
      const run = w.metrics['kernel.runNs'] ?? 0;
      w.metrics['kernel.runNs'] = run;
      w.metrics['kernel.waitNs'] = Math.max(0, boot - run);
      w.metrics['kernel.waitCpuNs'] = w.metrics['kernel.waitCpuNs'] ?? 0;
      for (const [k, v] of Object.entries(w.metrics)) (w.sample as Sample & { metrics: Metrics }).metrics[k] = v;
    }
  }

  #task(pid: number): Task {
    let t = this.#tasks.get(pid);
    if (!t) this.#tasks.set(pid, (t = { state: 'blocked' }));
    return t;
  }

  #windowOf(pid: number, ts: number, windows: readonly Window[]): Window | undefined {
    for (const w of windows)
      if (ts >= w.startNs && ts <= w.endNs && (w.tree.has(pid) || this.#launchers.includes(pid))) return w;
    return undefined;
  }

  /** Integrates the time since the last event: in each window's phases, running, waiting for a CPU, or blocked. */
  #advance(to: number, windows: readonly Window[]): void {
    const from = this.#lastNs;
    if (to <= from) return;
    this.#lastNs = to;
    if (from === 0) return;
    for (const w of windows) {
      const a = Math.max(from, w.startNs);
      const b = Math.min(to, w.endNs);
      if (b <= a) continue;
      let on = false;
      let runnable = false;
      for (const pid of [...this.#launchers, ...w.tree]) {
        const st = this.#tasks.get(pid)?.state;
        if (st === 'on') on = true;
        else if (st === 'runnable') runnable = true;
      }
      for (const [name, pf, pt] of w.phases) {
        const d = Math.min(b, pt) - Math.max(a, pf);
        if (d <= 0) continue;
        const add = (k: string) => (w.metrics[k] = (w.metrics[k] ?? 0) + d);
        if (on) {
          if (name !== 'afterReadyNs') add('kernel.runNs');
        } else {
          add(`kernel.wait.${name}`);
          if (runnable && name !== 'afterReadyNs') add('kernel.waitCpuNs');
        }
      }
    }
  }

  #event(e: TraceEvent, windows: readonly Window[]): void {
    this.#advance(e.tsNs, windows);
    const add = (w: Window | undefined, k: string, v: number) => {
      if (w) w.metrics[k] = (w.metrics[k] ?? 0) + v;
    };
    switch (e.event) {
      case 'sched_switch': {
        const sw = schedSwitch(e.fields);
        const { prev, next } = sw;
        const state = sw.prevState ?? 'S';
        const p = this.#tasks.get(prev) ?? (this.#isOurs(prev, e.tsNs, windows) ? this.#task(prev) : undefined);
        if (p) {
          p.state = state.startsWith('R') ? 'runnable' : 'blocked';
          if ((state === 'Z' || state === 'X') && p.sys?.name === 'exit_group')
            this.#endSyscall(prev, p, e.tsNs, windows);
          if (state === 'Z' || state === 'X') this.#tasks.delete(prev);
        }
        if (this.#tasks.has(next) || this.#isOurs(next, e.tsNs, windows)) this.#task(next).state = 'on';
        return;
      }
      case 'sched_wakeup':
      case 'sched_wakeup_new': {
        const pid = num(e.fields, 'pid');
        const t = this.#tasks.get(pid) ?? (this.#isOurs(pid, e.tsNs, windows) ? this.#task(pid) : undefined);
        if (t && t.state !== 'on') t.state = 'runnable';
        return;
      }
      case 'sched_process_fork': {
        const { parent, child } = schedFork(e.fields);
        const clone = this.#tasks.get(parent)?.sys;
        if (clone && (clone.name === 'clone3' || clone.name === 'clone')) clone.forkNs ??= e.tsNs;
        for (const w of windows)
          if (e.tsNs >= w.startNs && e.tsNs <= w.endNs && (w.tree.has(parent) || this.#launchers.includes(parent)))
            w.tree.add(child);
        this.#task(child).state = 'runnable';
        return;
      }
      case 'sys_enter': {
        const t = this.#task(e.pid);
        t.sys = { name: e.call as string, atNs: e.tsNs, marks: [] };
        return;
      }
      case 'sys_exit': {
        const t = this.#tasks.get(e.pid);
        if (t?.sys && t.sys.name === e.call) this.#endSyscall(e.pid, t, e.tsNs, windows);
        return;
      }
      case 'function': {
        const w = this.#windowOf(e.pid, e.tsNs, windows);
        if (!w) return;
        const fn = e.call as string;
        if (this.state.footprint) {
          w.functions.add(fn);
          add(w, 'kernel.footprint.calls', 1);
        }
        const t = this.#tasks.get(e.pid);
        if (fn in NS_FUNCTIONS && t?.sys && NS_CALLS.has(t.sys.name)) t.sys.marks.push({ fn, atNs: e.tsNs });
        return;
      }
      default:
        if (e.event.startsWith('cgroup_'))
          add(this.#windowOf(e.pid, e.tsNs, windows), `kernel.cgroup.${e.event.slice(7)}.count`, 1);
    }
  }

  #isOurs(pid: number, ts: number, windows: readonly Window[]): boolean {
    return this.#launchers.includes(pid) || windows.some((w) => w.tree.has(pid) && ts >= w.startNs && ts <= w.endNs);
  }

  #endSyscall(pid: number, t: Task, endNs: number, windows: readonly Window[]): void {
    const sys = t.sys as NonNullable<Task['sys']>;
    t.sys = undefined;
    const w = this.#windowOf(pid, sys.atNs, windows);
    if (!w) return;
    let name = sys.name;
    if (name === 'write') {
      // the launcher's writes in the map and cgroup phases are the uid/gid maps and cgroup.procs (a vfork-style child
      // writes its own maps: the sandbox's writes in the map phase are those); the rest are not traced as such
      const launcher = this.#launchers.includes(pid);
      const phase = w.phases.find(([, f, to]) => sys.atNs >= f && sys.atNs < to)?.[0];
      if (phase === 'mapNs') name = 'mapWrite';
      else if (phase === 'cgroupNs' && launcher) name = 'cgroupWrite';
      else return;
    }
    const m = w.metrics;
    endNs = Math.min(endNs, sys.forkNs ?? endNs);
    m[`kernel.syscall.${name}.ns`] = (m[`kernel.syscall.${name}.ns`] ?? 0) + (endNs - sys.atNs);
    m[`kernel.syscall.${name}.count`] = (m[`kernel.syscall.${name}.count`] ?? 0) + 1;
    // each constructor's slice: from its entry to the next mark, the last to the call's return
    for (const [i, mark] of sys.marks.entries()) {
      const until = sys.marks[i + 1]?.atNs ?? endNs;
      m[`kernel.fn.${mark.fn}.ns`] = (m[`kernel.fn.${mark.fn}.ns`] ?? 0) + (until - mark.atNs);
    }
  }

  /** Stops tracing and removes the instance (idempotent). */
  close(): void {
    this.#trace?.remove();
    this.#cgroups?.remove();
  }
}
