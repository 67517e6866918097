export {
  CELL_DEFINITION,
  type HostObservations,
  IPC_KEY_PREFIX,
  type IsolationCell,
  isolationCells,
  type ProbeReport,
  parseProbeReport,
} from './matrix.ts';
export {
  canonicalSet,
  isNamespace,
  NAMESPACE_DESCRIPTIONS,
  NAMESPACES,
  type Namespace,
  namespaceBits,
  parseNamespaceList,
  setId,
} from './namespaces.ts';
export { findPreset, PRESETS } from './presets.ts';
