#!/usr/bin/env node
// nsbench's entry point. It runs the built CLI (lib/cli.js, plain JavaScript that `npm install` builds from
// src/), which loads bench.config.ts and scenario files through its own TypeScript loader, on demand. In a
// checkout where src/ is newer than that build (or there is none), it runs the sources through tsx instead,
// so an edit takes effect at once; `npm run build:js` (and `npm install`, `npm test`) rebuild.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A signal before a command has taken over its own handling (the CLI takes a moment to load on a slow machine):
// nothing has been created yet, so end at once with the code of an interrupted run. `nsbench run` replaces
// these with its own handlers (finish the current launch, keep what was measured) as soon as it starts.
const early = () => process.exit(130);
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, early);
globalThis.__nsbEarlySignals = () => {
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(s, early);
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'lib/cli.js');

/** The build is current: it exists and no source file changed after it was made. */
function builtIsCurrent() {
  if (!existsSync(built)) return false;
  const at = statSync(built).mtimeMs;
  const src = join(root, 'src');
  if (!existsSync(src)) return true;
  return readdirSync(src, { recursive: true, withFileTypes: true }).every(
    (e) => !e.isFile() || statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs <= at,
  );
}

let main;
if (builtIsCurrent()) ({ main } = await import(built));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
