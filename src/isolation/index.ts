export {
  NAMESPACES,
  NAMESPACE_DESCRIPTIONS,
  type Namespace,
  isNamespace,
  namespaceBits,
  canonicalSet,
  setId,
  parseNamespaceList,
} from './namespaces.ts';
export { PRESETS, findPreset, type Preset } from './presets.ts';
export {
  CELL_DEFINITION,
  IPC_KEY_PREFIX,
  isolationCells,
  parseProbeReport,
  type IsolationCell,
  type ProbeReport,
  type HostObservations,
} from './matrix.ts';
