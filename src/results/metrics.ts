import { UserError } from '../errors/index.ts';
import { nearest } from '../util/index.ts';

/**
 * Every metric nsbench's procedures write, by name, and the families named by
 * prefix: a workload's own JSON fields (`workload.<field>`), cgroup accounting
 * (`cg…`, and an antagonist's `antagonist.cg…`), the kernel's deferred work
 * (`kernel.…`), the setup steps (`setup.<step>Ns`), isolation cells
 * (`isolated.<ns>`). A metric name a user writes (compare -m, a threshold) must
 * be one of them.
 */
export const METRIC_NAMES = [
  // launch: the boot breakdown and its CPU (runner/sample.ts)
  'bootNs',
  'totalNs',
  'prepareNs',
  'cloneNs',
  'mapNs',
  'cgroupNs',
  'setupNs',
  'execNs',
  'afterReadyNs',
  'childUserUs',
  'childSysUs',
  'childCpuUs',
  'childMaxRssKb',
  'launcherCpuUs',
  'setupWorkNs',
  // freeze
  'freezeNs',
  'thawNs',
  'freezeRetries',
  'freezePolls',
  'thawPolls',
  'processes',
  // density
  'held',
  'launched',
  'launchesPerSec',
  'bootP50Ns',
  'bootFirstTenthP50Ns',
  'bootLastTenthP50Ns',
  'bootSlopeNsPerInstance',
  'chargedPerInstanceBytes',
  'chargedKernelPerInstanceBytes',
  'pssPerInstanceBytes',
  'nsObjectsPerInstanceBytes',
  'memPerInstanceBytes',
  'slabPerInstanceBytes',
  'cgroupMemPerInstanceBytes',
  'teardownNs',
  'teardownDebtNs',
  'netnsObjectsLeftPerInstance',
  // scaling (runner/procedures/scaling.ts; launched, launchesPerSec and bootP50Ns as density's)
  'workers',
  'bootP90Ns',
  'cpuPerLaunchNs',
  'offCpuPerLaunchNs',
  'cpusBusy',
  'hostCpuPerLaunchNs',
  'hostCpusBusy',
  'blockedPerLaunchNs',
  'runqueuePerLaunchNs',
  'schedEventsLost',
  // isolation
  'isolatedCount',
] as const;

const FAMILIES = [
  /^workload\.[A-Za-z0-9_]+$/,
  /^(antagonist\.)?cg[A-Z][A-Za-z0-9]*$/,
  /^kernel\.[A-Za-z0-9_.]+$/,
  /^setup\.[a-z]+Ns$/,
  /^isolated\.[a-z]+$/,
  /^backlog\.([a-z_]+\.(peak|perSec)|drainNs)$/,
];

export function isKnownMetric(name: string): boolean {
  return (METRIC_NAMES as readonly string[]).includes(name) || FAMILIES.some((f) => f.test(name));
}

/**
 * Fails on a metric name that is none of `present` (the metrics two results
 * files hold) and, without those, none nsbench writes — with the near miss.
 */
export function checkMetricName(name: string, where: string, present?: readonly string[]): void {
  const known = present ?? METRIC_NAMES;
  if (present ? present.includes(name) : isKnownMetric(name)) return;
  const n = nearest(name, known);
  throw new UserError(
    `${where}: no metric "${name}"${n ? ` (did you mean "${n}"?)` : ''}${present ? ` in these results (they have ${present.length}: ${present.slice(0, 12).join(', ')}${present.length > 12 ? ', …' : ''})` : ''}`,
    present
      ? 'name a metric both results files have (`nsbench compare --json` lists the rows)'
      : 'name a metric nsbench writes: bootNs, freezeNs, workload.<field>, … (README "Reading the results")',
  );
}
/** Which way is better for a metric, from its name: rates and bandwidths up, times and sizes down. */
export function higherIsBetter(metric: string): boolean {
  return /(PerSec|PerCpuSec|Iops|bogoOps|events)$/.test(metric);
}
