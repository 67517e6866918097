// Host services at the bottom of the layering: the project's paths and the
// native binding, the cleanup registry, tool lookup (one table of tools and
// their packages), cgroup-mode detection, the run's owner record, pure
// parsers of /proc, /sys and tracefs text with the one function each that
// reads the live file, and the probes of memory, limits and namespace objects
// that density ramps (and scripts) are measured by. Nothing here imports from above.

export { type CgroupInfo, type CgroupMode, detectCgroups } from './cgroup-mode.ts';
export { parseDyingDescendants, parseProcCgroups } from './cgroup-stat.ts';
export { type Knob, openKnob, restoreKnob, writeKnob } from './knob.ts';
export { kthreadCpuNs } from './kthreads.ts';
export { fdHardLimit, namespaceLimit, pidMax, taskCount } from './limits.ts';
export { parseMeminfo, pssOf, readMeminfo } from './memory.ts';
export { namespaceObjects, settleNamespaces } from './namespace-objects.ts';
export { nativeBinding } from './native.ts';
export { BUILTIN_WORKLOADS, builtinWorkload, NATIVE_PATHS, PROJECT_ROOT, requireBuilt } from './paths.ts';
export { type CpuTimes, parseCpuTimes, readCpuTimes, USER_HZ } from './proc-stat.ts';
export { descendants, PF_KTHREAD, type ProcStat, parsePidStat, scanProcesses } from './processes.ts';
export { PSI_RESOURCES, type PsiResource, parsePressure, readPressure } from './psi.ts';
export { CleanupRegistry, registry, removeAllAndExit } from './registry.ts';
export {
  acquireRunLock,
  claim,
  claimRunExclusively,
  liveOwnerOf,
  lockDirs,
  type OwnerRecord,
  ownerAlive,
  ownerRecords,
  releaseRunClaim,
  releaseRunLock,
} from './run-lock.ts';
export { namespaceSlabs, parseSlabinfo } from './slabinfo.ts';
export { aptPackageOf, findTools, missingTool, which } from './tools.ts';
export {
  ensureTracefs,
  kernelHasSymbols,
  overruns,
  parseTraceLine,
  schedFork,
  schedSwitch,
  TRACEFS_MARKER,
  TRACEFS_MOUNT_POINT,
  type TraceEvent,
  TraceInstance,
  type TracingFacilities,
  traceableFunctions,
  tracefsMountable,
  tracefsRoot,
  tracefsState,
  tracefsUnavailable,
  tracingFacilities,
} from './tracefs.ts';
export { workFolder } from './work-folder.ts';
