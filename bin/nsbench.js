#!/usr/bin/env node
// nsbench's entry point: registers the TypeScript loader (tsx), so that
// bench.config.ts and scenarios/*.ts load as they are, then runs the CLI.
import { register } from 'tsx/esm/api';

// A signal before a command has taken over its own handling (the loader and
// the CLI take a second or two to load on a slow machine): nothing has been
// created yet, so end at once with the code of an interrupted run. `nsbench
// run` replaces these with its own handlers (finish the current launch, keep
// what was measured) as soon as it starts.
const early = () => process.exit(130);
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, early);
globalThis.__nsbEarlySignals = () => {
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(s, early);
};

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
