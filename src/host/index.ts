// Host services at the bottom of the layering: pure parsers of /proc, /sys and
// tracefs text, and the one function each that reads the live file.
export { parsePressure, readPressure, PSI_RESOURCES, type Pressure, type PsiResource } from './psi.ts';
export { parseCpuTimes, readCpuTimes, USER_HZ, type CpuTimes } from './proc-stat.ts';
export { parsePidStat, scanProcesses, descendants, PF_KTHREAD, type ProcStat } from './processes.ts';
export { kthreadCpuNs, kthreadPids, parseSchedstatRunNs } from './kthreads.ts';
export { parseSlabinfo, readSlabinfo, namespaceSlabs, NAMESPACE_CACHES, type SlabCache } from './slabinfo.ts';
export { tracefsRoot, tracefsUnavailable, kernelHasSymbols, parseTraceLine, TraceInstance, type TraceEvent } from './tracefs.ts';
export { dyingDescendants, parseDyingDescendants, procCgroups, parseProcCgroups } from './cgroup-stat.ts';
export { acquireRunLock, claim, releaseRunLock, heldRunLock, ownerRecords, ownerAlive, liveOwnerOf, nameTokens, lockDirs, type OwnerRecord, type OwnerFile } from './run-lock.ts';
