export { DELEGATION_HINT, findDelegation, ownV2Group } from './delegation.ts';
export { CgroupError, pidsIn, removeDir, writeText } from './fs.ts';
export { type CgroupStats, planV1, planV2 } from './limits.ts';
export {
  CgroupManager,
  ctrlKey,
  FREEZERS,
  type FreezerKind,
  HARNESS_SUFFIX,
  moveAll,
  SandboxCgroup,
  usableV2Controllers,
  V2_CONTROLLERS,
} from './manager.ts';
export { type CgroupSpec, cgroupSpecId, cgroupSpecSchema, parseSize, validateCgroupSpec } from './spec.ts';
