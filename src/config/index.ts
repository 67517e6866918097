export { defineConfig, type BenchConfig } from './define.ts';
export {
  loadConfig,
  validateConfig,
  resolveProfile,
  DEFAULTS,
  type ResolvedConfig,
  type ResolvedProfile,
  type ProfileScenario,
} from './load.ts';
export type { AdaptiveSpec, Profile } from './schema.ts';
export { MAX_SEED } from './schema.ts';
