import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { claim, heldRunLock, ownerAlive, ownerRecords } from './run-lock.ts';

/** Where tracefs is mounted (its `instances` folder exists), or null. */
export function tracefsRoot(): string | null {
  for (const dir of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'])
    if (existsSync(join(dir, 'instances'))) return dir;
  return null;
}

/** Where nsbench mounts tracefs when it is missing (as trace-cmd does), and its record of having done so. */
export const TRACEFS_MOUNT_POINT = '/sys/kernel/tracing';
export const TRACEFS_MARKER = '/run/nsbench/nsb-tracefs.mount';

/** Whether this kernel has tracefs to mount (its mount point exists in sysfs) where none is mounted. */
export function tracefsMountable(): boolean {
  return !tracefsRoot() && existsSync(TRACEFS_MOUNT_POINT);
}

let mountedHere = false;

/**
 * tracefs where it is mounted; as root, mounted at /sys/kernel/tracing where
 * it is not, with a record (TRACEFS_MARKER, naming the run) so that the run
 * unmounts it when it exits and `nsbench cleanup` after a kill -9 — unless
 * another live run uses it then.
 */
export function ensureTracefs(euid: number): string | null {
  const root = tracefsRoot();
  if (root || euid !== 0 || !existsSync(TRACEFS_MOUNT_POINT)) return root;
  const held = heldRunLock();
  try {
    mkdirSync(dirname(TRACEFS_MARKER), { recursive: true });
    writeFileSync(
      TRACEFS_MARKER,
      `${JSON.stringify({ mountPoint: TRACEFS_MOUNT_POINT, runId: held?.runId ?? `pid-${process.pid}`, pid: process.pid })}\n`,
    );
    execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS_MOUNT_POINT], { stdio: 'ignore' });
  } catch {
    rmSync(TRACEFS_MARKER, { force: true });
    return null;
  }
  if (!mountedHere) process.once('exit', unmountTracefsIfOurs);
  mountedHere = true;
  return tracefsRoot();
}

/**
 * Unmounts the tracefs this process mounted, unless another live nsbench run is using tracing now (it will, or
 * cleanup).
 */
function unmountTracefsIfOurs(): void {
  if (!mountedHere) return;
  mountedHere = false;
  const others = ownerRecords().filter(
    (o) => o.record !== null && o.record.pid !== process.pid && ownerAlive(o.record),
  );
  if (others.length) return; // the marker stays: the last run out, or cleanup, unmounts it
  try {
    execFileSync('umount', [TRACEFS_MOUNT_POINT], { stdio: 'ignore' });
    rmSync(TRACEFS_MARKER, { force: true });
  } catch {
    // busy: left to `nsbench cleanup`, which finds the marker
  }
}

/** Why kernel work cannot be traced here, or null when it can (as root, tracefs is mounted where it is missing). */
export function tracefsUnavailable(euid: number): string | null {
  if (euid !== 0) return 'tracing kernel work needs root';
  if (!ensureTracefs(euid))
    return existsSync(TRACEFS_MOUNT_POINT)
      ? 'tracefs could not be mounted at /sys/kernel/tracing'
      : 'this kernel has no tracefs (no /sys/kernel/tracing)';
  return null;
}

/** The names among `names` that this kernel has (/proc/kallsyms); all of them where kallsyms cannot be read. */
export function kernelHasSymbols(names: readonly string[]): Set<string> {
  let text: string;
  try {
    text = readFileSync('/proc/kallsyms', 'utf8');
  } catch {
    return new Set(names);
  }
  const want = new Set(names);
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    const sym = line.slice(line.lastIndexOf(' ') + 1).split('\t')[0] ?? '';
    if (want.has(sym)) found.add(sym);
  }
  return found;
}

/**
 * The names among `names` the function tracer can trace here (available_filter_functions: not inlined, not
 * notrace); a name it cannot would make a whole set_ftrace_filter write fail.
 */
export function traceableFunctions(root: string, names: readonly string[]): Set<string> {
  const want = new Set(names);
  const found = new Set<string>();
  let text = '';
  try {
    text = readFileSync(join(root, 'available_filter_functions'), 'utf8');
  } catch {
    return found;
  }
  for (const line of text.split('\n')) {
    const fn = line.split(' ')[0] ?? '';
    if (want.has(fn)) found.add(fn);
  }
  return found;
}

/** One line of a trace: the task that was current, where, when, and the event's own text. */
export interface TraceEvent {
  comm: string;
  pid: number;
  cpu: number;
  /** what the CPU was doing: a task, a softirq, a hard irq */
  context: 'task' | 'softirq' | 'irq';
  /** the trace clock (mono: CLOCK_MONOTONIC), in ns (shown to the µs) */
  tsNs: number;
  /**
   * the event's name; `sys_enter` / `sys_exit` for a system call (syscalls events), `function` for the function tracer
   */
  event: string;
  /** the event's fields; a system call's arguments or return value; the caller of a traced function */
  fields: string;
  /** the system call (without sys_) or the traced function */
  call?: string;
}

const LINE = /^\s*(.*)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+(\S{4,6})\s+(\d+)\.(\d+):\s+(.*)$/;
const NAMED = /^(\w+): ?(.*)$/;
const SYS_ENTER = /^sys_(\w+)\((.*)\)$/;
const SYS_EXIT = /^sys_(\w+) -> (\S+)$/;
const FUNCTION = /^(\w[\w.]*) <-(\S+)$/;

/** Parses a line of `trace` / `trace_pipe` in the default format (comments and others give null). */
export function parseTraceLine(line: string): TraceEvent | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const flags = m[4] as string;
  const ctx = flags[2] ?? '.';
  const frac = m[6] as string;
  const rest = m[7] as string;
  let event: string;
  let fields: string;
  let call: string | undefined;
  let r: RegExpExecArray | null;
  if ((r = NAMED.exec(rest))) [event, fields] = [r[1] as string, r[2] as string];
  else if ((r = SYS_ENTER.exec(rest))) [event, call, fields] = ['sys_enter', r[1] as string, r[2] as string];
  else if ((r = SYS_EXIT.exec(rest))) [event, call, fields] = ['sys_exit', r[1] as string, r[2] as string];
  else if ((r = FUNCTION.exec(rest))) [event, call, fields] = ['function', r[1] as string, r[2] as string];
  else return null;
  return {
    comm: m[1] as string,
    pid: Number(m[2]),
    cpu: Number(m[3]),
    context: ctx === 'h' || ctx === 'H' || ctx === 'z' ? 'irq' : ctx === 's' ? 'softirq' : 'task',
    tsNs: Number(m[5]) * 1e9 + Number(frac) * 10 ** (9 - frac.length),
    event,
    fields,
    ...(call !== undefined ? { call } : {}),
  };
}

/**
 * A sched_switch event's fields ("prev_comm=… prev_pid=N … prev_state=S ==> next_comm=… next_pid=M …"): the task
 * switched out, the state it left in (absent where the line has none) and the task switched in; NaN for a pid the
 * line lacks. The one reading of it for every tracer of nsbench's.
 */
export function schedSwitch(fields: string): { prev: number; prevState: string | undefined; next: number } {
  const [out = '', into = ''] = fields.split('==>');
  return {
    prev: Number(/\bprev_pid=(\d+)/.exec(out)?.[1] ?? NaN),
    prevState: /\bprev_state=(\S+)/.exec(out)?.[1],
    next: Number(/\bnext_pid=(\d+)/.exec(into)?.[1] ?? NaN),
  };
}

/** A sched_process_fork event's fields ("comm=… pid=N child_comm=… child_pid=M"): parent and child; NaN if absent. */
export function schedFork(fields: string): { parent: number; child: number } {
  return {
    parent: Number(/\bpid=(\d+)/.exec(fields)?.[1] ?? NaN),
    child: Number(/\bchild_pid=(\d+)/.exec(fields)?.[1] ?? NaN),
  };
}

interface TraceOptions {
  /** per-CPU ring buffer (default 1024 kB) */
  bufferKb?: number;
  /** trace only these tasks and their descendants */
  pids?: readonly number[];
  /** the function tracer on these functions, or on every one */
  functions?: readonly string[] | 'all';
}

/**
 * Events lost to a full ring buffer since the instance started (each per_cpu/cpuN/stats, "overrun"), 0 where unknown.
 */
export function overruns(dir: string): number {
  let n = 0;
  try {
    for (const cpu of readdirSync(join(dir, 'per_cpu'))) {
      const m = /^overrun: (\d+)/m.exec(readFileSync(join(dir, 'per_cpu', cpu, 'stats'), 'utf8'));
      n += Number(m?.[1] ?? 0);
    }
  } catch {
    // no per-CPU stats: unknown
  }
  return n;
}

/**
 * A tracing instance of nsbench's own (instances/nsb-<run>), so that the
 * machine's global trace and other users' instances are left alone: its own
 * buffer, the mono clock (the launcher's CLOCK_MONOTONIC), the events asked
 * for, read without blocking from trace_pipe. remove() takes it away.
 */
export class TraceInstance {
  readonly dir: string;
  #fd: number | null = null;
  #partial = '';
  readonly #buf = Buffer.alloc(1 << 16);

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Creates and starts it, each event with its filter if it has one; throws
   * with the file that could not be written. `pids`: only these tasks and
   * what they fork from now on (set_event_pid with event-fork; a context
   * switch is kept when either side is one of them). `functions`: the
   * function tracer too, on these functions (`'all'`: every function), for
   * the same tasks (set_ftrace_pid with function-fork). Everything it sets
   * lives in the instance: removing it leaves the machine's tracefs as it was.
   */
  static create(
    root: string,
    name: string,
    events: readonly { event: string; filter?: string }[],
    opts: TraceOptions = {},
  ): TraceInstance {
    const dir = join(root, 'instances', name);
    claim(name); // before it exists: a cleanup beside this run leaves it alone
    mkdirSync(dir);
    const t = new TraceInstance(dir);
    try {
      writeFileSync(join(dir, 'trace_clock'), 'mono');
      writeFileSync(join(dir, 'buffer_size_kb'), String(opts.bufferKb ?? 1024));
      if (opts.pids) {
        writeFileSync(join(dir, 'options', 'event-fork'), '1');
        writeFileSync(join(dir, 'set_event_pid'), opts.pids.join(' '));
      }
      if (opts.functions) {
        if (opts.functions !== 'all') writeFileSync(join(dir, 'set_ftrace_filter'), opts.functions.join(' '));
        if (opts.pids) {
          writeFileSync(join(dir, 'options', 'function-fork'), '1');
          writeFileSync(join(dir, 'set_ftrace_pid'), opts.pids.join(' '));
        }
        writeFileSync(join(dir, 'current_tracer'), 'function');
      }
      for (const e of events) {
        if (e.filter) writeFileSync(join(dir, 'events', e.event, 'filter'), e.filter);
        writeFileSync(join(dir, 'events', e.event, 'enable'), '1');
      }
      t.#fd = openSync(join(dir, 'trace_pipe'), constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      t.remove();
      throw e;
    }
    return t;
  }

  /**
   * Traces these tasks (and what they fork) too: appended to set_event_pid, and set_ftrace_pid where the function
   * tracer runs.
   */
  addPids(pids: readonly number[]): void {
    appendFileSync(join(this.dir, 'set_event_pid'), ` ${pids.join(' ')}`);
    try {
      if (readFileSync(join(this.dir, 'current_tracer'), 'utf8').trim() === 'function')
        appendFileSync(join(this.dir, 'set_ftrace_pid'), ` ${pids.join(' ')}`);
    } catch {
      // no function tracer in this instance
    }
  }

  /** The complete lines traced since the last read. */
  read(): string[] {
    if (this.#fd === null) return [];
    let text = this.#partial;
    for (;;) {
      let n: number;
      try {
        n = readSync(this.#fd, this.#buf, 0, this.#buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw e;
      }
      if (n <= 0) break;
      text += this.#buf.toString('utf8', 0, n);
    }
    const cut = text.lastIndexOf('\n');
    this.#partial = text.slice(cut + 1);
    return cut < 0 ? [] : text.slice(0, cut).split('\n');
  }

  /** Stops it and removes the instance (idempotent). */
  remove(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    for (const [file, value] of [
      ['tracing_on', '0'],
      ['current_tracer', 'nop'],
    ] as const) {
      try {
        writeFileSync(join(this.dir, file), value);
      } catch {
        /* already gone, or never set */
      }
    }
    if (existsSync(this.dir)) rmdirSync(this.dir);
  }
}

/**
 * What this kernel offers for attributing sandbox work to kernel work (issue: "where the time goes inside the kernel").
 */
export interface TracingFacilities {
  /** where tracefs is mounted, or null */
  tracefs: string | null;
  /** whether tracefs could be mounted (the kernel has it: /proc/filesystems) */
  tracefsInKernel: boolean;
  /** tracepoint systems nsbench uses, each present or not */
  tracepoints: Record<'sched' | 'workqueue' | 'syscalls' | 'raw_syscalls' | 'cgroup', boolean>;
  /** the function tracer is there and may be used (its list of traceable functions can be read) */
  functionTracer: boolean;
  /**
   * available_tracers lists it, but the kernel refuses it (available_filter_functions: EPERM, as under a locked-down or
   * restricted kernel)
   */
  functionTracerRefused: boolean;
  functionGraph: boolean;
  kprobes: boolean;
  /** BPF Type Format of the running kernel (/sys/kernel/btf/vmlinux) */
  btf: boolean;
}

/**
 * Reads the facilities from a tracefs root (and /proc, /sys); every path is a parameter so that a test can point it at
 * a copy.
 */
export function tracingFacilities(
  paths: { roots?: string[]; filesystems?: string; btf?: string } = {},
): TracingFacilities {
  const roots = paths.roots ?? ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
  const root = roots.find((d) => existsSync(join(d, 'events'))) ?? null;
  let fs = '';
  try {
    fs = readFileSync(paths.filesystems ?? '/proc/filesystems', 'utf8');
  } catch {
    // unknown: judged by the mount alone
  }
  let tracers: string[] = [];
  try {
    if (root) tracers = readFileSync(join(root, 'available_tracers'), 'utf8').trim().split(/\s+/);
  } catch {
    // no tracers file: no function tracer
  }
  const ev = (system: string) => root !== null && existsSync(join(root, 'events', system));
  const listed = tracers.includes('function');
  let refused = false;
  if (listed && root) {
    try {
      closeSync(openSync(join(root, 'available_filter_functions'), constants.O_RDONLY));
    } catch (e) {
      refused = (e as NodeJS.ErrnoException).code === 'EPERM' || (e as NodeJS.ErrnoException).code === 'EACCES';
    }
  }
  return {
    tracefs: root,
    tracefsInKernel: root !== null || /\ttracefs$/m.test(fs),
    tracepoints: {
      sched: ev('sched'),
      workqueue: ev('workqueue'),
      syscalls: ev('syscalls'),
      raw_syscalls: ev('raw_syscalls'),
      cgroup: ev('cgroup'),
    },
    functionTracer: listed && !refused,
    functionTracerRefused: refused,
    functionGraph: tracers.includes('function_graph') && !refused,
    kprobes: root !== null && existsSync(join(root, 'kprobe_events')),
    btf: existsSync(paths.btf ?? '/sys/kernel/btf/vmlinux'),
  };
}

/**
 * The tracefs files outside instances that tracing could change, and the instances there are: what "as it was" means.
 */
const STATE_FILES = [
  'current_tracer',
  'tracing_on',
  'trace_clock',
  'buffer_size_kb',
  'set_event',
  'set_event_pid',
  'set_ftrace_pid',
  'set_ftrace_filter',
  'set_ftrace_notrace',
  'trace_options',
  'kprobe_events',
  'dynamic_events',
  'options/event-fork',
  'options/function-fork',
];
const STATE_SYSTEMS = ['syscalls', 'raw_syscalls', 'sched', 'workqueue', 'cgroup'];

/**
 * A snapshot of tracefs as nsbench could touch it: the global tracer, clock,
 * buffer, pid filters, function filters, kprobes, options, the enable and
 * filter files of every event of the systems nsbench traces, and the list of
 * instances. Two snapshots equal: tracefs is as it was. A file that cannot be
 * read is recorded by its error.
 */
export function tracefsState(root: string | null = tracefsRoot()): Record<string, string> {
  const out: Record<string, string> = {};
  if (!root) return out;
  const read = (rel: string) => {
    try {
      out[rel] = readFileSync(join(root, rel), 'utf8');
    } catch (e) {
      out[rel] = `<${(e as NodeJS.ErrnoException).code ?? 'error'}>`;
    }
  };
  for (const f of STATE_FILES) if (existsSync(join(root, f))) read(f);
  // "7 (expanded: 1408)": the kernel allocates the global buffer lazily, on the first event enabled anywhere (an
  // instance's too, before 6.x); that one-time allocation cannot be undone, and the size stays what it was
  if (out.buffer_size_kb) out.buffer_size_kb = out.buffer_size_kb.replace(/ \(expanded: \d+\)/, '');
  for (const sys of STATE_SYSTEMS) {
    const dir = join(root, 'events', sys);
    if (!existsSync(dir)) continue;
    read(`events/${sys}/enable`);
    for (const ev of readdirSync(dir))
      if (existsSync(join(dir, ev, 'enable'))) for (const f of ['enable', 'filter']) read(`events/${sys}/${ev}/${f}`);
  }
  out.instances = readdirSync(join(root, 'instances')).sort().join(' ');
  return out;
}
