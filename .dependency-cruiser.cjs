// The layering of src/, bottom to top (README "Layout"), as dependency-cruiser
// rules: no import runs from a layer to one above it, no module cycle, and an
// import from another folder goes through that folder's index.ts.
// Checked by test/architecture-layers.test.ts (and `npx depcruise src`).
const LAYERS = [
  ['errors', 'util'],
  ['host'],
  ['isolation', 'cgroup', 'network', 'workloads', 'launcher', 'engines'],
  ['scenario', 'results', 'stats', 'config', 'cleanup'],
  ['runner'],
  ['report', 'compare', 'history'],
  ['cli', 'doctor'],
];
const above = (i) => LAYERS.slice(i + 1).flat();
const folders = (xs) => `^src/(${xs.join('|')})/`;

module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      name: `layer-${layer.join('-')}`,
      comment: `${layer.join(', ')} must not import from a layer above (${above(i).join(', ')})`,
      severity: 'error',
      from: { path: folders(layer) },
      to: { path: folders(above(i)) },
    })),
    {
      name: 'readers-apart',
      comment: 'report, compare and history are peers reading the results: what they share lives below them (results/, util/)',
      severity: 'error',
      from: { path: '^src/(report|compare|history)/' },
      to: { path: '^src/(report|compare|history)/', pathNot: '^src/$1/' },
    },
    {
      name: 'no-circular',
      comment: 'modules must not form an import cycle',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'through-the-index',
      comment: "an import from another folder goes through that folder's index.ts",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', 'index\\.ts$'] },
    },
    {
      name: 'known-folder',
      comment: 'every folder of src/ has its place in the layers (add a new one to LAYERS)',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/[^/]+/', pathNot: folders(LAYERS.flat()) },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)native/' },
  },
};

