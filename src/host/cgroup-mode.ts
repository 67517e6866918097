import { existsSync, readFileSync } from 'node:fs';

export type CgroupMode = 'v2' | 'hybrid' | 'v1' | 'none';

export interface CgroupInfo {
  mode: CgroupMode;
  /** Where the cgroup2 hierarchy is mounted (v2 or hybrid), if any. */
  v2Root: string | null;
  /** Controllers enabled in the cgroup2 hierarchy's root. */
  v2Controllers: string[];
  /** v1 controllers mounted as separate hierarchies, with their mount points. */
  v1Controllers: Record<string, string>;
  /** This process's cgroup, per hierarchy ("" is the v2 one). */
  self: Record<string, string>;
}

interface MountLine {
  type: string;
  mountPoint: string;
  superOptions: string[];
}

function mounts(): MountLine[] {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left, right = ''] = line.split(' - ');
      const fields = (left ?? '').split(' ');
      const [type = '', , superOpts = ''] = right.split(' ');
      return { type, mountPoint: fields[4] ?? '', superOptions: superOpts.split(',') };
    });
}

const V1_NAMES = [
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'devices',
  'freezer',
  'blkio',
  'pids',
  'net_cls',
  'net_prio',
  'perf_event',
  'hugetlb',
  'rdma',
  'misc',
];

/** Which cgroup world this machine is in, and where this process sits. */
export function detectCgroups(): CgroupInfo {
  const all = mounts();
  const v2 = all.find((m) => m.type === 'cgroup2');
  const v1: Record<string, string> = {};
  for (const m of all.filter((x) => x.type === 'cgroup')) {
    for (const opt of m.superOptions) if (V1_NAMES.includes(opt) && !(opt in v1)) v1[opt] = m.mountPoint;
  }
  const self: Record<string, string> = {};
  if (existsSync('/proc/self/cgroup')) {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
      const [, ctrls = '', path = ''] = line.split(':');
      self[ctrls] = path;
    }
  }
  let v2Controllers: string[] = [];
  if (v2 && existsSync(`${v2.mountPoint}/cgroup.controllers`)) {
    v2Controllers = readFileSync(`${v2.mountPoint}/cgroup.controllers`, 'utf8').trim().split(/\s+/).filter(Boolean);
  }
  const hasV1 = Object.keys(v1).length > 0;
  const mode: CgroupMode = v2 && !hasV1 ? 'v2' : v2 && hasV1 ? 'hybrid' : hasV1 ? 'v1' : 'none';
  return { mode, v2Root: v2?.mountPoint ?? null, v2Controllers, v1Controllers: v1, self };
}
