import type { z } from 'zod';
// The results format's types, inferred from its schema (schema.ts): one definition.
import type {
  CREATE_METHODS,
  carryOverSchema,
  metricSummarySchema,
  metricsSchema,
  PACES,
  PLACEMENTS,
  roundLoadSchema,
  runResultsSchema,
  sampleSchema,
  scenarioResultSchema,
  variantInfoSchema,
  variantSummarySchema,
} from './schema.ts';

/** How a scenario's launches follow each other (README: "Conditions are part of the number"). */
export type Pace = (typeof PACES)[number];
/** Where a launch scenario's launcher and sandboxes ran (schema.ts PLACEMENTS). */
export type Placement = (typeof PLACEMENTS)[number];
/** How the launcher was asked to make sandboxes (schema.ts CREATE_METHODS). */
export type CreateMethod = (typeof CREATE_METHODS)[number];
/** Units live in the metric names: ...Ns, ...Us, ...Kb. */
export type Metrics = z.infer<typeof metricsSchema>;
export type Sample = z.infer<typeof sampleSchema>;
export type VariantInfo = z.infer<typeof variantInfoSchema>;
export type MetricSummary = z.infer<typeof metricSummarySchema>;
export type VariantSummary = z.infer<typeof variantSummarySchema>;
/** The load seen during one round (attempt) of a scenario, and whether it disturbed the round. */
export type RoundLoad = z.infer<typeof roundLoadSchema>;
/** How much the previous launch's variant shifts the next sample (random order makes it estimable). */
export type CarryOver = z.infer<typeof carryOverSchema>;
export type ScenarioResult = z.infer<typeof scenarioResultSchema>;
export type RunResults = z.infer<typeof runResultsSchema>;
