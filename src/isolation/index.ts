export {
  NAMESPACES,
  NAMESPACE_DESCRIPTIONS,
  type Namespace,
  isNamespace,
  namespaceBits,
  canonicalSet,
  setId,
  parseNamespaceList,
  validateNamespaceArray,
} from './namespaces.ts';
export { PRESETS, findPreset, type Preset } from './presets.ts';
export { detectCgroups, type CgroupInfo, type CgroupMode } from './cgroup-mode.ts';
