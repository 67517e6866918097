import { median } from 'simple-statistics';
import { PHASES } from '../launcher/index.ts';
import { formatNs } from '../util/index.ts';
import { isMeasured } from './summary.ts';
import type { ScenarioResult } from './types.ts';

// What the kernel did for each variant of a traced launch scenario
// (kernelTrace): the boot's phases split into slices named after kernel work,
// the waiting in them, the work left behind after exit, the function-level
// split and the footprint. Computed here; the report only formats it.

/**
 * Namespace constructors and the calls around them, in the order clone()
 * and unshare() reach them (copy_process: copy_creds → create_user_ns, the
 * task's own copies up to copy_mm, then copy_namespaces →
 * create_new_namespaces → one copy_* per type, then copy_io, copy_thread,
 * alloc_pid, the cgroup fork checks, the wake-up). With the function tracer
 * on these alone (those this kernel can trace), each one's entry is a mark:
 * the time from one mark to the next (or to the system call's return) is
 * that function's slice of the call.
 */
export const NS_FUNCTIONS: Record<string, string> = {
  copy_creds: 'creds',
  create_user_ns: 'user',
  unshare_userns: 'user',
  // the rest of the task's copy, in copy_process's order, so that none of it is counted in a namespace's slice
  sched_fork: 'task',
  copy_semundo: 'task',
  copy_files: 'task',
  copy_fs: 'task',
  copy_sighand: 'task',
  copy_signal: 'task',
  copy_mm: 'task',
  copy_namespaces: 'nsproxy',
  unshare_nsproxy_namespaces: 'nsproxy',
  create_new_namespaces: 'nsproxy',
  copy_mnt_ns: 'mnt',
  copy_utsname: 'uts',
  copy_ipcs: 'ipc',
  copy_pid_ns: 'pid',
  copy_cgroup_ns: 'cgroup',
  copy_net_ns: 'net',
  copy_time_ns: 'time',
  copy_io: 'after',
  copy_thread: 'after',
  alloc_pid: 'pid',
  cgroup_can_fork: 'cgroup',
  wake_up_new_task: 'after',
};

/** Which boot phase a traced system call belongs to (README "Inside the kernel"). */
const SYSCALL_PHASE: Record<string, (typeof PHASES)[number]> = {
  clone3: 'cloneNs',
  clone: 'cloneNs',
  mapWrite: 'mapNs',
  cgroupWrite: 'cgroupNs',
  unshare: 'setupNs',
  setns: 'setupNs',
  mount: 'setupNs',
  umount: 'setupNs',
  pivot_root: 'setupNs',
  move_mount: 'setupNs',
  open_tree: 'setupNs',
  fsmount: 'setupNs',
  sethostname: 'setupNs',
  execve: 'execNs',
};

interface KernelSlice {
  phase: string;
  /** the kernel work it is named after (a system call, a namespace constructor), or `other` */
  name: string;
  ns: number;
}

export interface KernelRow {
  variant: string;
  n: number;
  bootNs: number;
  runNs: number;
  waitNs: number;
  waitCpuNs: number;
  /** the wait inside each phase (median per launch) */
  waitByPhase: Record<string, number>;
  /** the boot breakdown with kernel-named slices: per phase, its system calls (or constructors) and the rest */
  slices: KernelSlice[];
  /** every traced system call: median time per launch, and how many per launch */
  syscalls: { name: string; ns: number; count: number }[];
  /** the deferred work after exit: per work function, median per launch */
  work: { fn: string; ns: number; delayNs: number; cpuNs: number; count: number }[];
  /** exit → the last of it done (median of the launches that left any) */
  doneNs: number | null;
  /** the namespace constructors' slices of clone (function tracer) */
  functions: { fn: string; ns: number }[];
  footprint: { functions: number; calls: number } | null;
}

/** Per variant of a launch scenario traced with kernelTrace, what the kernel did; null when it was not traced. */
export function kernelAttribution(sc: ScenarioResult): KernelRow[] | null {
  if (!sc.kernelTrace?.traced) return null;
  const rows: KernelRow[] = [];
  const byVariant = new Map<string, Record<string, number>[]>();
  for (const s of sc.samples)
    if (s.state === 'completed' && isMeasured(s) && s.metrics['kernel.runNs'] !== undefined)
      byVariant.set(s.variant, [...(byVariant.get(s.variant) ?? []), s.metrics]);
  for (const v of sc.variants) {
    const launches = byVariant.get(v.id) ?? [];
    if (!launches.length) continue;
    const med = (k: string) => median(launches.map((m) => m[k] ?? 0));
    const names = new Set<string>();
    for (const m of launches) for (const k of Object.keys(m)) names.add(k);
    const family = (re: RegExp) => [...names].flatMap((k) => re.exec(k)?.slice(1, 2) ?? []);
    const syscalls = family(/^kernel\.syscall\.(\w+)\.ns$/).map((name) => ({
      name,
      ns: med(`kernel.syscall.${name}.ns`),
      count: med(`kernel.syscall.${name}.count`),
    }));
    const order = Object.keys(NS_FUNCTIONS);
    const functions = family(/^kernel\.fn\.(\w+)\.ns$/)
      .map((fn) => ({ fn, ns: med(`kernel.fn.${fn}.ns`) }))
      .sort((a, b) => order.indexOf(a.fn) - order.indexOf(b.fn)); // in the order clone calls them
    const slices: KernelSlice[] = [];
    for (const phase of PHASES) {
      const wall = med(phase);
      let named = syscalls
        .filter((c) => SYSCALL_PHASE[c.name] === phase)
        .map((c) => ({ phase, name: c.name, ns: c.ns }));
      if (phase === 'cloneNs' && functions.length) {
        // the clone call split by its constructors, the rest of the call kept as the call's own
        const call = named.reduce((a, c) => a + c.ns, 0);
        const split = functions.reduce((a, f) => a + f.ns, 0);
        named = [
          ...functions.map((f) => ({ phase, name: f.fn, ns: f.ns })),
          { phase, name: `${named[0]?.name ?? 'clone'} (rest)`, ns: Math.max(0, call - split) },
        ];
      }
      const inside = named.reduce((a, c) => a + c.ns, 0);
      slices.push(...named.filter((c) => c.ns > 0), { phase, name: 'other', ns: Math.max(0, wall - inside) });
    }
    const work = family(/^kernel\.work\.(\w+)\.ns$/)
      .map((fn) => ({
        fn,
        ns: med(`kernel.work.${fn}.ns`),
        delayNs: med(`kernel.work.${fn}.delayNs`),
        cpuNs: med(`kernel.work.${fn}.cpuNs`),
        count: med(`kernel.work.${fn}.count`),
      }))
      .filter((w) => w.ns > 0 || w.count > 0)
      .sort((a, b) => b.cpuNs - a.cpuNs);
    const done = launches.flatMap((m) =>
      m['kernel.deferredDoneNs'] !== undefined ? [m['kernel.deferredDoneNs']] : [],
    );
    rows.push({
      variant: v.id,
      n: launches.length,
      bootNs: med('bootNs'),
      runNs: med('kernel.runNs'),
      waitNs: med('kernel.waitNs'),
      waitCpuNs: med('kernel.waitCpuNs'),
      waitByPhase: Object.fromEntries([...PHASES, 'afterReadyNs'].map((p) => [p, med(`kernel.wait.${p}`)])),
      slices,
      syscalls: syscalls.sort((a, b) => b.ns - a.ns),
      work,
      doneNs: done.length ? median(done) : null,
      functions,
      footprint: names.has('kernel.footprint.functions')
        ? { functions: med('kernel.footprint.functions'), calls: med('kernel.footprint.calls') }
        : null,
    });
  }
  return rows;
}

/**
 * One line for the key findings: where the kernel spends the most of a boot, what the heaviest exit leaves behind, how
 * much launches wait.
 */
export function kernelFinding(sc: ScenarioResult): string | null {
  const rows = kernelAttribution(sc);
  if (!rows?.length) return null;
  const clone = (r: KernelRow) => r.syscalls.find((c) => c.name === 'clone3' || c.name === 'clone')?.ns ?? 0;
  const cpuLeft = (r: KernelRow) => r.work.reduce((x, w) => x + w.cpuNs, 0);
  const slowest = [...rows].sort((a, b) => clone(b) - clone(a))[0] as KernelRow;
  const heavy = [...rows].sort((a, b) => cpuLeft(b) - cpuLeft(a))[0] as KernelRow;
  const parts = [
    `${slowest.variant}'s clone spends ${formatNs(clone(slowest))} in the kernel of its ${formatNs(slowest.bootNs)} boot`,
  ];
  const w = heavy.work[0];
  if (w)
    parts.push(
      `${heavy.variant}'s exit leaves ${w.fn} behind (${formatNs(w.ns)} run time, ${formatNs(w.cpuNs)} CPU, started ${formatNs(w.delayNs)} after it was queued)`,
    );
  const worst = [...rows].sort((a, b) => b.waitNs / b.bootNs - a.waitNs / a.bootNs)[0] as KernelRow;
  parts.push(
    `the most waiting: ${worst.variant}, ${((worst.waitNs / worst.bootNs) * 100).toFixed(0)}% of its boot off every CPU`,
  );
  return `Inside the kernel (${sc.name}): ${parts.join('; ')}.`;
}
