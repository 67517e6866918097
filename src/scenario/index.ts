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
  type ScenarioDefinition,
  type VariantDefinition,
  type WorkloadRef,
  type FreezeTarget,
  type NetTarget,
  type DensityTarget,
} from './define.ts';
export { validateScenario, type Scenario, type ResolvedVariant } from './validate.ts';
export { loadScenario, listScenarioNames, SCENARIO_DIR } from './load.ts';
export { parseVariantSpec, parseVariantSpecs } from './variant-spec.ts';
