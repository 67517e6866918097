import { claim } from './run-lock.ts';
import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where tracefs is mounted (its `instances` folder exists), or null. */
export function tracefsRoot(): string | null {
  for (const dir of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) if (existsSync(join(dir, 'instances'))) return dir;
  return null;
}

/** Why kernel work cannot be traced here, or null when it can. */
export function tracefsUnavailable(euid: number): string | null {
  if (euid !== 0) return 'tracing kernel work needs root';
  if (!tracefsRoot()) return 'tracefs is not mounted — mount -t tracefs nodev /sys/kernel/tracing';
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

/** One line of a trace: the task that was current, where, when, and the event's own text. */
export interface TraceEvent {
  comm: string;
  pid: number;
  cpu: number;
  /** what the CPU was doing: a task, a softirq, a hard irq */
  context: 'task' | 'softirq' | 'irq';
  /** the trace clock (mono: CLOCK_MONOTONIC), in ns (shown to the µs) */
  tsNs: number;
  event: string;
  fields: string;
}

const LINE = /^\s*(.*)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+(\S{4,6})\s+(\d+)\.(\d+):\s+([\w]+):\s?(.*)$/;

/** Parses a line of `trace` / `trace_pipe` in the default format (comments and others give null). */
export function parseTraceLine(line: string): TraceEvent | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const flags = m[4] as string;
  const ctx = flags[2] ?? '.';
  const frac = m[6] as string;
  return {
    comm: m[1] as string,
    pid: Number(m[2]),
    cpu: Number(m[3]),
    context: ctx === 'h' || ctx === 'H' || ctx === 'z' ? 'irq' : ctx === 's' ? 'softirq' : 'task',
    tsNs: Number(m[5]) * 1e9 + Number(frac) * 10 ** (9 - frac.length),
    event: m[7] as string,
    fields: m[8] as string,
  };
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

  /** Creates and starts it, each event with its filter if it has one; throws with the file that could not be written. */
  static create(root: string, name: string, events: readonly { event: string; filter?: string }[], bufferKb = 1024): TraceInstance {
    const dir = join(root, 'instances', name);
    claim(name); // before it exists: a cleanup beside this run leaves it alone
    mkdirSync(dir);
    const t = new TraceInstance(dir);
    try {
      writeFileSync(join(dir, 'trace_clock'), 'mono');
      writeFileSync(join(dir, 'buffer_size_kb'), String(bufferKb));
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
    try {
      writeFileSync(join(this.dir, 'tracing_on'), '0');
    } catch {
      /* already gone */
    }
    if (existsSync(this.dir)) rmdirSync(this.dir);
  }
}

/** What this kernel offers for attributing sandbox work to kernel work (issue: "where the time goes inside the kernel"). */
export interface TracingFacilities {
  /** where tracefs is mounted, or null */
  tracefs: string | null;
  /** whether tracefs could be mounted (the kernel has it: /proc/filesystems) */
  tracefsInKernel: boolean;
  /** tracepoint systems nsbench uses, each present or not */
  tracepoints: Record<'sched' | 'workqueue' | 'syscalls' | 'raw_syscalls' | 'cgroup', boolean>;
  functionTracer: boolean;
  functionGraph: boolean;
  kprobes: boolean;
  /** BPF Type Format of the running kernel (/sys/kernel/btf/vmlinux) */
  btf: boolean;
}

/** Reads the facilities from a tracefs root (and /proc, /sys); every path is a parameter so that a test can point it at a copy. */
export function tracingFacilities(paths: { roots?: string[]; filesystems?: string; btf?: string } = {}): TracingFacilities {
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
  return {
    tracefs: root,
    tracefsInKernel: root !== null || /\ttracefs$/m.test(fs),
    tracepoints: { sched: ev('sched'), workqueue: ev('workqueue'), syscalls: ev('syscalls'), raw_syscalls: ev('raw_syscalls'), cgroup: ev('cgroup') },
    functionTracer: tracers.includes('function'),
    functionGraph: tracers.includes('function_graph'),
    kprobes: root !== null && existsSync(join(root, 'kprobe_events')),
    btf: existsSync(paths.btf ?? '/sys/kernel/btf/vmlinux'),
  };
}
