import { execFileSync } from 'node:child_process';
import {
  type Dirent,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ctrlKey, HARNESS_SUFFIX, moveAll, ownV2Group, pidsIn, removeDir, writeText } from '../cgroup/index.ts';
import { errorMessage } from '../errors/index.ts';
import {
  detectCgroups,
  liveOwnerOf,
  lockDirs,
  type OwnerRecord,
  ownerAlive,
  ownerRecords,
  TRACEFS_MARKER,
  TRACEFS_MOUNT_POINT,
  tracefsRoot,
  which,
} from '../host/index.ts';
import { IPC_KEY_PREFIX } from '../isolation/index.ts';
import { ip, ipAvailable, linkNames, netnsList } from '../network/index.ts';
import { WORK_BASE } from '../util/index.ts';

/** Every object nsbench creates is named with this prefix; nothing else is ever touched. */
const PREFIX = 'nsb-';

type LeftoverKind = 'process' | 'mount' | 'container' | 'netns' | 'link' | 'cgroup' | 'ipc' | 'trace' | 'file';

export interface Leftover {
  kind: LeftoverKind;
  /** what to show and remove: a pid, a path, a name */
  id: string;
  detail: string;
  /** other names it is known by, for telling whose it is: a process's cgroup, a SysV object's key */
  names?: string[];
}

/** The leftovers that belong to a run still alive (its owner record claims them), and the rest. */
interface SortedLeftovers {
  /** objects of no live run: what `cleanup` removes and a leak check may blame */
  free: Leftover[];
  /** per live run (other than this process), the objects it holds */
  live: { owner: OwnerRecord; items: Leftover[] }[];
}

export function sortByOwner(
  items: readonly Leftover[],
  records: readonly OwnerRecord[] = ownerRecords().flatMap((o) => (o.alive && o.record ? [o.record] : [])),
): SortedLeftovers {
  const free: Leftover[] = [];
  const live = new Map<OwnerRecord, Leftover[]>();
  for (const l of items) {
    const owner = liveOwnerOf([l.id, ...(l.names ?? [])], records);
    if (owner) live.set(owner, [...(live.get(owner) ?? []), l]);
    else free.push(l);
  }
  return { free, live: [...live].map(([owner, its]) => ({ owner, items: its })) };
}

/** Owner records whose process is gone (or that cannot be read): removed by cleanup, listed by --dry-run. */
export function staleOwnerFiles(): string[] {
  return [
    ...ownerRecords()
      .filter((o) => !o.alive)
      .map((o) => o.file),
    ...staleAppendClaims(),
  ];
}

/** A run's claim to append to its samples file (<run-id>.appending) whose process is gone (kill -9). */
function staleAppendClaims(): string[] {
  const out: string[] = [];
  for (const dir of lockDirs()) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.appending'));
    } catch {
      // the folder is gone or unreadable: no claims to find there
      continue;
    }
    for (const n of names) {
      const file = join(dir, n);
      try {
        const c = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; startTime: number; bootId: string };
        if (ownerAlive(c)) continue;
      } catch {
        // torn: its writer died mid-write
      }
      out.push(file);
    }
  }
  return out;
}

/** The cgroup this process runs in, per hierarchy mount point: never a leftover, nor are its ancestors. */
function ownGroups(info: ReturnType<typeof detectCgroups>): Set<string> {
  const own = new Set<string>();
  const v2 = ownV2Group(info);
  if (v2) own.add(v2);
  for (const [ctrl, mount] of Object.entries(info.v1Controllers)) {
    const path = info.self[ctrlKey(info, ctrl)];
    if (path) own.add(join(mount, path));
  }
  if (info.self['name=systemd']) own.add(join('/sys/fs/cgroup/systemd', info.self['name=systemd']));
  return own;
}

function cgroupDirs(): string[] {
  const info = detectCgroups();
  const roots = new Set([
    ...Object.values(info.v1Controllers),
    ...(info.v2Root ? [info.v2Root] : []),
    ...(existsSync('/sys/fs/cgroup/systemd') ? ['/sys/fs/cgroup/systemd'] : []),
  ]);
  const own = [...ownGroups(info)];
  const holdsUs = (dir: string) => own.some((o) => o === dir || o.startsWith(`${dir}/`));
  const found: string[] = [];
  const walk = (dir: string, depth: number, inside: boolean) => {
    if (depth > 8) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      // a folder removed while walking, or unreadable: nothing of ours to find under it
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const ours = inside || e.name.startsWith(PREFIX);
      const p = join(dir, e.name);
      walk(p, depth + 1, ours);
      if (ours && !holdsUs(p)) found.push(p); // children before parents
    }
  };
  for (const r of roots) walk(r, 0, false);
  return found;
}

/** A leaf a non-root run moved its delegated group's processes into: they are the user's, moved back, never killed. */
const isHarnessLeaf = (dir: string) => basename(dir).startsWith(PREFIX) && basename(dir).endsWith(HARNESS_SUFFIX);

/**
 * Runs fn on the mqueue filesystem: /dev/mqueue where mounted, else a private mount made (and removed) for the purpose.
 */
function withMqueue<T>(fn: (dir: string) => T[]): T[];
function withMqueue(fn: (dir: string) => void): void;
function withMqueue<T>(fn: (dir: string) => T): T | [] {
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === '/dev/mqueue' && l.includes(' - mqueue '));
  if (mounted) return fn('/dev/mqueue');
  let dir: string | null = null;
  try {
    dir = mkdtempSync('/run/nsb-mqueue-');
    execFileSync('mount', ['-t', 'mqueue', 'nsb-mqueue', dir], { stdio: 'ignore' });
  } catch {
    if (dir) rmSync(dir, { recursive: true, force: true });
    return []; // not root, or no mqueue support: nothing we could have left
  }
  try {
    return fn(dir);
  } finally {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Leftovers of earlier runs that died (kill -9, power loss), found by the nsb- prefix, in the order they must go. */
export function findLeftovers(): Leftover[] {
  const out: Leftover[] = [];
  const cgroups = cgroupDirs();
  const pids = new Set<number>();
  const cgroupOf = new Map<number, string>();
  for (const dir of cgroups)
    if (!isHarnessLeaf(dir))
      for (const pid of pidsIn(dir))
        if (!pids.has(pid)) {
          pids.add(pid);
          cgroupOf.set(pid, dir);
        }
  for (const pid of pids) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      // the process exited while we looked: not a leftover
      continue;
    }
    out.push({
      kind: 'process',
      id: String(pid),
      detail: `${cmd} (in an nsb- cgroup)`,
      names: [cgroupOf.get(pid) as string],
    });
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint?.split('/').some((seg) => seg.startsWith(PREFIX)))
      out.push({ kind: 'mount', id: mountPoint, detail: line.split(' - ')[1]?.split(' ')[0] ?? '' });
  }
  for (const engine of ['runc', 'crun']) {
    const bin = which(engine);
    if (!bin) continue;
    try {
      for (const id of execFileSync(bin, ['list', '-q'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).split('\n'))
        if (id.startsWith(PREFIX))
          out.push({ kind: 'container', id: `${engine}:${id}`, detail: `${engine} container` });
    } catch {
      /* no state */
    }
  }
  if (ipAvailable()) {
    for (const ns of netnsList())
      if (ns.startsWith(PREFIX)) out.push({ kind: 'netns', id: ns, detail: 'named network namespace' });
    for (const link of linkNames())
      if (link.startsWith(PREFIX)) out.push({ kind: 'link', id: link, detail: 'link in the host namespace' });
  }
  for (const dir of cgroups) {
    const moved = isHarnessLeaf(dir) ? pidsIn(dir).length : 0;
    out.push({
      kind: 'cgroup',
      id: dir,
      detail: isHarnessLeaf(dir)
        ? `cgroup a rootless run moved its delegated group's processes into${moved ? ` (${moved} go back to the parent)` : ''}`
        : 'cgroup',
    });
  }
  // the isolation probe's host objects: SysV keys 0x6e73xxxx ("ns"), POSIX queues /nsb-*
  for (const [file, flag] of [
    ['/proc/sysvipc/shm', '-m'],
    ['/proc/sysvipc/msg', '-q'],
  ] as const) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [key, id] = line.trim().split(/\s+/);
      if (key && id && Number(key) >>> 16 === IPC_KEY_PREFIX >>> 16)
        out.push({
          kind: 'ipc',
          id: `${flag} ${id}`,
          detail: `SysV ${flag === '-m' ? 'shared memory' : 'message queue'} key 0x${(Number(key) >>> 0).toString(16)}`,
          names: [`0x${(Number(key) >>> 0).toString(16)}`],
        });
    }
  }
  for (const q of withMqueue((dir) => readdirSync(dir).filter((f) => f.startsWith(PREFIX))))
    out.push({ kind: 'ipc', id: `mq /${q}`, detail: 'POSIX message queue' });
  const trace = tracefsRoot();
  if (trace)
    for (const name of readdirSync(join(trace, 'instances')))
      if (name.startsWith(PREFIX))
        out.push({ kind: 'trace', id: join(trace, 'instances', name), detail: 'tracefs instance (kernel tracing)' });
  for (const base of [WORK_BASE, '/dev/shm']) {
    if (!existsSync(base)) continue;
    for (const f of readdirSync(base))
      if (f.startsWith(PREFIX)) out.push({ kind: 'file', id: join(base, f), detail: 'work folder or file' });
  }
  // tracefs that a run mounted (where none was) and could not unmount: last, after the instances in it
  try {
    const m = JSON.parse(readFileSync(TRACEFS_MARKER, 'utf8')) as { mountPoint?: string; runId?: string; pid?: number };
    // the process that mounted it unmounts it when it exits: only one that is gone (kill -9) leaves it to cleanup
    let alive = false;
    try {
      if (typeof m.pid === 'number' && m.pid > 0) {
        process.kill(m.pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (m.mountPoint === TRACEFS_MOUNT_POINT && !alive)
      out.push({
        kind: 'mount',
        id: m.mountPoint,
        detail: 'tracefs, mounted by nsbench where none was',
        names: [`${PREFIX}${m.runId ?? ''}`],
      });
  } catch {
    // no record: nsbench mounted nothing (or tracefs was there before it)
  }
  return out;
}

const PROCESS_EXIT_TIMEOUT_MS = 5000;

/** Waits until these pids have exited (a zombie counts as gone: it has left its cgroups), or the time is up. */
async function waitGone(pids: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const alive = (pid: number) => {
    try {
      return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/** Removes leftovers in order (processes, mounts, containers, netns, links, cgroups, files); returns what failed. */
export async function removeLeftovers(items: readonly Leftover[]): Promise<string[]> {
  const failed: string[] = [];
  // frozen groups first: a frozen process does not die of SIGKILL until it is thawed, and its groups stay busy
  for (const item of items) {
    if (item.kind !== 'cgroup') continue;
    for (const [file, value] of [
      ['freezer.state', 'THAWED'],
      ['cgroup.freeze', '0'],
    ] as const) {
      try {
        if (existsSync(join(item.id, file))) writeText(join(item.id, file), value);
      } catch {
        /* gone meanwhile */
      }
    }
  }
  const killed: number[] = [];
  for (const item of items) {
    try {
      switch (item.kind) {
        case 'process':
          process.kill(Number(item.id), 'SIGKILL'); // a process inside an nsb- cgroup: one of ours
          killed.push(Number(item.id));
          if (!items.some((l, i) => i > items.indexOf(item) && l.kind === 'process'))
            await waitGone(killed, PROCESS_EXIT_TIMEOUT_MS);
          break;
        case 'mount':
          execFileSync('umount', ['-l', item.id], { stdio: 'ignore' });
          if (item.id === TRACEFS_MOUNT_POINT) rmSync(TRACEFS_MARKER, { force: true });
          break;
        case 'container': {
          const [engine, id] = item.id.split(':') as [string, string];
          execFileSync(which(engine) as string, ['delete', '--force', id], { stdio: 'ignore' });
          break;
        }
        case 'netns':
          ip('netns', 'del', item.id);
          break;
        case 'link':
          ip('link', 'del', item.id);
          break;
        case 'cgroup':
          if (isHarnessLeaf(item.id)) moveAll(item.id, dirname(item.id));
          else if (existsSync(join(item.id, 'cgroup.kill')) && pidsIn(item.id).length)
            writeText(join(item.id, 'cgroup.kill'), '1');
          await removeDir(item.id);
          break;
        case 'ipc': {
          const [flag, id] = item.id.split(' ') as [string, string];
          if (flag === 'mq') withMqueue((dir) => rmSync(join(dir, id.slice(1))));
          else execFileSync('ipcrm', [flag, id], { stdio: 'ignore' });
          break;
        }
        case 'trace':
          // everything a run set lives in its instance (events, pid filters, the function tracer): off, then gone
          writeFileSync(join(item.id, 'tracing_on'), '0');
          writeFileSync(join(item.id, 'events', 'enable'), '0');
          try {
            writeFileSync(join(item.id, 'current_tracer'), 'nop');
          } catch {
            // a kernel that refuses tracers: nothing was set
          }
          rmdirSync(item.id);
          break;
        case 'file':
          rmSync(item.id, { recursive: true, force: true });
          break;
      }
    } catch (e) {
      if (!/ESRCH|Cannot find device|No such file/.test(errorMessage(e)))
        failed.push(`${item.kind} ${item.id}: ${errorMessage(e, true)}`);
    }
  }
  return failed;
}
