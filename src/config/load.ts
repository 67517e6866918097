import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { UserError } from '../errors/index.ts';
import { PROJECT_ROOT } from '../host/index.ts';
import { importDefaultOrExplain, knownList, parseOrFail } from '../util/index.ts';
import { type AdaptiveSpec, type BenchConfig, configSchema, type Profile } from './schema.ts';

/** Defaults when bench.config.ts leaves a field out; each with its reason. */
const DEFAULTS = {
  scenarios: ['boot'],
  /** 30 rounds give a median with a usable CI and keep a default run to a minute or two. */
  rounds: 30,
  /** Page cache, dentry cache and branch predictors settle in the first few launches. */
  warmup: 3,
  /** A no-op boots in milliseconds; 10 s only catches the stuck. */
  timeoutMs: 10_000,
  outDir: 'results',
  reportsDir: 'reports',
} as const;

export type ResolvedConfig = {
  scenarios: string[];
  rounds: number;
  warmup: number;
  seed: number | undefined;
  timeoutMs: number;
  outDir: string;
  reportsDir: string;
  csvGzip: boolean;
  compare: NonNullable<BenchConfig['compare']>;
  profiles: Record<string, Profile>;
  /** the profile a run without --profile uses, or null (the fields above) */
  profile: string | null;
  file: string | null;
};

/** One scenario as a profile plans it. */
interface ProfileScenario {
  name: string;
  variants?: string[];
  rounds?: number;
  warmup?: number;
  durationScale?: number;
  adaptive?: AdaptiveSpec | false;
}

/** A profile, resolved: its scenarios each with what the profile changes about it. */
export interface ResolvedProfile {
  name: string;
  description: string;
  scenarios: ProfileScenario[];
  roundsScale: number;
  durationScale: number;
  warmup: number | undefined;
  adaptive: AdaptiveSpec | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a config module's default export against the schema; fills the defaults. */
export function validateConfig(raw: unknown, file: string): ResolvedConfig {
  if (!isRecord(raw))
    throw new UserError(`${file}: does not export a config`, 'add `export default defineConfig({...})`');
  const c = parseOrFail(configSchema, raw, file);
  const names = Object.keys(c.profiles ?? {});
  if (c.profile !== undefined && !names.includes(c.profile))
    throw new UserError(
      `${file}: profile: no profile "${c.profile}"${names.length ? knownList(c.profile, names) : ' (profiles defines none)'}`,
      names.length ? `use one of ${names.join(', ')}` : 'add profiles: { ... }',
    );
  return {
    scenarios: c.scenarios ?? [...DEFAULTS.scenarios],
    rounds: c.rounds ?? DEFAULTS.rounds,
    warmup: c.warmup ?? DEFAULTS.warmup,
    seed: c.seed,
    timeoutMs: c.timeoutMs ?? DEFAULTS.timeoutMs,
    outDir: c.outDir ?? DEFAULTS.outDir,
    reportsDir: c.reportsDir ?? DEFAULTS.reportsDir,
    csvGzip: c.csvGzip ?? false,
    compare: c.compare ?? {},
    profiles: c.profiles ?? {},
    profile: c.profile ?? null,
    file,
  };
}

/**
 * The profile of that name (or the config's default one), or null where the config has none; an unknown name is an
 * error with the near miss.
 */
export function resolveProfile(config: ResolvedConfig, name?: string): ResolvedProfile | null {
  const want = name ?? config.profile;
  if (want === null || want === undefined) return null;
  const names = Object.keys(config.profiles);
  const p = Object.hasOwn(config.profiles, want) ? config.profiles[want] : undefined; // never a built-in of Object ("constructor")
  if (!p) {
    const where = name !== undefined ? `--profile ${want}` : `${config.file}: profile`;
    throw new UserError(
      `${where}: no profile "${want}"${names.length ? knownList(want, names) : ` (${config.file ?? 'the config'} defines none)`}`,
      names.length ? `use one of ${names.join(', ')}` : 'add profiles: { ... } to bench.config.ts',
    );
  }
  return {
    name: want,
    description: p.description,
    scenarios: p.scenarios.map((s) => (typeof s === 'string' ? { name: s } : s)),
    roundsScale: p.roundsScale ?? 1,
    durationScale: p.durationScale ?? 1,
    warmup: p.warmup,
    adaptive: p.adaptive,
  };
}

/**
 * Loads the given config file; else bench.config.ts in the current folder (a user's own project, with nsbench
 * installed as a package), else nsbench's own; without one, the defaults.
 */
export async function loadConfig(path?: string): Promise<ResolvedConfig> {
  const here = resolve('bench.config.ts');
  const file = path ? resolve(path) : existsSync(here) ? here : resolve(PROJECT_ROOT, 'bench.config.ts');
  if (!existsSync(file)) {
    if (path) throw new UserError(`config file ${path} does not exist`, 'check the --config path');
    return validateConfig({}, '(defaults)');
  }
  const shown = relative(process.cwd(), file) || file;
  const def = await importDefaultOrExplain(file, shown, 'fix the config file (export default defineConfig({...}))');
  return validateConfig(def, shown);
}
