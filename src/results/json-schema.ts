import { z } from 'zod';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, runResultsSchema } from './schema.ts';

/**
 * The results file's JSON Schema (draft 2020-12), for other tools to validate it; published as
 * docs/results.schema.json.
 */
export function resultsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(runResultsSchema, { unrepresentable: 'any' }),
    $id: `urn:nsbench:${RESULTS_SCHEMA}:v${RESULTS_SCHEMA_VERSION}`,
    title: `${RESULTS_SCHEMA} v${RESULTS_SCHEMA_VERSION}`,
    description:
      'The results of one nsbench run (results/<run-id>.json): environment, scenarios, variants, raw samples with their conditions, per-variant summaries.',
  };
}
