import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

interface ToolInfo {
  name: string;
  /** Debian/Ubuntu package that provides it */
  aptPackage: string;
  purpose: string;
  path: string | null;
  version: string | null;
}

/** The tools nsbench drives or compares against. */
const TOOLS: ReadonlyArray<Pick<ToolInfo, 'name' | 'aptPackage' | 'purpose'> & { versionArgs: string[] }> = [
  { name: 'unshare', aptPackage: 'util-linux', purpose: 'engine comparison', versionArgs: ['--version'] },
  { name: 'bwrap', aptPackage: 'bubblewrap', purpose: 'engine comparison', versionArgs: ['--version'] },
  { name: 'runc', aptPackage: 'runc', purpose: 'engine comparison', versionArgs: ['--version'] },
  { name: 'crun', aptPackage: 'crun', purpose: 'engine comparison', versionArgs: ['--version'] },
  { name: 'ip', aptPackage: 'iproute2', purpose: 'network topologies (veth, bridge)', versionArgs: ['-V'] },
  { name: 'sysbench', aptPackage: 'sysbench', purpose: 'real-tool workloads', versionArgs: ['--version'] },
  {
    name: 'stress-ng',
    aptPackage: 'stress-ng',
    purpose: 'real-tool workloads, antagonists',
    versionArgs: ['--version'],
  },
  { name: 'iperf3', aptPackage: 'iperf3', purpose: 'network throughput', versionArgs: ['--version'] },
  { name: 'fio', aptPackage: 'fio', purpose: 'IO workloads', versionArgs: ['--version'] },
];

/** Absolute path of an executable on PATH, or null. */
export function which(name: string, path = process.env.PATH ?? ''): string | null {
  const dirs = [...path.split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

export function findTools(): ToolInfo[] {
  return TOOLS.map((t) => {
    const path = which(t.name);
    let version: string | null = null;
    if (path) {
      try {
        const out = execFileSync(path, t.versionArgs, {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 5000,
        });
        version = out.split('\n')[0]?.trim() || null;
      } catch {
        version = null;
      }
    }
    return { name: t.name, aptPackage: t.aptPackage, purpose: t.purpose, path, version };
  });
}

/** The Debian/Ubuntu package of a tool nsbench drives (the one table: TOOLS), or the tool's own name. */
export function aptPackageOf(name: string): string {
  return TOOLS.find((t) => t.name === name)?.aptPackage ?? name;
}

/** The skip reason for a tool that is not installed, with the install command; null when it is. */
export function missingTool(name: string): string | null {
  return which(name) ? null : `${name} is not installed: apt-get install ${aptPackageOf(name)}`;
}
