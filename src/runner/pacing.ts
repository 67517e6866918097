import os from 'node:os';
import { kthreadCpuNs, namespaceSlabs } from '../host/index.ts';
import type { Pace } from '../results/index.ts';
import type { KernelWatch } from './kernel-work.ts';

/** How a scenario's launches are paced, as the run applies it. */
export interface Pacing {
  pace: Pace;
  /** the launcher keeps at least this gap after each exit */
  gapMs: number;
  /** back-to-back: launches per burst after the lead-in */
  burst: number;
  /** quiesced: the longest wait for a quiet kernel before a launch */
  quiesceTimeoutMs: number;
}

export const PACING_DEFAULTS = {
  /**
   * ten in a row after the lead-in: long enough to reach the steady state of churn on the kernels we measured, short
   * enough to interleave variants
   */
  burst: 10,
  /** a net namespace's cleanup takes tens of ms here; two seconds means something else is keeping the kernel busy */
  quiesceTimeoutMs: 2000,
} as const;

/** Quiet for this long (nothing pending, kernel threads idle) counts as quiet. */
const QUIET_MS = 5;
/**
 * Without tracing nothing says an RCU-delayed teardown is still to come: wait longer than a grace period usually takes.
 */
const QUIET_UNTRACED_MS = 30;
/** Kernel threads using more than this share of one CPU since the last look are busy. */
const KTHREAD_BUSY_SHARE = 0.05;
const POLL_MS = 2;

/**
 * Waits until the kernel has finished the deferred teardown of earlier
 * sandboxes, bounded by a timeout. Traced (root, tracefs): every teardown item
 * they were seen to leave, or are known to leave (cleanup_net, free_ipc,
 * destroy_pid_namespace_work, free_user_ns; css_* for removed cgroups), has run
 * and no kworker has been running any item for a few ms. Untraced: the kernel
 * threads' CPU time (schedstat) has stayed flat and the namespace slab counts
 * have stopped falling, for longer (an RCU-delayed teardown gives no sign of
 * coming). Nothing is read right before the launch that would not be read
 * anyway: the last look is a poll interval earlier.
 */
export class Quiescer {
  readonly #kernel: KernelWatch;

  constructor(kernel: KernelWatch) {
    this.#kernel = kernel;
  }

  /**
   * Waits for a quiet kernel: how long it took, whether it got there (else what
   * was still going on at the timeout), and, untraced, the kernel threads' CPU
   * time meanwhile (the previous sandbox's deferred work, and the kernel's own).
   */
  async wait(timeoutMs: number): Promise<{ waitNs: number; quiet: boolean; still?: string[]; kthreadCpuNs?: number }> {
    const t0 = performance.now();
    const traced = this.#kernel.traced;
    const quietMs = traced ? QUIET_MS : QUIET_UNTRACED_MS;
    const cpus = os.availableParallelism();
    const slabTotal = () => Object.values(namespaceSlabs(cpus)).reduce((a, c) => a + c.active, 0);
    const kt0 = traced ? null : kthreadCpuNs();
    let kt = kt0;
    let tk = t0;
    let slab = traced ? 0 : slabTotal();
    let lastBusy = t0;
    let still: string[] = [];
    const done = (quiet: boolean) => ({
      waitNs: Math.round((performance.now() - t0) * 1e6),
      quiet,
      ...(quiet ? {} : { still }),
      ...(kt0 !== null && kt !== null ? { kthreadCpuNs: kt - kt0 } : {}),
    });
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const now = performance.now();
      const reasons = this.#kernel.outstanding();
      if (!traced) {
        const kt2 = kthreadCpuNs();
        const slab2 = slabTotal();
        if (kt !== null && kt2 !== null && kt2 - kt > KTHREAD_BUSY_SHARE * (now - tk) * 1e6)
          reasons.push(
            `kernel threads busy (${((kt2 - kt) / 1e3).toFixed(0)} µs of CPU in ${(now - tk).toFixed(1)} ms)`,
          );
        if (slab2 < slab) reasons.push('namespace objects still being freed');
        kt = kt2;
        tk = now;
        slab = slab2;
      }
      if (reasons.length) {
        lastBusy = now;
        still = reasons;
      } else if (now - lastBusy >= quietMs) return done(true);
      if (now - t0 >= timeoutMs) return done(false);
    }
  }
}
