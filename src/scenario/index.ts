export {
  defineScenario,
  bare,
  all,
  eachAlone,
  powerset,
  preset,
  nsSet,
  withCgroup,
  freezeVariants,
  networkVariants,
  acrossWorkloads,
  interferenceVariants,
  type AntagonistPlan,
  type ScenarioDefinition,
  type VariantDefinition,
  type WorkloadRef,
  type FreezeTarget,
  type NetTarget,
  type DensityTarget,
  type AntagonistSpec,
  type ScenarioKind,
  SCENARIO_KINDS,
} from './define.ts';
export {
  validateScenario,
  keepVariants,
  type Scenario,
  type ScenarioOf,
  type ResolvedVariant,
  type VariantOf,
} from './validate.ts';
export { loadScenario, listScenarioNames, SCENARIO_DIR } from './load.ts';
export { parseVariantSpec, parseVariantSpecs } from './variant-spec.ts';
