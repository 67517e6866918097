import { readdirSync, readFileSync } from 'node:fs';

/** One process, from /proc/<pid>/stat (times in USER_HZ ticks). */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** PF_* flags; PF_KTHREAD marks a kernel thread */
  flags: number;
  utime: number;
  stime: number;
  /** reaped children's times */
  cutime: number;
  cstime: number;
  /** start time after boot, in ticks */
  starttime: number;
}

/** Kernel threads carry this flag (include/linux/sched.h). */
export const PF_KTHREAD = 0x00200000;

/** Parses /proc/<pid>/stat: the command name is in parentheses and may hold spaces and ')' itself. */
export function parsePidStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const f = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const n = (i: number) => Number(f[i] ?? 0);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: n(1),
    flags: n(6),
    utime: n(11),
    stime: n(12),
    cutime: n(13),
    cstime: n(14),
    starttime: n(19),
  };
}

/** Every process on the machine now (those that exit meanwhile are left out). */
export function scanProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    try {
      const p = parsePidStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (p) out.push(p);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Pids of `root` and every process below it (by parent pid). */
export function descendants(all: readonly ProcStat[], root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out = new Set<number>([root]);
  const stack = [root];
  while (stack.length)
    for (const c of children.get(stack.pop() as number) ?? [])
      if (!out.has(c)) {
        stack.push(c);
        out.add(c);
      }
  return out;
}
