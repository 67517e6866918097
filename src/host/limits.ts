import { readFileSync } from 'node:fs';

function readNumber(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    // no such limit on this kernel: unknown
    return null;
  }
}

/** kernel.pid_max (32768 where it cannot be read). */
export function pidMax(): number {
  return readNumber('/proc/sys/kernel/pid_max') ?? 32768;
}

/** This process's hard limit of open files (1024 where it cannot be read). */
export function fdHardLimit(): number {
  try {
    return Number(/^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024);
  } catch {
    return 1024;
  }
}

/** Tasks on the machine now (the total of /proc/loadavg's "running/total"). */
export function taskCount(): number {
  return Number((readFileSync('/proc/loadavg', 'utf8').split(' ')[3] ?? '0/0').split('/')[1] ?? 0);
}

/** user.max_<kind>_namespaces: how many namespaces of a kind a user may hold at once (null where it cannot be read). */
export function namespaceLimit(kind: string): number | null {
  return readNumber(`/proc/sys/user/max_${kind}_namespaces`);
}
