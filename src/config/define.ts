import type { BenchConfig } from './schema.ts';

/** Typed identity: gives bench.config.ts completion and checking (the schema in schema.ts). */
export function defineConfig(config: BenchConfig): BenchConfig {
  return config;
}
