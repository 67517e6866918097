export { defineConfig, type BenchConfig } from './define.ts';
export { loadConfig, validateConfig, DEFAULTS, type ResolvedConfig } from './load.ts';
