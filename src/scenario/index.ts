export {
  type AntagonistSpec,
  acrossWorkloads,
  all,
  bare,
  type DensityTarget,
  defineScenario,
  eachAlone,
  type FreezeTarget,
  freezeVariants,
  interferenceVariants,
  mountTableVariants,
  type NetTarget,
  networkVariants,
  nsSet,
  powerset,
  preset,
  type ScenarioDefinition,
  type ScenarioKind,
  scalingVariants,
  type VariantDefinition,
  type WorkloadRef,
  withCgroup,
} from './define.ts';
export { listScenarioNames, loadScenario } from './load.ts';
export {
  keepVariants,
  type ResolvedVariant,
  type Scenario,
  type ScenarioOf,
  type VariantOf,
  validateScenario,
} from './validate.ts';
export { parseVariantSpecs } from './variant-spec.ts';
