import { execFile } from 'node:child_process';
import os from 'node:os';
import { builtinWorkload, NATIVE_PATHS } from './paths.ts';
import { namespaceSlabs } from './slabinfo.ts';

/**
 * A namespace count that has not fallen for this long has settled, even above its baseline (the charged figures do not
 * depend on it; the MemAvailable view does).
 */
const QUIET_MS = 1000;

/** Live namespace objects in the kernel's slab caches (net namespaces die asynchronously, after their last process). */
export function namespaceObjects(): Record<string, number> {
  return Object.fromEntries(Object.entries(namespaceSlabs(os.availableParallelism())).map(([k, v]) => [k, v.active]));
}

/**
 * Makes and drops one net namespace (user+net, through the reference loop).
 * Some kernels (6.18 here) leave the objects of dead net namespaces
 * allocated until the next one is made, which would return their memory in
 * the middle of the next ramp; this flushes them first. Best effort: where it
 * cannot run, the counts are only watched.
 */
function kickNetnsCleanup(): Promise<void> {
  return new Promise((resolve) => {
    try {
      execFile(NATIVE_PATHS.refloop, ['user,net', '1', builtinWorkload('noop')], { timeout: 10_000 }, () => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * Waits until the kernel has finished destroying namespaces: until every live
 * namespace count is back within `baseline` when one is given (plus `allowed`
 * by kind and a slab per CPU), or no count has fallen for a second. Some
 * kernels keep freed namespace objects in per-CPU caches, or free the last
 * ones only when the next namespace is made (kickNetnsCleanup, first): a
 * count that never returns must not stall a run. Returns the ms from the
 * call until the counts were back (0 when they already were) or the last fall, or -1 at the timeout.
 */
export async function settleNamespaces(
  timeoutMs: number,
  baseline?: Record<string, number>,
  allowed: (kind: string) => number = () => 0,
): Promise<number> {
  const t = performance.now();
  const within = (now: ReturnType<typeof namespaceSlabs>) =>
    baseline !== undefined &&
    Object.entries(baseline).every(([k, b]) => (now[k]?.active ?? 0) - b <= allowed(k) + (now[k]?.slack ?? 0));
  if (within(namespaceSlabs(os.availableParallelism()))) return 0; // nothing to wait for, nothing to flush
  await kickNetnsCleanup();
  let last = namespaceSlabs(os.availableParallelism());
  let lastFall = t;
  for (;;) {
    const now = namespaceSlabs(os.availableParallelism());
    if (Object.entries(now).some(([k, c]) => c.active < (last[k]?.active ?? 0))) lastFall = performance.now();
    last = now;
    if (within(now)) return performance.now() - t;
    if (performance.now() - lastFall >= QUIET_MS) return lastFall - t;
    if (performance.now() - t > timeoutMs) return -1;
    await new Promise((r) => setTimeout(r, 20));
  }
}
