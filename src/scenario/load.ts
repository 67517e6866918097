import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { UserError } from '../errors/index.ts';
import { PROJECT_ROOT } from '../host/index.ts';
import { importDefaultOrExplain } from '../util/index.ts';
import { type Scenario, validateScenario } from './validate.ts';

const SCENARIO_DIR = join(PROJECT_ROOT, 'scenarios');

/** Names of the scenarios in scenarios/ (file names without .ts). */
export function listScenarioNames(dir: string = SCENARIO_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
    .map((f) => basename(f, '.ts'))
    .sort();
}

function resolveScenarioFile(ref: string, dir: string): string {
  const asPath = resolve(ref);
  if (
    (ref.includes('/') || ref.endsWith('.ts') || ref.endsWith('.js')) &&
    existsSync(asPath) &&
    statSync(asPath).isFile()
  )
    return asPath;
  const inDir = join(dir, `${ref}.ts`);
  if (existsSync(inDir)) return inDir;
  const known = listScenarioNames(dir);
  throw new UserError(
    `unknown scenario "${ref}" (available: ${known.join(', ') || 'none'})`,
    'run `nsbench list` to see scenarios, or pass the path of a scenario file',
  );
}

/** Loads and validates a scenario by name (scenarios/<name>.ts) or by path. */
export async function loadScenario(ref: string, dir: string = SCENARIO_DIR): Promise<Scenario> {
  const file = resolveScenarioFile(ref, dir);
  const shown = relative(process.cwd(), file) || file;
  const def = await importDefaultOrExplain(
    file,
    shown,
    'fix the scenario file (it must be valid TypeScript exporting defineScenario({...}))',
  );
  return validateScenario(def, shown);
}
