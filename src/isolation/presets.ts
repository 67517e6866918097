import type { Namespace } from './namespaces.ts';
import { NAMESPACES } from './namespaces.ts';

interface Preset {
  name: string;
  ns: Namespace[];
  description: string;
}

/** Namespace sets that real tools use by default. */
export const PRESETS: readonly Preset[] = [
  {
    name: 'runc',
    ns: ['pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup'],
    description: 'runc/crun default spec (`runc spec`): pid, network, ipc, uts, mount, cgroup',
  },
  {
    name: 'runc-rootless',
    ns: ['user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup'],
    description: '`runc spec --rootless`: the runc set plus a user namespace',
  },
  {
    name: 'docker',
    ns: ['pid', 'mnt', 'net', 'ipc', 'uts'],
    description: 'Docker on cgroup v1 (no cgroup namespace by default)',
  },
  {
    name: 'docker-v2',
    ns: ['pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup'],
    description: 'Docker on cgroup v2 (private cgroup namespace by default)',
  },
  {
    name: 'bwrap',
    ns: ['user', 'mnt'],
    description: 'bubblewrap with no --unshare-* flags (user and mount namespaces)',
  },
  {
    name: 'bwrap-unshare-all',
    ns: ['user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup'],
    description: 'bubblewrap --unshare-all',
  },
  {
    name: 'all-but-net',
    ns: NAMESPACES.filter((n) => n !== 'net'),
    description: 'every namespace except net (net creation dominates boot time)',
  },
  { name: 'all', ns: [...NAMESPACES], description: 'all eight namespaces' },
];

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}
