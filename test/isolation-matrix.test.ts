// The isolation matrix: each probe finding checked against the known truth
// for that namespace set, from inside and from the host; nothing left behind
// (folders, mounts, IPC objects, the host target, the listener).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, test } from 'node:test';
import type { IsolationCell, Namespace } from '../src/isolation/index.ts';
import { type HostObservations, isolationCells, type ProbeReport } from '../src/isolation/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { needsRootAndBuild, processTable, tempDir } from './helpers/env.ts';

function nsbLeftovers(): string[] {
  const dirs = readdirSync('/var/tmp').filter((e) => e.startsWith('nsb-iso-'));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes('/nsb-iso-'));
  const ipc = ['shm', 'msg'].flatMap((k) =>
    readFileSync(`/proc/sysvipc/${k}`, 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => /^\s*(\d+)/.test(l) && Number(l.trim().split(/\s+/)[0]) >>> 16 === 0x6e73),
  );
  const targets = processTable().filter((p) => p.comm === 'probe');
  return [...dirs, ...mounts, ...ipc, ...targets.map((p) => `probe pid ${p.pid}`)];
}

async function matrix(variants: { id: string; ns: Namespace[]; userMap?: { uid: number; gid: number } }[]) {
  const sc = validateScenario(
    { name: 'iso', description: 'x', kind: 'isolation', workload: { builtin: 'probe' }, variants },
    'test/iso.ts',
  );
  const { run } = await runBenchmark({
    scenarios: [sc],
    rounds: 1,
    warmup: 0,
    defaultRounds: 1,
    defaultWarmup: 0,
    defaultTimeoutMs: 10_000,
    outDir: tempDir(),
    seed: 7,
  });
  const r = run.scenarios[0];
  assert.ok(r);
  const out = new Map<string, Map<Namespace, IsolationCell>>();
  for (const s of r.samples) {
    assert.equal(s.state, 'completed', `${s.variant}: ${s.state !== 'completed' ? s.reason : ''}`);
    if (s.state !== 'completed') continue;
    assert.equal(s.isolation?.length, 8, 'eight cells');
    out.set(s.variant, new Map((s.isolation ?? []).map((c) => [c.ns, c])));
  }
  return out;
}

const cell = (m: Map<string, Map<Namespace, IsolationCell>>, variant: string, ns: Namespace) => {
  const c = m.get(variant)?.get(ns);
  assert.ok(c, `${variant}/${ns}`);
  return c;
};

describe('isolation matrix', { skip: needsRootAndBuild }, () => {
  test('each probe finding matches the known truth of its namespace set', async () => {
    const hostIfaces = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .filter((l) => l.includes(':'))
      .map((l) => (l.split(':')[0] as string).trim())
      .filter((i) => i !== 'lo');
    const m = await matrix([
      { id: 'bare', ns: [] },
      { id: 'pid+mnt', ns: ['pid', 'mnt'] },
      { id: 'net', ns: ['net'] },
      { id: 'ipc', ns: ['ipc'] },
      { id: 'uts', ns: ['uts'] },
      { id: 'cgroup', ns: ['cgroup'] },
      { id: 'time', ns: ['time'] },
      { id: 'user→nobody', ns: ['user'], userMap: { uid: 65534, gid: 65534 } },
      { id: 'all', ns: ['user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup', 'time'] },
    ]);

    // bare: nothing is isolated, and what it sees is the host's
    for (const c of m.get('bare')?.values() ?? [])
      assert.equal(c.status === 'n/a' ? 'not-isolated' : c.status, 'not-isolated', `bare ${c.ns}: ${c.evidence}`);
    assert.match(
      cell(m, 'bare', 'pid').evidence,
      /host target \d+ visible; kill\(SIGUSR1\) → ok, received by the host target/,
    );
    for (const i of hostIfaces)
      assert.ok(cell(m, 'bare', 'net').evidence.includes(i), `no net namespace → host interface ${i} visible`);
    assert.match(cell(m, 'bare', 'net').evidence, /connect .* → ok \(the host accepted it\)/);
    assert.match(cell(m, 'bare', 'ipc').evidence, /SysV shm \(host key\) → ok, marker read/);
    assert.match(cell(m, 'bare', 'mnt').evidence, /tmpfs mount inside → ok, seen on the host/);

    // pid (with mnt for its own /proc): pid 1, no host pids, the host target out of reach
    assert.equal(cell(m, 'pid+mnt', 'pid').status, 'isolated');
    assert.match(
      cell(m, 'pid+mnt', 'pid').evidence,
      /^pid 1 inside; 1 processes in its \/proc .* not visible; kill\(SIGUSR1\) → ESRCH/,
    );
    assert.equal(cell(m, 'pid+mnt', 'mnt').status, 'isolated');
    assert.match(
      cell(m, 'pid+mnt', 'mnt').evidence,
      /tmpfs mount inside → ok, not seen on the host; host mount made after start not visible inside/,
    );

    // net: only lo, the host listener unreachable
    assert.equal(cell(m, 'net', 'net').status, 'isolated');
    assert.match(cell(m, 'net', 'net').evidence, /^interfaces: lo; 0 listening TCP sockets.*→ ECONNREFUSED/);
    assert.equal(cell(m, 'net', 'pid').status, 'not-isolated');

    // ipc: the host's SysV and POSIX objects do not exist inside
    assert.equal(cell(m, 'ipc', 'ipc').status, 'isolated');
    assert.match(cell(m, 'ipc', 'ipc').evidence, /ENOENT; SysV msg queue → ENOENT; POSIX mqueue → ENOENT/);

    // uts: renamed inside, the host keeps its name
    assert.equal(cell(m, 'uts', 'uts').status, 'isolated');
    assert.ok(cell(m, 'uts', 'uts').evidence.includes(`host name unchanged ("${os.hostname()}")`));
    assert.equal(cell(m, 'bare', 'uts').status, 'not-isolated', 'without uts it could rename the host');

    // cgroup: its own root inside; the host path outside (n/a only where nsbench sits in the root cgroup everywhere)
    const own = readFileSync('/proc/self/cgroup', 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(':').slice(2).join(':'));
    const expected = own.every((p) => p === '/') ? 'n/a' : 'isolated';
    assert.equal(cell(m, 'cgroup', 'cgroup').status, expected, cell(m, 'cgroup', 'cgroup').evidence);
    if (expected === 'isolated') assert.equal(cell(m, 'bare', 'cgroup').status, 'not-isolated');

    // time: the offsets set are the offsets seen
    assert.equal(cell(m, 'time', 'time').status, 'isolated');
    assert.match(cell(m, 'time', 'time').evidence, /seen inside: monotonic \+86400 s, boottime \+172800 s/);
    assert.equal(cell(m, 'bare', 'time').status, 'not-isolated');

    // user: root inside is host uid 65534; no privilege over a host-owned file
    assert.equal(cell(m, 'user→nobody', 'user').status, 'isolated');
    assert.match(
      cell(m, 'user→nobody', 'user').evidence,
      /uid 0 gid 0 inside, host sees uid 65534; uid_map "0 65534 1".*→ EPERM$/,
    );
    assert.match(
      cell(m, 'user→nobody', 'pid').evidence,
      /kill\(SIGUSR1\) → EPERM/,
      'a different host uid cannot signal the host target',
    );
    assert.equal(cell(m, 'bare', 'user').status, 'not-isolated');

    // all eight: every cell isolated (cgroup n/a where there is nothing to hide)
    for (const c of m.get('all')?.values() ?? []) assert.ok(c.status !== 'not-isolated', `all ${c.ns}: ${c.evidence}`);
    assert.deepEqual(nsbLeftovers(), [], 'nothing left behind');
  });
});

// pure: runs for everyone, root or not
test('a judgement needs the host side: a rename seen on the host is not isolation', () => {
  const probe = {
    ownUtsNs: 1,
    sethostnameErrno: 0,
    hostnameBefore: 'a',
    hostnameAfter: 'nsb-probe-renamed',
    interfaces: 'lo',
    uidMap: '',
    cgroup: '0::/\n',
  } as Partial<ProbeReport>;
  const host = {
    hostnameBefore: 'h',
    hostnameAfter: 'nsb-probe-renamed',
    hostInterfaces: ['lo'],
    hostViewCgroup: '0::/\n',
    timeOffsets: null,
    hostFileMode: 0o100600,
  } as Partial<HostObservations>;
  const cells = isolationCells({ ...probe } as ProbeReport, { ...host } as HostObservations);
  assert.equal(cells.find((c) => c.ns === 'uts')?.status, 'not-isolated');
  assert.equal(cells.find((c) => c.ns === 'cgroup')?.status, 'n/a', 'in the root cgroup there is no path to hide');
});
