import { readFileSync } from 'node:fs';

/** The figures of /proc/meminfo a ramp is measured by, in bytes. */
interface Meminfo {
  availableBytes: number;
  slabBytes: number;
}

/** Parses /proc/meminfo text (keys in kB); a missing key reads 0. */
export function parseMeminfo(text: string): Meminfo {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { availableBytes: kb('MemAvailable'), slabBytes: kb('Slab') };
}

/** /proc/meminfo now. */
export function readMeminfo(): Meminfo {
  return parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
}

/** A process's proportional set size (smaps_rollup Pss), bytes; 0 where it cannot be read. */
export function pssOf(pid: number): number {
  try {
    const kb = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}
