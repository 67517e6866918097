import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { UserError } from '../errors/index.ts';
import { importDefaultOrExplain } from '../util/import-module.ts';
import { PROJECT_ROOT } from '../launcher/index.ts';
import type { BenchConfig } from './define.ts';

/** Defaults when bench.config.ts leaves a field out; each with its reason. */
export const DEFAULTS = {
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

export type ResolvedConfig = Required<Omit<BenchConfig, 'seed'>> & { seed: number | undefined; file: string | null };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const KNOWN_KEYS = ['scenarios', 'rounds', 'warmup', 'seed', 'timeoutMs', 'outDir', 'reportsDir', 'compare'];

function validateCompare(v: unknown, file: string): NonNullable<BenchConfig['compare']> {
  if (v === undefined) return {};
  if (!isRecord(v)) throw new UserError(`${file}: compare: expected an object`, 'e.g. compare: { thresholdPct: 5 }');
  for (const k of Object.keys(v)) if (!['thresholdPct', 'thresholds', 'alpha'].includes(k)) throw new UserError(`${file}: compare: unknown field "${k}" (known: thresholdPct, thresholds, alpha)`, 'remove or rename it');
  const pct = (x: unknown, where: string) => {
    if (typeof x !== 'number' || !(x >= 0 && x <= 1000)) throw new UserError(`${file}: ${where}: expected a percentage 0..1000, got ${JSON.stringify(x)}`, 'e.g. 5');
    return x;
  };
  const out: NonNullable<BenchConfig['compare']> = {};
  if (v.thresholdPct !== undefined) out.thresholdPct = pct(v.thresholdPct, 'compare.thresholdPct');
  if (v.alpha !== undefined) {
    if (typeof v.alpha !== 'number' || !(v.alpha > 0 && v.alpha < 1)) throw new UserError(`${file}: compare.alpha: expected 0 < alpha < 1, got ${JSON.stringify(v.alpha)}`, 'e.g. 0.05');
    out.alpha = v.alpha;
  }
  if (v.thresholds !== undefined) {
    if (!isRecord(v.thresholds)) throw new UserError(`${file}: compare.thresholds: expected { metric: percent }`, "e.g. { bootNs: 10 }");
    out.thresholds = Object.fromEntries(Object.entries(v.thresholds).map(([k, x]) => [k, pct(x, `compare.thresholds.${k}`)]));
  }
  return out;
}

export function validateConfig(raw: unknown, file: string): ResolvedConfig {
  if (!isRecord(raw)) throw new UserError(`${file}: does not export a config`, 'add `export default defineConfig({...})`');
  for (const key of Object.keys(raw))
    if (!KNOWN_KEYS.includes(key)) throw new UserError(`${file}: unknown field "${key}" (known: ${KNOWN_KEYS.join(', ')})`, 'remove or rename the field');
  const count = (key: string, min: number): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UserError(`${file}: ${key}: expected an integer >= ${min}, got ${JSON.stringify(v)}`, `set ${key} to a whole number`);
    return v;
  };
  const scen = raw.scenarios;
  if (scen !== undefined && (!Array.isArray(scen) || scen.length === 0 || scen.some((s) => typeof s !== 'string')))
    throw new UserError(`${file}: scenarios: expected a non-empty array of scenario names`, "e.g. scenarios: ['boot']");
  for (const key of ['outDir', 'reportsDir'] as const)
    if (raw[key] !== undefined && (typeof raw[key] !== 'string' || (raw[key] as string).length === 0))
      throw new UserError(`${file}: ${key}: expected a folder path`, `e.g. ${key}: '${DEFAULTS[key]}'`);
  return {
    scenarios: (scen as string[] | undefined) ?? [...DEFAULTS.scenarios],
    rounds: count('rounds', 1) ?? DEFAULTS.rounds,
    warmup: count('warmup', 0) ?? DEFAULTS.warmup,
    seed: count('seed', 0),
    timeoutMs: count('timeoutMs', 1) ?? DEFAULTS.timeoutMs,
    outDir: (raw.outDir as string | undefined) ?? DEFAULTS.outDir,
    reportsDir: (raw.reportsDir as string | undefined) ?? DEFAULTS.reportsDir,
    compare: validateCompare(raw.compare, file),
    file,
  };
}

/** Loads bench.config.ts (or the given file); without one, the defaults. */
export async function loadConfig(path?: string): Promise<ResolvedConfig> {
  const file = path ? resolve(path) : resolve(PROJECT_ROOT, 'bench.config.ts');
  if (!existsSync(file)) {
    if (path) throw new UserError(`config file ${path} does not exist`, 'check the --config path');
    return validateConfig({}, '(defaults)');
  }
  const shown = relative(process.cwd(), file) || file;
  const def = await importDefaultOrExplain(file, shown, 'fix the config file (export default defineConfig({...}))');
  return validateConfig(def, shown);
}
