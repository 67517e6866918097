import { readFileSync } from 'node:fs';
import { UserError } from '../errors/index.ts';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, type RunResults } from './types.ts';

/** Reads and checks a results file; every problem is one clear UserError. */
export function readResults(path: string): RunResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read results file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'check the path');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(`${path} is not valid JSON (corrupt or truncated)`, 'use a results/<run-id>.json written by `nsbench run`');
  }
  const d = data as Partial<RunResults> | null;
  if (!d || typeof d !== 'object' || d.schema !== RESULTS_SCHEMA)
    throw new UserError(`${path} is not an nsbench results file (schema is ${JSON.stringify(d?.schema)})`, 'use a results/<run-id>.json written by `nsbench run`');
  if (d.schemaVersion !== RESULTS_SCHEMA_VERSION)
    throw new UserError(`${path} has results schema version ${String(d.schemaVersion)}, this nsbench reads ${RESULTS_SCHEMA_VERSION}`, 'use the nsbench version that wrote it');
  if (!Array.isArray(d.scenarios)) throw new UserError(`${path}: "scenarios" is missing`, 'the file is damaged; rerun the benchmark');
  return d as RunResults;
}
