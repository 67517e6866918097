// Host services at the bottom of the layering: the project's paths and the
// native binding, the cleanup registry, tool lookup (one table of tools and
// their packages), cgroup-mode detection, the run's owner record, pure
// parsers of /proc, /sys and tracefs text with the one function each that
// reads the live file, and the probes of memory, limits and namespace objects
// that density ramps (and scripts) are measured by. Nothing here imports from above.
export { BUILTIN_WORKLOADS, NATIVE_PATHS, PROJECT_ROOT, builtinWorkload, requireBuilt } from './paths.ts';
export { nativeBinding } from './native.ts';
export { registry, removeAllAndExit, CleanupRegistry, type Registered } from './registry.ts';
export { aptPackageOf, findTools, which, missingTool, TOOLS, type ToolInfo } from './tools.ts';
export { detectCgroups, type CgroupInfo, type CgroupMode } from './cgroup-mode.ts';
export { parsePressure, readPressure, PSI_RESOURCES, type Pressure, type PsiResource } from './psi.ts';
export { parseCpuTimes, readCpuTimes, USER_HZ, type CpuTimes } from './proc-stat.ts';
export { parsePidStat, scanProcesses, descendants, PF_KTHREAD, type ProcStat } from './processes.ts';
export { kthreadCpuNs, kthreadPids, parseSchedstatRunNs } from './kthreads.ts';
export { parseSlabinfo, readSlabinfo, namespaceSlabs, NAMESPACE_CACHES, type SlabCache } from './slabinfo.ts';
export {
  tracefsRoot,
  tracefsState,
  tracefsUnavailable,
  ensureTracefs,
  tracefsMountable,
  unmountTracefsIfOurs,
  TRACEFS_MARKER,
  TRACEFS_MOUNT_POINT,
  kernelHasSymbols,
  overruns,
  traceableFunctions,
  parseTraceLine,
  TraceInstance,
  tracingFacilities,
  type TraceEvent,
  type TraceOptions,
  type TracingFacilities,
} from './tracefs.ts';
export { dyingDescendants, parseDyingDescendants, procCgroups, parseProcCgroups } from './cgroup-stat.ts';
export {
  acquireRunLock,
  claim,
  claimRunExclusively,
  releaseRunClaim,
  releaseRunLock,
  heldRunLock,
  ownerRecords,
  ownerAlive,
  liveOwnerOf,
  nameTokens,
  lockDirs,
  type OwnerRecord,
  type OwnerFile,
} from './run-lock.ts';
export { workFolder } from './work-folder.ts';
export { parseMeminfo, readMeminfo, pssOf, type Meminfo } from './memory.ts';
export { pidMax, fdHardLimit, taskCount } from './limits.ts';
export { namespaceObjects, settleNamespaces } from './namespace-objects.ts';
export { openKnob, writeKnob, restoreKnob, restorableValue, type Knob } from './knob.ts';
