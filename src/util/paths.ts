/**
 * Where nsbench's work folders live (IO workloads' files, isolation probes'
 * files, engine bundles): on disk rather than tmpfs, so IO workloads measure
 * a block device and `io.device: 'auto'` names the one they write to.
 */
export const WORK_BASE = '/var/tmp';
