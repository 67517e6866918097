// Builds nsbench's JavaScript (lib/): the CLI (lib/cli.js, what bin/nsbench.js runs, so that it starts without a
// TypeScript loader) and the package entry (lib/index.js, what `import … from 'nsbench'` gets), in one pass so
// that code they share lives in shared chunks (lib/chunks/), one instance of each module. Dependencies stay
// imports (node_modules), not copies. With --types, also the declarations (lib/types/, tsc), for `npm pack`.
// Plain JavaScript: it runs at `npm install`, before anything is compiled.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { build } = await import('esbuild');
const { outputFiles } = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'lib',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // dependencies bundled too: one file loads much faster than zod's hundred modules (0.4 s of a 0.6 s start here);
  // vega and tsx stay imports (loaded on demand, and tsx registers itself by its own path)
  external: ['vega', 'vega-lite', 'tsx', 'tsx/*', 'esbuild'],
  // the CommonJS dependencies bundled (commander, cli-progress) require Node's built-ins: give ESM a require
  banner: {
    js: "import { createRequire as __nsbRequire } from 'node:module'; const require = __nsbRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});
// a CLI starting while this runs (a test beside a rebuild) sees the old build or the new one, never half a file:
// each file is written beside its place and renamed over it, chunks first, then the entries that import them,
// then the chunks no entry imports any more go
for (const f of outputFiles.sort((a, b) => Number(b.path.includes('/chunks/')) - Number(a.path.includes('/chunks/')))) {
  mkdirSync(dirname(f.path), { recursive: true });
  writeFileSync(`${f.path}.${process.pid}.tmp`, f.contents);
  renameSync(`${f.path}.${process.pid}.tmp`, f.path);
}
const chunks = join(root, 'lib/chunks');
const made = new Set(outputFiles.map((f) => f.path));
if (existsSync(chunks))
  for (const f of readdirSync(chunks))
    if (!made.has(join(chunks, f)) && !f.endsWith('.tmp')) rmSync(join(chunks, f), { force: true });
if (process.argv.includes('--types')) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  rmSync(join(root, 'lib/types'), { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  // an input declaration file is not emitted: the native binding's types travel beside the sources that import them
  mkdirSync(join(root, 'lib/types/native'), { recursive: true });
  copyFileSync(join(root, 'native/nsb.d.ts'), join(root, 'lib/types/native/nsb.d.ts'));
}
