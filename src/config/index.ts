export { defineConfig, type BenchConfig } from './define.ts';
export { loadConfig, validateConfig, DEFAULTS, type ResolvedConfig } from './load.ts';
export { MAX_SEED } from './schema.ts';
