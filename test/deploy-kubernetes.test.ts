// The Kubernetes manifests (deploy/kubernetes/manifests.ts): typed models
// validated against the API schema offline, with what nsbench needs on a node
// — privileged, hostPID and the host's cgroup namespace, one pod per node,
// results on a volume — and the committed YAML is what the generator writes.
// The image definition builds with podman or buildah where one is present.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { DEFAULTS, manifests, manifestsYaml } from '../deploy/kubernetes/manifests.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { hasCommand } from './helpers/env.ts';

type Pod = {
  hostPID?: boolean;
  restartPolicy?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string }[] } };
  containers: {
    command?: string[];
    securityContext?: { privileged?: boolean };
    volumeMounts?: { name: string; mountPath: string }[];
  }[];
  volumes?: { name: string; hostPath?: { path: string } }[];
};

test('the manifests validate against the API schema, and carry what nsbench needs on a node', () => {
  const o = {
    ...DEFAULTS,
    nodes: 4,
    parallel: 2,
    nodeSelector: { 'nsbench/bench': 'yes' },
    tolerations: [{ key: 'dedicated', operator: 'Equal' as const, value: 'bench', effect: 'NoSchedule' as const }],
  };
  const [ns, job, ds] = manifests(o).map(
    (m) =>
      m.toJSON() as {
        kind: string;
        spec?: { completionMode?: string; completions?: number; parallelism?: number; template: { spec: Pod } };
      },
  );
  assert.deepEqual([ns?.kind, job?.kind, ds?.kind], ['Namespace', 'Job', 'DaemonSet']);
  assert.deepEqual([job?.spec?.completionMode, job?.spec?.completions, job?.spec?.parallelism], ['Indexed', 4, 2]);
  for (const pod of [job?.spec?.template.spec, ds?.spec?.template.spec] as Pod[]) {
    assert.equal(pod.hostPID, true, 'hostPID: the entrypoint can reach pid 1');
    assert.equal(pod.containers[0]?.securityContext?.privileged, true);
    assert.match(
      pod.containers[0]?.command?.join(' ') ?? '',
      /nsenter --target 1 --cgroup -- node bin\/nsbench\.js run/,
      "the host cgroup namespace, by pid 1's",
    );
    assert.deepEqual(pod.nodeSelector, { 'nsbench/bench': 'yes' });
    assert.equal(pod.tolerations?.length, 1);
    assert.equal(
      pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey,
      'kubernetes.io/hostname',
      'one pod per node',
    );
    assert.deepEqual(
      pod.volumes?.map((v) => [v.name, v.hostPath?.path]),
      [
        ['results', '/var/lib/nsbench'],
        ['cgroup', '/sys/fs/cgroup'],
        ['tracing', '/sys/kernel/tracing'],
      ],
    );
  }
  assert.equal((job?.spec?.template?.spec as Pod | undefined)?.restartPolicy, 'Never');
  assert.throws(
    () => manifests({ ...DEFAULTS, nodes: Number.NaN }),
    /completions must be integer/,
    'a mistake is caught by the schema, offline',
  );
  assert.throws(
    () => manifests({ ...DEFAULTS, image: '' as string, tolerations: [{ effect: 'Sometimes' as 'NoSchedule' }] }),
    /effect must be equal to one of the allowed values|must be equal to one of/,
  );
});

test('the committed YAML is what the generator writes, three documents that parse', () => {
  const file = readFileSync(join(PROJECT_ROOT, 'deploy/kubernetes/nsbench.yaml'), 'utf8');
  assert.equal(file, manifestsYaml(DEFAULTS), 'regenerate it: node --import tsx deploy/kubernetes/manifests.ts');
  const docs = parseAllDocuments(file);
  assert.deepEqual(
    docs.map((d) => (d.toJS() as { kind: string }).kind),
    ['Namespace', 'Job', 'DaemonSet'],
  );
  const bad = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'deploy/kubernetes/manifests.ts', '--toleration', 'nokey', '-o', '/dev/null'],
    { cwd: PROJECT_ROOT, encoding: 'utf8' },
  );
  assert.equal(bad.status, 2);
  assert.match(
    bad.stderr,
    /^error: --toleration nokey: expected key\[=value\]:NoSchedule\|PreferNoSchedule\|NoExecute — /,
  );
});

const builder = ['podman', 'buildah'].find(hasCommand);
// a base from the local store only (no registry pull): a local image with Node.js 20, named by the machine
const base = process.env.NSB_TEST_IMAGE_BASE;
const noBuild = !builder
  ? 'neither podman nor buildah is installed (apt-get install podman)'
  : !base
    ? 'no local base image named: set NSB_TEST_IMAGE_BASE to a local image with Node.js 20 (podman images)'
    : false;
test('the image definition builds from a local base with no registry pull', { skip: noBuild }, () => {
  const r = spawnSync(
    builder as string,
    [
      'build',
      '--pull=never',
      '--build-arg',
      `BASE=${base}`,
      '-t',
      'localhost/nsb-test-image',
      '-f',
      'deploy/kubernetes/Containerfile',
      '.',
    ],
    { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 900_000 },
  );
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const v = spawnSync(
    builder === 'podman' ? 'podman' : 'buildah',
    builder === 'podman'
      ? ['run', '--rm', 'localhost/nsb-test-image', '--version']
      : ['inspect', 'localhost/nsb-test-image'],
    { encoding: 'utf8' },
  );
  assert.equal(v.status, 0, v.stderr);
  spawnSync(builder as string, ['rmi', 'localhost/nsb-test-image']);
});
