import type { RunResults } from '../results/index.ts';

/** Runs are comparable over time only on the same host: hostname, CPU, cores, kernel, cgroup mode. */
export function hostFingerprint(run: RunResults): string {
  const e = run.environment as Record<string, Record<string, unknown> | undefined>;
  return [e.hostname, e.cpu?.model, e.cpu?.cores, e.kernel?.release, e.cgroups?.mode].map((x) => String(x ?? '?')).join(' | ');
}
