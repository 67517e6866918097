// The published JSON Schema of the results file (docs/results.schema.json):
// it is what the zod schema generates, and an independent validator (ajv,
// JSON Schema 2020-12) accepts a real results file and refuses broken ones.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { syntheticRun } from '../src/compare/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { finalizeScenario } from '../src/results/index.ts';
import { resultsJsonSchema } from '../src/results/json-schema.ts';

const published = JSON.parse(readFileSync(join(PROJECT_ROOT, 'docs', 'results.schema.json'), 'utf8'));

test('docs/results.schema.json is the schema nsbench reads with (regenerate: npm run schema)', () => {
  assert.deepEqual(published, JSON.parse(JSON.stringify(resultsJsonSchema())));
});

test('an independent validator accepts a results file and refuses broken ones', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(published);
  const run = syntheticRun(1, { variants: 3, n: 12, mu: 1e6, cv: 0.05 });
  for (const s of run.scenarios) finalizeScenario(s, {});
  const good = JSON.parse(JSON.stringify(run)) as typeof run;
  assert.ok(validate(good), JSON.stringify(validate.errors?.slice(0, 3)));
  for (const [what, broken] of [
    ['environment null', { ...good, environment: null }],
    ['scenarios [1, 2]', { ...good, scenarios: [1, 2] }],
    ['a sample without its state', { ...good, scenarios: [{ ...good.scenarios[0], samples: [{ variant: 'v0' }] }] }],
    ['another schema version', { ...good, schemaVersion: 2 }],
  ] as [string, unknown][])
    assert.equal(validate(broken), false, `${what} is refused`);
});
