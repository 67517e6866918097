export { defineConfig } from './define.ts';
export { loadConfig, type ResolvedConfig, type ResolvedProfile, resolveProfile, validateConfig } from './load.ts';
export { type AdaptiveSpec, type BenchConfig, MAX_SEED, type Profile } from './schema.ts';
