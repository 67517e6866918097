import os from 'node:os';
import { NAMESPACES, type Namespace } from './namespaces.ts';

/** SysV keys of the probe's host objects: "ns" in the high half, so that `nsbench cleanup` can find leftovers. */
export const IPC_KEY_PREFIX = 0x6e730000;

/** One cell of the isolation matrix: what a namespace set hides for one kind of resource, and the evidence. */
export interface IsolationCell {
  ns: Namespace;
  status: 'isolated' | 'not-isolated' | 'n/a';
  evidence: string;
}

/** The probe's JSON line (workloads/probe.c, `probe inside`). */
export interface ProbeReport {
  pid: number;
  procCount: number;
  targetVisible: number;
  killErrno: number;
  hostnameBefore: string;
  ownUtsNs: number;
  sethostnameErrno: number;
  hostnameAfter: string;
  hostMountVisible: number;
  mountCount: number;
  innerMountErrno: number;
  interfaces: string;
  interfaceCount: number;
  listeningSockets: number;
  hostListenerVisible: number;
  connectErrno: number;
  shmErrno: number;
  shmMarkerRead: number;
  msgErrno: number;
  mqErrno: number;
  uid: number;
  gid: number;
  uidMap: string;
  capEff: string;
  chmodErrno: number;
  cgroup: string;
  monotonicSec: number;
  boottimeSec: number;
  timensOffsets: string;
  go: number;
  lateMountVisible: number;
}

/** What the harness saw from the host while the probe ran. */
export interface HostObservations {
  targetPid: number;
  /** the host's own process count */
  hostProcCount: number;
  hostInterfaces: string[];
  hostnameBefore: string;
  hostnameAfter: string;
  /** the probe's tmpfs on DIR/inner was in the host's mount table */
  innerMountOnHost: boolean;
  /** the target recorded the probe's SIGUSR1 */
  targetSignaled: boolean;
  /** connections the host listener accepted during the probe */
  connectionsAccepted: number;
  /** mode of the host-owned file after the probe tried chmod 0604 on it (it was 0600) */
  hostFileMode: number;
  hostFileOwner: number;
  /** the probe's uid/gid lines of /proc/<pid>/status as the host sees them (real ids) */
  hostViewUid: number | null;
  /** /proc/<pid>/cgroup as the host sees it */
  hostViewCgroup: string | null;
  /** CLOCK_MONOTONIC and CLOCK_BOOTTIME of the host when the probe read its own, seconds */
  hostMonotonicSec: number;
  hostBoottimeSec: number;
  /** offsets the sandbox was given (seconds), when it has a time namespace */
  timeOffsets: { monotonicSec: number; boottimeSec: number } | null;
}

const ERRNO_NAMES = new Map(Object.entries(os.constants.errno).map(([name, num]) => [num, name]));
const err = (n: number) => (n === 0 ? 'ok' : (ERRNO_NAMES.get(n) ?? `errno ${n}`));

function cgroupLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.trim().split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (m) out.set(`${m[1]}:${m[2]}`, m[3] as string);
  }
  return out;
}

/**
 * What every cell means, the one definition the matrix, the findings, the
 * report and `nsbench list` share: **isolated** — the sandbox has its own
 * instance of that kind of resource and the probe verified that the host's
 * instance is neither visible nor changeable from inside; **not isolated** —
 * it sees or changes the host's (a protection that comes from another
 * namespace, such as the user namespace's missing capabilities, is credited to
 * that namespace's cell, not this one); **n/a** — there is nothing of the
 * host's to hide (the cgroup cell where the sandbox sits in the root cgroup).
 */
export const CELL_DEFINITION =
  "isolated: the sandbox has its own instance and the probe verified that the host's is neither visible nor changeable from inside; not isolated: it sees or changes the host's (a protection that comes from another namespace is credited to that namespace's cell); n/a: nothing of the host's to hide";

/**
 * The eight cells for one probe run: each namespace kind judged on what the
 * probe saw and did inside and what the host saw, with the evidence in words.
 */
export function isolationCells(p: ProbeReport, h: HostObservations): IsolationCell[] {
  const cells: Record<Namespace, IsolationCell> = {} as Record<Namespace, IsolationCell>;

  // pid: pid 1, the host's processes hidden, the host's target out of reach
  {
    const hidden = !p.targetVisible;
    const unreachable = !h.targetSignaled;
    const ev = [
      `pid ${p.pid} inside`,
      `${p.procCount} processes in its /proc (host: ${h.hostProcCount})`,
      `host target ${h.targetPid} ${p.targetVisible ? 'visible' : 'not visible'}`,
      `kill(SIGUSR1) → ${err(p.killErrno)}${h.targetSignaled ? ', received by the host target' : ''}`,
    ];
    cells.pid = {
      ns: 'pid',
      status: p.pid === 1 && hidden && unreachable ? 'isolated' : 'not-isolated',
      evidence: ev.join('; '),
    };
  }

  // uts: a rename inside leaves the host's name alone
  {
    const hostUnchanged = h.hostnameBefore === h.hostnameAfter;
    let status: IsolationCell['status'];
    let ev: string;
    if (p.ownUtsNs) {
      status = hostUnchanged ? 'isolated' : 'not-isolated';
      ev = `own UTS namespace: sethostname → ${err(p.sethostnameErrno)} ("${p.hostnameBefore}" → "${p.hostnameAfter}"); host name ${hostUnchanged ? `unchanged ("${h.hostnameAfter}")` : `changed to "${h.hostnameAfter}"`}`;
    } else {
      // one definition for every cell: isolated means the sandbox has its own instance and the host's is neither seen
      // nor changed from inside. Sharing the host's name is not isolation, even where a user namespace's missing
      // capability keeps it from renaming the host (that protection is the user cell's)
      status = 'not-isolated';
      ev = `shares the host's UTS namespace: sees the host's name "${p.hostnameBefore}"; sethostname of the same name → ${err(p.sethostnameErrno)}${p.sethostnameErrno === 0 ? ': it could rename the host' : ': the missing capability (user namespace), not a UTS namespace, keeps it from renaming the host'}`;
    }
    cells.uts = { ns: 'uts', status, evidence: ev };
  }

  // mnt: no propagation either way
  {
    const out = p.innerMountErrno === 0 && h.innerMountOnHost;
    const inward = p.lateMountVisible === 1;
    const ev = [
      `tmpfs mount inside → ${err(p.innerMountErrno)}${p.innerMountErrno === 0 ? (h.innerMountOnHost ? ', seen on the host' : ', not seen on the host') : ''}`,
      `host mount made after start ${p.lateMountVisible === -1 ? 'not checked' : inward ? 'visible inside' : 'not visible inside'}`,
      `host mount made before start ${p.hostMountVisible ? 'visible' : 'not visible'} (${p.mountCount} mounts in its table)`,
    ];
    cells.mnt = {
      ns: 'mnt',
      status: out || inward || p.lateMountVisible === -1 ? 'not-isolated' : 'isolated',
      evidence: ev.join('; '),
    };
  }

  // net: the host's interfaces and its loopback listener out of sight and reach
  {
    const ifaces = p.interfaces.split(',').filter(Boolean);
    const hostOnly = ifaces.filter((i) => i !== 'lo' && h.hostInterfaces.includes(i));
    const reached = p.connectErrno === 0 || h.connectionsAccepted > 0;
    const ev = [
      `interfaces: ${ifaces.join(', ') || 'none'}`,
      `${p.listeningSockets} listening TCP sockets, host listener ${p.hostListenerVisible ? 'visible' : 'not visible'}`,
      `connect 127.0.0.1:<host port> → ${err(p.connectErrno)}${h.connectionsAccepted ? ' (the host accepted it)' : ''}`,
    ];
    cells.net = {
      ns: 'net',
      status: !reached && hostOnly.length === 0 && !p.hostListenerVisible ? 'isolated' : 'not-isolated',
      evidence: ev.join('; '),
    };
  }

  // ipc: the host's SysV segment and queue and its POSIX queue
  {
    const found = p.shmErrno === 0 || p.msgErrno === 0 || p.mqErrno === 0;
    const ev = `SysV shm (host key) → ${err(p.shmErrno)}${p.shmMarkerRead ? ', marker read' : ''}; SysV msg queue → ${err(p.msgErrno)}; POSIX mqueue → ${err(p.mqErrno)}`;
    cells.ipc = { ns: 'ipc', status: found ? 'not-isolated' : 'isolated', evidence: ev };
  }

  // user: ids and capabilities vs the host, a privileged act on a host-owned file
  {
    const changed = (h.hostFileMode & 0o777) !== 0o600;
    const map = p.uidMap.trim().replace(/\s+/g, ' ');
    const ev = [
      `uid ${p.uid} gid ${p.gid} inside, host sees uid ${h.hostViewUid ?? '?'}`,
      `uid_map "${map}"`,
      `CapEff ${p.capEff}`,
      `chmod of a file owned by host uid ${h.hostFileOwner} → ${err(p.chmodErrno)}${changed ? ' (mode changed on the host)' : ''}`,
    ];
    cells.user = {
      ns: 'user',
      status: p.chmodErrno !== 0 && !changed ? 'isolated' : 'not-isolated',
      evidence: ev.join('; '),
    };
  }

  // cgroup: its own root, or the host's path
  {
    const inside = cgroupLines(p.cgroup);
    const host = cgroupLines(h.hostViewCgroup ?? '');
    const hostPaths = [...host.values()];
    const leaked = [...inside.entries()].filter(([k, v]) => v !== '/' && host.get(k) === v);
    let status: IsolationCell['status'];
    if (hostPaths.length > 0 && hostPaths.every((x) => x === '/')) status = 'n/a';
    else status = leaked.length === 0 ? 'isolated' : 'not-isolated';
    const show = (m: Map<string, string>) => [...new Set(m.values())].join(', ');
    const ev =
      status === 'n/a'
        ? 'the sandbox sits in the root cgroup: there is no host path to hide'
        : `/proc/self/cgroup inside: ${show(inside) || '-'}; host sees ${show(host) || '-'}${leaked.length ? ` (${leaked.length} of ${inside.size} hierarchies show the host's path)` : ''}`;
    cells.cgroup = { ns: 'cgroup', status, evidence: ev };
  }

  // time: the clocks' offsets, set and seen inside
  {
    const dMono = p.monotonicSec - h.hostMonotonicSec;
    const dBoot = p.boottimeSec - h.hostBoottimeSec;
    const o = h.timeOffsets;
    const ok =
      o !== null &&
      Math.abs(dMono - o.monotonicSec) <= 5 &&
      Math.abs(dBoot - o.boottimeSec) <= 5 &&
      (o.monotonicSec !== 0 || o.boottimeSec !== 0);
    const ev = o
      ? `offsets set: monotonic +${o.monotonicSec} s, boottime +${o.boottimeSec} s; seen inside: monotonic ${dMono >= 0 ? '+' : ''}${dMono} s, boottime ${dBoot >= 0 ? '+' : ''}${dBoot} s; the host's clocks unchanged`
      : `no time namespace: clocks are the host's (monotonic ${dMono >= 0 ? '+' : ''}${dMono} s, boottime ${dBoot >= 0 ? '+' : ''}${dBoot} s from the host's)`;
    cells.time = { ns: 'time', status: ok ? 'isolated' : 'not-isolated', evidence: ev };
  }

  return NAMESPACES.map((n) => cells[n]);
}

/** The probe's JSON line from its stdout; throws when there is none. */
export function parseProbeReport(stdout: string): ProbeReport {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{"probe":1'));
  if (!line) throw new Error('the probe printed no report');
  return JSON.parse(line) as ProbeReport;
}
