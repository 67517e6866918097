import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { detectCgroups, NATIVE_PATHS, PROJECT_ROOT, readCpuTimes } from '../host/index.ts';
import type { Environment } from '../results/index.ts';

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    // a fact this machine does not expose: recorded as unknown (null)
    return null;
  }
}

function run(cmd: string, args: string[], cwd?: string): string | null {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    // the tool is missing or failed: the fact is unknown (null), never a reason to stop a run
    return null;
  }
}

export function nsbenchVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function gitCommit(): string | null {
  return run('git', ['rev-parse', 'HEAD'], PROJECT_ROOT);
}

/** Cumulative CPU jiffies from /proc/stat: total and steal. */
export function cpuJiffies(): { total: number; steal: number } {
  const t = readCpuTimes();
  return { total: t.total, steal: t.steal };
}

function virtualization(): Environment['virtualization'] {
  const cpuinfo = read('/proc/cpuinfo') ?? '';
  return {
    detected: run('systemd-detect-virt', []) ?? null,
    hypervisorFlag: /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo),
    dmiVendor: read('/sys/class/dmi/id/sys_vendor'),
    dmiProduct: read('/sys/class/dmi/id/product_name'),
    container: existsSync('/.dockerenv') ? 'docker' : existsSync('/run/.containerenv') ? 'podman' : null,
  };
}

function mitigations(): Record<string, string> {
  const dir = '/sys/devices/system/cpu/vulnerabilities';
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) out[name] = read(join(dir, name)) ?? '';
  return out;
}

function launcherProbe(): unknown {
  const text = existsSync(NATIVE_PATHS.launcher) ? run(NATIVE_PATHS.launcher, ['probe']) : null;
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    // a launcher too old to answer "probe": no probe facts
    return null;
  }
}

/** What the results must say about the machine to be reproducible and comparable. */
export function captureEnvironment(): Environment {
  const cpus = os.cpus();
  const sysctl = (name: string) => read(`/proc/sys/${name.replace(/\./g, '/')}`);
  return {
    hostname: os.hostname(),
    kernel: { release: os.release(), version: os.version(), arch: os.arch() },
    cpu: {
      model: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      governor: read('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor'),
    },
    memoryBytes: os.totalmem(),
    freeMemoryBytes: os.freemem(),
    loadAverage: os.loadavg(),
    virtualization: virtualization(),
    mitigations: mitigations(),
    cgroups: detectCgroups(),
    launcher: launcherProbe(),
    sysctl: {
      'user.max_user_namespaces': sysctl('user.max_user_namespaces'),
      'user.max_net_namespaces': sysctl('user.max_net_namespaces'),
      'kernel.unprivileged_userns_clone': sysctl('kernel.unprivileged_userns_clone'),
      'kernel.apparmor_restrict_unprivileged_userns': sysctl('kernel.apparmor_restrict_unprivileged_userns'),
    },
    euid: process.geteuid?.() ?? null,
    node: process.version,
    nsbench: nsbenchVersion(),
    commit: gitCommit(),
  };
}

/** What a resume must not change without a word: the machine and the tool. */
const SAME_MACHINE_KEYS = [
  'hostname',
  'kernel',
  'cpu',
  'memoryBytes',
  'virtualization',
  'mitigations',
  'cgroups',
  'launcher',
  'euid',
  'node',
  'nsbench',
  'commit',
] as const;

/**
 * The environment of a resumed run: the original one, untouched, plus one
 * entry in `resumes` per resume (when, and every machine fact that differs
 * from the original — a figure measured on another kernel is not the same
 * experiment).
 */
export function resumedEnvironment(original: Environment, current: Environment, at: string): Environment {
  const changed: Record<string, unknown> = {};
  for (const k of SAME_MACHINE_KEYS)
    if (JSON.stringify(original[k]) !== JSON.stringify(current[k])) changed[k] = current[k];
  const resumes = original.resumes ?? [];
  const { leaks: _l, cleanupFailures: _c, leftoversBefore: _b, rebuiltFrom: _r, resumedWith: _w, ...kept } = original; // what the end of this attempt measures again
  return {
    ...kept,
    resumes: [
      ...resumes,
      { at, loadAverage: current.loadAverage, ...(Object.keys(changed).length ? { changed } : {}) },
    ],
  };
}
