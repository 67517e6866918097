import { errorMessage } from '../errors/index.ts';
import {
  kernelHasSymbols,
  parseTraceLine,
  schedSwitch,
  type TraceEvent,
  TraceInstance,
  tracefsRoot,
  tracefsUnavailable,
} from '../host/index.ts';
import type { Namespace } from '../isolation/index.ts';
import type { Metrics, Sample } from '../results/index.ts';

/**
 * The kernel's deferred teardown work, by the work function it runs, and what
 * it belongs to. A sandbox's exit leaves these behind on kernel threads;
 * workqueue tracepoints name each item as it is queued, started and finished.
 */
const TEARDOWN_WORK: Record<string, string> = {
  cleanup_net: 'net',
  fqdir_work_fn: 'net',
  fqdir_free_fn: 'net',
  free_ipc: 'ipc',
  destroy_pid_namespace_work: 'pid',
  free_user_ns: 'user',
  delayed_mntput_work: 'mnt',
  destroy_super_work: 'superblock',
  css_killed_work_fn: 'cgroups',
  css_release_work_fn: 'cgroups',
  css_free_rwork_fn: 'cgroups',
  delayed_vfree_work: 'task',
  mmdrop_async_fn: 'task',
};

/**
 * The one item each namespace's teardown runs, where the kernel has it: a
 * sandbox with that namespace is not torn down until such an item of its own
 * has finished (cleanup_net and free_ipc take every namespace waiting at
 * their start, so one run may serve several).
 */
const EXPECTED_WORK: Partial<Record<Namespace, string>> = {
  net: 'cleanup_net',
  ipc: 'free_ipc',
  pid: 'destroy_pid_namespace_work',
  user: 'free_user_ns',
};

/** Items that take every namespace waiting when they start (an llist of them), not one each. */
const BATCHED = new Set(['cleanup_net', 'free_ipc']);

/** A sandbox whose teardown has not finished this long after its exit (trace clock) is settled as it is. */
const STALE_NS = 10e9;

/** How long finish() waits for the last sandboxes' teardown at a scenario's end. */
const FINISH_TIMEOUT_MS = 2000;

/** The workqueue's life cycle, and the kworkers' scheduling (filtered to them: cheap) for the CPU each item got. */
const EVENTS: { event: string; filter?: string }[] = [
  { event: 'workqueue/workqueue_queue_work' },
  { event: 'workqueue/workqueue_execute_start' },
  { event: 'workqueue/workqueue_execute_end' },
  { event: 'sched/sched_switch', filter: 'prev_comm ~ "kworker*" || next_comm ~ "kworker*"' },
];

interface Owner {
  sample: Sample;
  ns: readonly Namespace[];
  requestNs: number;
  exitNs: number;
  /** its namespaces are put when its workload exits: not before the ready byte (the exit where it never signalled) */
  putFromNs: number;
  /** the sandbox's first process on the host: what it queues at its exit is its own */
  pid: number;
  /** expected items (function names) not seen to finish yet */
  pending: Set<string>;
  metrics: Metrics;
  lastEndNs: number;
  /** items attributed to it and not finished */
  open: number;
}

interface Item {
  fn: string;
  queuedNs: number;
  startNs?: number;
  owners: Owner[];
  cpuNs: number;
}

/** A kworker now: the item it runs (ours or not), and since when it is on a CPU. */
interface Worker {
  item: Item | null;
  fn: string;
  onCpuSince: number | null;
}

/**
 * Per launch scenario: attributes each teardown work item to the sandbox it
 * belongs to, with its wall time, its delay and the CPU its kworker got
 * (from the kworkers' context switches). A type-specific item goes to the
 * sandbox that queued it as it exited, else to the oldest sandbox with that
 * namespace that waits for one (shared equally when one batched run serves
 * several); other teardown items, and those a kworker queues while running
 * one of ours, go with what they follow or to the launch whose window (its
 * request until the next) they were queued in. Its metrics arrive after the
 * sample was written: take() hands them over. Needs root and tracefs; without
 * them it says why, and attributes nothing.
 */
export class KernelWatch {
  readonly traced: boolean;
  readonly reason: string | undefined;
  readonly #trace: TraceInstance | null;
  readonly #expected: Partial<Record<Namespace, string>>;
  readonly #owners: Owner[] = [];
  /** queued and not started, by work struct address */
  readonly #queued = new Map<string, Item[]>();
  readonly #workers = new Map<number, Worker>();
  #done: Owner[] = [];
  #lastTs = 0;
  /** the newest launch: its window stays open until the next one */
  #last: Owner | null = null;

  private constructor(
    trace: TraceInstance | null,
    reason: string | undefined,
    expected: Partial<Record<Namespace, string>>,
  ) {
    this.#trace = trace;
    this.traced = trace !== null;
    this.reason = reason;
    this.#expected = expected;
  }

  /** Starts tracing in instances/<name> where the machine allows it; else says why. */
  static start(
    name: string,
    euid: number,
    enabled = true,
    asked = 'turned off (kernelWork: false or --no-kernel-work)',
  ): KernelWatch {
    const why = !enabled ? asked : tracefsUnavailable(euid);
    if (why) return new KernelWatch(null, why, {});
    const known = kernelHasSymbols(Object.values(EXPECTED_WORK) as string[]);
    const expected = Object.fromEntries(Object.entries(EXPECTED_WORK).filter(([, fn]) => known.has(fn as string)));
    try {
      return new KernelWatch(TraceInstance.create(tracefsRoot() as string, name, EVENTS), undefined, expected);
    } catch (e) {
      return new KernelWatch(null, `cannot trace: ${errorMessage(e, true)}`, {});
    }
  }

  /**
   * Launches were measured (their samples are about to be written, in order):
   * each owns what its window holds. Attribution goes by the trace's
   * timestamps, so a burst's launches are all registered before it is read.
   */
  launched(samples: readonly Sample[], ns: readonly Namespace[]): void {
    if (!this.traced) return;
    for (const sample of samples) {
      const at = sample.at;
      if (!at || at.exitNs < 0) continue;
      const pending = new Set(ns.flatMap((n) => (this.#expected[n] ? [this.#expected[n] as string] : [])));
      const owner: Owner = {
        sample,
        ns,
        requestNs: at.requestNs,
        exitNs: at.exitNs,
        putFromNs: at.readyNs ?? at.exitNs,
        pid: at.pid ?? -1,
        pending,
        metrics: {},
        lastEndNs: 0,
        open: 0,
      };
      this.#owners.push(owner);
      this.#last = owner;
    }
    this.poll();
    this.#retire();
  }

  /**
   * What keeps the kernel from being quiet: teardown of the sandboxes so far still to come or running, and any work
   * item running now.
   */
  outstanding(): string[] {
    this.poll();
    const out: string[] = [];
    for (const o of this.#owners) {
      for (const fn of o.pending) out.push(`${fn} for ${o.sample.variant} (launch ${o.sample.seq})`);
      if (o.open) out.push(`${o.open} work item(s) of ${o.sample.variant} (launch ${o.sample.seq})`);
    }
    for (const [pid, w] of this.#workers) if (w.fn && !w.item) out.push(`kworker ${pid} runs ${w.fn}`);
    return out;
  }

  /** Reads what was traced since the last call. */
  poll(): void {
    if (!this.#trace) return;
    for (const line of this.#trace.read()) {
      const e = parseTraceLine(line);
      if (e) this.#event(e);
    }
  }

  #ownerAt(ts: number): Owner | undefined {
    for (let i = this.#owners.length - 1; i >= 0; i--)
      if ((this.#owners[i] as Owner).requestNs <= ts) return this.#owners[i];
    return undefined;
  }

  #worker(pid: number): Worker {
    let w = this.#workers.get(pid);
    if (!w) this.#workers.set(pid, (w = { item: null, fn: '', onCpuSince: null }));
    return w;
  }

  #event(e: TraceEvent): void {
    this.#lastTs = Math.max(this.#lastTs, e.tsNs);
    if (e.event === 'sched_switch') {
      const { prev, next } = schedSwitch(e.fields);
      const off = this.#workers.get(prev);
      if (off?.onCpuSince != null) {
        if (off.item) off.item.cpuNs += e.tsNs - off.onCpuSince;
        off.onCpuSince = null;
      }
      const on = this.#workers.get(next);
      if (on?.fn) on.onCpuSince = e.tsNs;
      return;
    }
    const work = /work struct[= ](\w+)/.exec(e.fields)?.[1];
    const fn = /function[= ](\w+)/.exec(e.fields)?.[1];
    if (!work || !fn) return;
    if (e.event === 'workqueue_queue_work') this.#queue(e, work, fn);
    else if (e.event === 'workqueue_execute_start') this.#start(e, work, fn);
    else if (e.event === 'workqueue_execute_end') this.#end(e, fn);
  }

  #queue(e: TraceEvent, work: string, fn: string): void {
    const parent = e.context === 'task' && e.comm.startsWith('kworker') ? this.#workers.get(e.pid)?.item : undefined;
    let owners: Owner[] = [];
    if (parent)
      owners = parent.owners; // queued by a kworker running one of ours: part of the same teardown
    else if (fn in TEARDOWN_WORK) {
      const kind = TEARDOWN_WORK[fn] as string;
      // queued by the sandbox's own process as it exits: its own; else a namespace's own item goes to the
      // oldest sandbox with it that was past its workload's end and still waits for one; else to the window
      const own = e.context === 'task' ? this.#owners.find((o) => o.pid === e.pid && o.requestNs <= e.tsNs) : undefined;
      const waiting = this.#owners.filter((o) => o.pending.has(fn) && o.putFromNs <= e.tsNs);
      const byType = own
        ? [own]
        : waiting.length
          ? [waiting[0] as Owner]
          : this.#owners.filter((o) => (o.ns as readonly string[]).includes(kind) && o.putFromNs <= e.tsNs).slice(-1);
      const inWindow = this.#ownerAt(e.tsNs);
      owners = byType.length ? byType : inWindow ? [inWindow] : [];
    }
    if (!owners.length) return;
    const item: Item = { fn, queuedNs: e.tsNs, owners: [...owners], cpuNs: 0 };
    for (const o of item.owners) o.open++;
    this.#queued.set(work, [...(this.#queued.get(work) ?? []), item]);
  }

  #start(e: TraceEvent, work: string, fn: string): void {
    const w = this.#worker(e.pid);
    w.fn = fn;
    w.onCpuSince = e.tsNs; // it traced this event: it is running
    const list = this.#queued.get(work);
    const item = list?.shift() ?? null;
    if (list && !list.length) this.#queued.delete(work);
    w.item = item;
    if (!item) return;
    item.startNs = e.tsNs;
    // a batched teardown (cleanup_net, free_ipc) takes every namespace waiting when it starts
    const waiting = BATCHED.has(fn)
      ? this.#owners.filter((o) => o.pending.has(fn) && o.putFromNs <= item.queuedNs && !item.owners.includes(o))
      : [];
    for (const o of waiting) {
      item.owners.push(o);
      o.open++;
    }
  }

  #end(e: TraceEvent, fn: string): void {
    const w = this.#workers.get(e.pid);
    if (!w) return;
    const item = w.item;
    if (item && w.onCpuSince !== null) item.cpuNs += e.tsNs - w.onCpuSince;
    w.item = null;
    w.fn = '';
    if (!item || item.fn !== fn || item.startNs === undefined) return;
    const share = 1 / item.owners.length;
    const kind = TEARDOWN_WORK[fn] ?? 'other';
    const wall = e.tsNs - item.startNs;
    for (const o of item.owners) {
      const add = (k: string, v: number) => (o.metrics[k] = (o.metrics[k] ?? 0) + v);
      add(`kernel.work.${fn}.ns`, wall * share);
      add(`kernel.work.${fn}.cpuNs`, item.cpuNs * share);
      add(`kernel.work.${fn}.delayNs`, (item.startNs - item.queuedNs) * share);
      add(`kernel.work.${fn}.count`, share);
      add(`kernel.ns.${kind}.cpuNs`, item.cpuNs * share);
      add('kernel.deferredWallNs', wall * share);
      add('kernel.deferredCpuNs', item.cpuNs * share);
      o.lastEndNs = Math.max(o.lastEndNs, e.tsNs);
      o.open--;
      o.pending.delete(fn); // attributed to o only as o's own (by its pid, or past its workload's end)
    }
    this.#retire();
  }

  /** Owners whose teardown is over (and that are not the newest launch, whose window is still open) are done. */
  #retire(): void {
    for (const o of [...this.#owners]) {
      if (o === this.#last) continue;
      const unfinished = o.pending.size + o.open;
      if (unfinished && this.#lastTs - o.exitNs < STALE_NS) continue;
      this.#settle(o, unfinished);
    }
  }

  #settle(o: Owner, unfinished: number): void {
    if (o.lastEndNs > 0) o.metrics['kernel.deferredDoneNs'] = Math.max(0, o.lastEndNs - o.exitNs);
    if (unfinished) o.metrics['kernel.workUnfinished'] = unfinished;
    this.#owners.splice(this.#owners.indexOf(o), 1);
    this.#done.push(o);
  }

  /** Metrics that arrived for samples already written: merge them and record them late. */
  take(): { sample: Sample; metrics: Metrics }[] {
    const out = this.#done
      .filter((o) => Object.keys(o.metrics).length)
      .map((o) => ({ sample: o.sample, metrics: o.metrics }));
    this.#done = [];
    return out;
  }

  /** At a scenario's end: waits (bounded) for the last teardown, then settles everything. */
  async finish(timeoutMs = FINISH_TIMEOUT_MS): Promise<void> {
    this.#last = null;
    const deadline = performance.now() + timeoutMs;
    this.#retire();
    while (this.#owners.some((o) => o.pending.size || o.open > 0) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      this.poll();
    }
    for (const o of [...this.#owners]) this.#settle(o, o.pending.size + o.open);
    this.#queued.clear();
    this.#workers.clear();
  }

  /** Removes the trace instance. */
  close(): void {
    this.#trace?.remove();
  }
}
