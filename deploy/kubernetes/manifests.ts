// nsbench on a Kubernetes cluster: the manifests, from typed models that
// validate against the API schema (kubernetes-models), written as one YAML file.
//
//   node --import tsx deploy/kubernetes/manifests.ts [--nodes 3] [--image nsbench:local]
//     [--profile quick] [--parallel N] [--node-selector key=value]... [--toleration key[=value]:Effect]...
//     [--results /var/lib/nsbench] [-o deploy/kubernetes/nsbench.yaml]
//
// What it makes:
// - a Namespace `nsbench`;
// - an Indexed Job, one pod per node (completions = --nodes, all running at
//   once by default; required pod anti-affinity on the hostname, so no two
//   land on one node — Kubernetes weighs it against running pods only, so
//   --parallel below --nodes may put a later pod on a node that already ran
//   one: for nodes that must not be measured together, run one Job per
//   group of them, or the Ansible playbook with nsbench_serial), node
//   selector and tolerations as given;
// - a DaemonSet doing the same on every node that matches, once (it then
//   waits, so that its results can be copied), for clusters that prefer it;
// - each pod privileged, with hostPID and the host's cgroup namespace
//   (Kubernetes has no field for it: the entrypoint enters pid 1's with
//   nsenter, which hostPID makes visible), /sys/fs/cgroup and tracefs from
//   the host, and the results written to a hostPath folder per node.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { type IContainer, type IPodSpec, type IToleration, Namespace } from 'kubernetes-models/v1';
import { stringify } from 'yaml';

export interface ManifestOptions {
  nodes: number;
  image: string;
  profile: string;
  parallel: number;
  nodeSelector: Record<string, string>;
  tolerations: IToleration[];
  /** the hostPath folder results go to (one sub-folder per node) */
  results: string;
}

export const DEFAULTS: ManifestOptions = {
  nodes: 3,
  image: 'localhost/nsbench:latest',
  profile: 'quick',
  parallel: 3,
  nodeSelector: {},
  tolerations: [],
  results: '/var/lib/nsbench',
};

const LABELS = { 'app.kubernetes.io/name': 'nsbench' };

/** The pod every node runs: nsbench in the host's cgroup namespace, results to the node's folder. */
function podSpec(o: ManifestOptions, then: 'exit' | 'wait'): IPodSpec {
  const run = `set -e; out=/results/$NODE_NAME; mkdir -p "$out"; nsenter --target 1 --cgroup -- node bin/nsbench.js run --profile "$NSBENCH_PROFILE" -o "$out" -q --no-report || { node bin/nsbench.js cleanup; exit 1; }${then === 'wait' ? '; echo "nsbench: done, results in $out"; exec sleep infinity' : ''}`;
  const container: IContainer = {
    name: 'nsbench',
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    workingDir: '/opt/nsbench',
    command: ['/bin/sh', '-c', run],
    env: [
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'NSBENCH_PROFILE', value: o.profile },
    ],
    securityContext: { privileged: true },
    volumeMounts: [
      { name: 'results', mountPath: '/results' },
      { name: 'cgroup', mountPath: '/sys/fs/cgroup' },
      { name: 'tracing', mountPath: '/sys/kernel/tracing' },
    ],
  };
  return {
    hostPID: true,
    restartPolicy: then === 'exit' ? 'Never' : 'Always',
    ...(Object.keys(o.nodeSelector).length ? { nodeSelector: o.nodeSelector } : {}),
    ...(o.tolerations.length ? { tolerations: o.tolerations } : {}),
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: LABELS }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    },
    containers: [container],
    volumes: [
      { name: 'results', hostPath: { path: o.results, type: 'DirectoryOrCreate' } },
      { name: 'cgroup', hostPath: { path: '/sys/fs/cgroup', type: 'Directory' } },
      { name: 'tracing', hostPath: { path: '/sys/kernel/tracing', type: 'Directory' } },
    ],
  };
}

/** The manifests, each validated against the Kubernetes API schema (a mistake throws with the field). */
export function manifests(o: ManifestOptions = DEFAULTS): (Namespace | Job | DaemonSet)[] {
  const ns = new Namespace({ metadata: { name: 'nsbench', labels: LABELS } });
  const job = new Job({
    metadata: { name: 'nsbench', namespace: 'nsbench', labels: LABELS },
    spec: {
      completionMode: 'Indexed',
      completions: o.nodes,
      parallelism: o.parallel,
      backoffLimit: 0,
      template: { metadata: { labels: LABELS }, spec: podSpec(o, 'exit') },
    },
  });
  const ds = new DaemonSet({
    metadata: { name: 'nsbench', namespace: 'nsbench', labels: LABELS },
    spec: { selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: podSpec(o, 'wait') } },
  });
  for (const m of [ns, job, ds]) m.validate();
  return [ns, job, ds];
}

export function manifestsYaml(o: ManifestOptions = DEFAULTS): string {
  const head = `# Generated by deploy/kubernetes/manifests.ts (${o.nodes} nodes, image ${o.image}, profile ${o.profile}); apply the Job or the DaemonSet, not both.\n`;
  return (
    head +
    manifests(o)
      .map((m) => stringify(m.toJSON()))
      .join('---\n')
  );
}

function parseToleration(t: string): IToleration {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t);
  if (!m) throw new Error(`--toleration ${t}: expected key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
  return {
    key: m[1] as string,
    operator: m[2] === undefined ? 'Exists' : 'Equal',
    ...(m[2] !== undefined ? { value: m[2] } : {}),
    effect: m[3] as 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({
    options: {
      nodes: { type: 'string' },
      image: { type: 'string' },
      profile: { type: 'string' },
      parallel: { type: 'string' },
      'node-selector': { type: 'string', multiple: true },
      toleration: { type: 'string', multiple: true },
      results: { type: 'string' },
      out: { type: 'string', short: 'o', default: 'deploy/kubernetes/nsbench.yaml' },
    },
  });
  try {
    const o: ManifestOptions = {
      nodes: a.nodes ? Number(a.nodes) : DEFAULTS.nodes,
      image: a.image ?? DEFAULTS.image,
      profile: a.profile ?? DEFAULTS.profile,
      parallel: a.parallel ? Number(a.parallel) : a.nodes ? Number(a.nodes) : DEFAULTS.parallel,
      nodeSelector: Object.fromEntries((a['node-selector'] ?? []).map((kv) => kv.split('=', 2) as [string, string])),
      tolerations: (a.toleration ?? []).map(parseToleration),
      results: a.results ?? DEFAULTS.results,
    };
    writeFileSync(a.out as string, manifestsYaml(o));
    console.log(`wrote ${a.out}`);
  } catch (e) {
    console.error(
      `error: ${(e as Error).message.split('\n')[0]} — check the options (deploy/kubernetes/manifests.ts --help in its header)`,
    );
    process.exitCode = 2;
  }
}
