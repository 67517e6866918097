import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  overruns,
  parseTraceLine,
  registry,
  schedFork,
  schedSwitch,
  TraceInstance,
  tracefsRoot,
  tracefsUnavailable,
} from '../host/index.ts';

/** Where the tasks of one parallel run spent the time they were off a CPU, from sched_switch. */
interface OffCpu {
  /** in uninterruptible sleep (state D): blocked in the kernel — a mutex, a semaphore, an RCU grace period */
  blockedNs: number;
  /** preempted, runnable (state R): waiting for a CPU */
  runqueueNs: number;
  /** events the ring buffer lost meanwhile (the figures are then low) */
  lost: number;
}

/** A task of nsbench's tree, as the trace has seen it. */
interface Task {
  /** switched out: when, in which state, and whether that was a vfork-style parent waiting for its child's exec */
  out?: { atNs: number; state: string; vforkWait: boolean };
  /** inside clone3, and whether its child exists yet (sched_process_fork) */
  inClone: boolean;
  forked: boolean;
}

/**
 * A trace of nsbench's own children's scheduling (sched_switch, sched_process_fork and clone3 in a tracefs instance of
 * its own, on this process and what it forks from now on): each parallel run is a child of nsbench, so its launchers
 * and their sandboxes are traced from their first instruction, whatever else the machine does. `take()` sums, since
 * the last take, the time those tasks — and only those: the kernel workers and other processes they switch with are
 * left out — spent switched out in state D (blocked in the kernel: a mutex, a semaphore, an RCU grace period) and in
 * state R (preempted, waiting for a CPU). A vfork-style parent sleeps in state D from its child's creation until the
 * child's execve: that wait is the child's time, not blocking, and is left out (D inside clone3 before the child exists
 * is counted: namespace creation waiting on a lock). Null where tracing is not possible, with the reason.
 */
export class SchedWatch {
  readonly #trace: TraceInstance;
  readonly #unregister: () => void;
  readonly #tasks = new Map<number, Task>();
  #lost = 0;

  private constructor(trace: TraceInstance) {
    this.#trace = trace;
    this.#unregister = registry.add(`trace instance ${trace.dir}`, () => trace.remove());
  }

  static start(euid: number): SchedWatch | { reason: string } {
    const why = tracefsUnavailable(euid);
    if (why) return { reason: why };
    const root = tracefsRoot();
    const has = (e: string) => root !== null && existsSync(join(root, 'events', e));
    if (!root || !has('sched/sched_switch') || !has('sched/sched_process_fork'))
      return { reason: 'this kernel has no sched_switch or sched_process_fork tracepoint' };
    if (!has('syscalls/sys_enter_clone3'))
      return { reason: 'this kernel has no clone3 syscall tracepoints (a vfork wait could not be told from blocking)' };
    try {
      const trace = TraceInstance.create(
        root,
        `nsb-${randomBytes(3).toString('hex')}-sched`,
        [
          { event: 'sched/sched_switch' },
          { event: 'sched/sched_process_fork' },
          { event: 'syscalls/sys_enter_clone3' },
          { event: 'syscalls/sys_exit_clone3' },
        ],
        { pids: [process.pid], bufferKb: 4096 },
      );
      return new SchedWatch(trace);
    } catch (e) {
      return { reason: `tracefs refused the instance: ${(e as Error).message}` };
    }
  }

  /**
   * The off-CPU time of nsbench's child processes since the last take; a task still switched out at the take is not
   * counted (a parallel run's tasks have all exited by then).
   */
  take(): OffCpu {
    const lost = overruns(this.#trace.dir);
    const out: OffCpu = { blockedNs: 0, runqueueNs: 0, lost: lost - this.#lost };
    this.#lost = lost;
    for (const line of this.#trace.read()) {
      const e = parseTraceLine(line);
      if (e) this.#event(e, out);
    }
    this.#tasks.clear();
    return out;
  }

  #event(e: NonNullable<ReturnType<typeof parseTraceLine>>, out: OffCpu): void {
    if (e.event === 'sched_process_fork') {
      const { parent, child } = schedFork(e.fields);
      if (Number.isNaN(child) || (parent !== process.pid && !this.#tasks.has(parent))) return;
      this.#tasks.set(child, { inClone: false, forked: false });
      const p = this.#tasks.get(parent);
      if (p?.inClone) p.forked = true;
      return;
    }
    const t = this.#tasks.get(e.pid);
    if (e.event === 'sys_enter' && e.call === 'clone3' && t) [t.inClone, t.forked] = [true, false];
    else if (e.event === 'sys_exit' && e.call === 'clone3' && t) t.inClone = false;
    if (e.event !== 'sched_switch') return;
    const sw = schedSwitch(e.fields);
    if (sw.prevState === undefined) return;
    const prev = this.#tasks.get(sw.prev);
    if (prev) prev.out = { atNs: e.tsNs, state: sw.prevState, vforkWait: prev.inClone && prev.forked };
    const next = this.#tasks.get(sw.next);
    const was = next?.out;
    if (!next || !was) return;
    next.out = undefined;
    const d = e.tsNs - was.atNs;
    if (was.state.startsWith('D') && !was.vforkWait) out.blockedNs += d;
    else if (was.state.startsWith('R')) out.runqueueNs += d;
  }

  close(): void {
    this.#trace.remove();
    this.#unregister();
  }
}
