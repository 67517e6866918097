import { readFileSync } from 'node:fs';

/** The machine's CPU time from /proc/stat's "cpu" line, in USER_HZ ticks (1/100 s). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  /** every field but guest time (already inside user) */
  total: number;
  /** total minus idle and iowait */
  busy: number;
}

export function parseCpuTimes(text: string): CpuTimes {
  const line = text.split('\n').find((l) => l.startsWith('cpu ')) ?? '';
  const f = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
    .map((x) => (Number.isFinite(x) ? x : 0));
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { user, nice, system, idle, iowait, irq, softirq, steal, total, busy: total - idle - iowait };
}

export function readCpuTimes(): CpuTimes {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return parseCpuTimes('');
  }
}

/** Ticks per second of /proc/stat and /proc/<pid>/stat (USER_HZ, 100 on every Linux architecture nsbench runs on). */
export const USER_HZ = 100;
