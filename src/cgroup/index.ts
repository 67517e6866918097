export { FREEZERS } from './manager.ts';
export {
  CgroupManager,
  SandboxCgroup,
  V1_CONTROLLERS,
  V2_CONTROLLERS,
  HARNESS_SUFFIX,
  moveAll,
  usableV2Controllers,
  type FreezerKind,
  type Placement,
} from './manager.ts';
export { findDelegation, ownV2Group, DELEGATION_HINT, type Delegation } from './delegation.ts';
export { validateCgroupSpec, cgroupSpecId, parseSize, type CgroupSpec } from './spec.ts';
export { readV1Stats, readV2Stats, planV1, planV2, type CgroupStats, type LimitPlan } from './limits.ts';
export { CgroupError } from './fs.ts';
export { diskOf } from './io-device.ts';
export { cgroupSpecSchema } from './spec.ts';
export { pidsIn, removeDir, writeText } from './fs.ts';
export { ctrlKey } from './manager.ts';
