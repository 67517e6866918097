import { readFileSync } from 'node:fs';

/** Pressure stall information of one resource (/proc/pressure/<resource>). */
interface Pressure {
  /** share of time at least one task stalled on it: averages over 10/60/300 s (%), and the total (µs since boot) */
  some: { avg10: number; avg60: number; avg300: number; totalUs: number };
  /** share of time every non-idle task stalled (absent for cpu on older kernels) */
  full: { avg10: number; avg60: number; avg300: number; totalUs: number } | null;
}

export const PSI_RESOURCES = ['cpu', 'memory', 'io'] as const;
export type PsiResource = (typeof PSI_RESOURCES)[number];

/** Parses a /proc/pressure file ("some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and a "full" line). */
export function parsePressure(text: string): Pressure | null {
  const line = (kind: string) => {
    const m = new RegExp(`^${kind} avg10=([\\d.]+) avg60=([\\d.]+) avg300=([\\d.]+) total=(\\d+)`, 'm').exec(text);
    return m ? { avg10: Number(m[1]), avg60: Number(m[2]), avg300: Number(m[3]), totalUs: Number(m[4]) } : null;
  };
  const some = line('some');
  return some ? { some, full: line('full') } : null;
}

/** The machine's pressure now, or null where the kernel has no PSI (CONFIG_PSI off, or psi=0). */
export function readPressure(): Record<PsiResource, Pressure> | null {
  const out: Partial<Record<PsiResource, Pressure>> = {};
  for (const r of PSI_RESOURCES) {
    let text: string;
    try {
      text = readFileSync(`/proc/pressure/${r}`, 'utf8');
    } catch {
      return null; // missing, or EOPNOTSUPP with psi=0
    }
    const p = parsePressure(text);
    if (!p) return null;
    out[r] = p;
  }
  return out as Record<PsiResource, Pressure>;
}
