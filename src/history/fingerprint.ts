import { fingerprintKey, fingerprintOf, type RunResults } from '../results/index.ts';

/**
 * Runs are comparable over time only on the same host: hostname, CPU, cores, kernel, cgroup mode (the fleet's key too).
 */
export function hostFingerprint(run: RunResults): string {
  return fingerprintKey(fingerprintOf(run));
}
