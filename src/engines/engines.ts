import { execFileSync } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type { CgroupInfo } from '../host/index.ts';
import { aptPackageOf, missingTool, which } from '../host/index.ts';
import type { Namespace } from '../isolation/index.ts';
import { WORK_BASE } from '../util/index.ts';

/** How an engine starts the no-op in a namespace set: a program the launcher runs bare. */
interface EngineCommand {
  path: string;
  argv: string[];
}

export interface EngineContext {
  /** run tag: every object an engine makes is named nsb-<tag>... */
  tag: string;
  noop: string;
  cgroups: CgroupInfo;
}

export interface Engine {
  name: string;
  aptPackage: string;
  /**
   * Why this engine cannot run this set here, or null; `bin`: the engine's program by path instead of the one on PATH.
   */
  unsupported(ns: readonly Namespace[], ctx: EngineContext, bin?: string): string | null;
  /** The command for one launch; `seq` makes names unique; `bin` as above (an A/B of two engine builds). */
  command(ns: readonly Namespace[], seq: number, ctx: EngineContext, bin?: string): EngineCommand;
  /** Removes what the engine left (bundles, cgroup parents). */
  cleanup(ctx: EngineContext): void;
}

const UNSHARE_FLAGS: Record<Namespace, string[]> = {
  user: ['--user', '--map-root-user'],
  pid: ['--pid', '--fork'],
  mnt: ['--mount'],
  net: ['--net'],
  ipc: ['--ipc'],
  uts: ['--uts'],
  cgroup: ['--cgroup'],
  time: ['--time'],
};

/** util-linux unshare(1) with the flags for `ns` (a fresh /proc where pid and mnt are both new, as nsbench does). */
export function unshareArgv(ns: readonly Namespace[], program: string): string[] {
  const flags = ns.flatMap((n) => UNSHARE_FLAGS[n]);
  if (ns.includes('pid') && ns.includes('mnt')) flags.push('--mount-proc');
  return ['unshare', ...flags, program];
}

function tool(name: string, bin?: string): string {
  if (bin) return bin;
  const p = which(name);
  if (!p) throw new Error(`${name} is not installed`);
  return p;
}

/** A given engine program that is not there, or the engine missing from PATH. */
function missing(name: string, bin?: string): string | null {
  if (!bin) return missingTool(name);
  try {
    accessSync(bin, constants.X_OK);
    return null;
  } catch {
    return `${bin} (the ${name} build asked for) is not an executable file`;
  }
}

const unshare: Engine = {
  name: 'unshare',
  aptPackage: aptPackageOf('unshare'),
  unsupported: (_ns, _ctx, bin) => missing('unshare', bin),
  command: (ns, _seq, ctx, bin) => ({ path: tool('unshare', bin), argv: unshareArgv(ns, ctx.noop) }),
  cleanup: () => undefined,
};

const BWRAP_FLAGS: Partial<Record<Namespace, string>> = {
  user: '--unshare-user',
  pid: '--unshare-pid',
  net: '--unshare-net',
  ipc: '--unshare-ipc',
  uts: '--unshare-uts',
  cgroup: '--unshare-cgroup',
};

const bwrap: Engine = {
  name: 'bwrap',
  aptPackage: aptPackageOf('bwrap'),
  unsupported: (ns, _ctx, bin) =>
    missing('bwrap', bin) ?? (ns.includes('time') ? 'bubblewrap has no option for a time namespace' : null),
  command: (ns, _seq, ctx, bin) => ({
    path: tool('bwrap', bin),
    // bwrap always makes a mount namespace: the host's root read-only, /dev, and /proc when the pid namespace is new
    argv: [
      'bwrap',
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      ...(ns.includes('pid') ? ['--proc', '/proc'] : []),
      ...ns.flatMap((n) => (BWRAP_FLAGS[n] ? [BWRAP_FLAGS[n] as string] : [])),
      '--',
      ctx.noop,
    ],
  }),
  cleanup: () => undefined,
};

const OCI_NS: Partial<Record<Namespace, string>> = {
  user: 'user',
  pid: 'pid',
  mnt: 'mount',
  net: 'network',
  ipc: 'ipc',
  uts: 'uts',
  cgroup: 'cgroup',
};

function bundleDir(ctx: EngineContext, engine: string, ns: readonly Namespace[]): string {
  return join(WORK_BASE, `nsb-${ctx.tag}-${engine}-${ns.join('-') || 'bare'}`);
}

/** An OCI bundle from the spec: a read-only rootfs holding only the static no-op (no image download). */
function writeBundle(dir: string, ns: readonly Namespace[], ctx: EngineContext): void {
  if (existsSync(join(dir, 'config.json'))) return;
  mkdirSync(join(dir, 'rootfs', 'proc'), { recursive: true });
  mkdirSync(join(dir, 'rootfs', 'dev'), { recursive: true });
  const program = basename(ctx.noop);
  copyFileSync(ctx.noop, join(dir, 'rootfs', program));
  const namespaces = [...new Set([...ns, 'mnt' as const])].flatMap((n) => (OCI_NS[n] ? [{ type: OCI_NS[n] }] : []));
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [`/${program}`],
      env: ['PATH=/', 'NSB_READY_FD=3'],
      cwd: '/',
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'nsb-oci',
    mounts: ns.includes('pid') ? [{ destination: '/proc', type: 'proc', source: 'proc' }] : [],
    linux: {
      namespaces,
      ...(ns.includes('user')
        ? {
            uidMappings: [{ containerID: 0, hostID: 0, size: 1 }],
            gidMappings: [{ containerID: 0, hostID: 0, size: 1 }],
          }
        : {}),
      cgroupsPath: `/nsb-${ctx.tag}/oci`,
    },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 1));
}

function removeCgroupParents(ctx: EngineContext): void {
  const roots = [
    ...Object.values(ctx.cgroups.v1Controllers),
    ...(ctx.cgroups.v2Root ? [ctx.cgroups.v2Root] : []),
    '/sys/fs/cgroup/systemd',
  ];
  for (const root of new Set(roots)) {
    const parent = join(root, `nsb-${ctx.tag}`);
    try {
      for (const child of readdirSync(parent, { withFileTypes: true }))
        if (child.isDirectory()) rmdirSync(join(parent, child.name));
      rmdirSync(parent);
    } catch {
      /* not made in this hierarchy */
    }
  }
}

function ociEngine(name: 'runc' | 'crun'): Engine {
  return {
    name,
    aptPackage: aptPackageOf(name),
    unsupported: (ns, ctx, bin) =>
      missing(name, bin) ??
      (ns.includes('time')
        ? `${name} here is driven without a time namespace (the OCI bundle nsbench writes has none)`
        : null) ??
      (name === 'crun' && ctx.cgroups.mode === 'hybrid'
        ? 'crun refuses cgroup v1 hybrid machines ("cgroups in hybrid mode not supported")'
        : null),
    command: (ns, seq, ctx, bin) => {
      const dir = bundleDir(ctx, name, ns);
      writeBundle(dir, ns, ctx);
      return {
        path: tool(name, bin),
        argv: [name, 'run', '--preserve-fds', '1', '--bundle', dir, `nsb-${ctx.tag}-${name}-${seq}`],
      };
    },
    cleanup: (ctx) => {
      // containers of this run that outlived their `run` (the harness was killed): force-delete them by name
      const bin = which(name);
      if (bin) {
        try {
          const ids = execFileSync(bin, ['list', '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
            .split('\n')
            .filter((id) => id.startsWith(`nsb-${ctx.tag}-`));
          for (const id of ids) execFileSync(bin, ['delete', '--force', id], { stdio: 'ignore' });
        } catch {
          /* no state of this engine here */
        }
      }
      for (const ns of readdirSync(WORK_BASE).filter((f) => f.startsWith(`nsb-${ctx.tag}-${name}-`)))
        rmSync(join(WORK_BASE, ns), { recursive: true, force: true });
      removeCgroupParents(ctx);
    },
  };
}

export const ENGINES: Readonly<Record<string, Engine>> = {
  unshare,
  bwrap,
  runc: ociEngine('runc'),
  crun: ociEngine('crun'),
};
