// npm run schema — writes docs/results.schema.json, the JSON Schema of the
// results file (results/<run-id>.json), generated from the one zod schema
// nsbench reads and types its results with (src/results/schema.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { resultsJsonSchema } from '../src/results/index.ts';

const file = join(PROJECT_ROOT, 'docs', 'results.schema.json');
writeFileSync(file, `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
