import { readFileSync } from 'node:fs';

/** The run time (ns) in a /proc/<pid>/schedstat ("runtime waittime timeslices"). */
function parseSchedstatRunNs(text: string): number {
  const n = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(n) ? n : 0;
}

/** Kernel threads: the children of kthreadd (pid 2). */
function kthreadPids(): number[] {
  try {
    return readFileSync('/proc/2/task/2/children', 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Total CPU time (ns) of every kernel thread now — kworkers, RCU, ksoftirqd:
 * where the deferred teardown of a sandbox runs. null where /proc does not
 * show them (no kthreadd children list, or not allowed).
 */
export function kthreadCpuNs(): number | null {
  const pids = kthreadPids();
  if (!pids.length) return null;
  let total = 0;
  for (const pid of pids) {
    try {
      total += parseSchedstatRunNs(readFileSync(`/proc/${pid}/schedstat`, 'utf8'));
    } catch {
      /* exited */
    }
  }
  return total;
}
