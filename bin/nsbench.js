#!/usr/bin/env node
// nsbench's entry point: registers the TypeScript loader (tsx), so that
// bench.config.ts and scenarios/*.ts load as they are, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
