// Rootless mode: as an unprivileged user (created here), every variant with a
// user namespace runs — the boot scenario's and a set of our own, cgroup-free —
// while the rest (no user namespace, a cgroup, veth) are skipped with the
// reason; `doctor` says what works and how to get more. Started in a cgroup v2
// group delegated to that user (as systemd's Delegate=yes does it: the folder,
// cgroup.procs, cgroup.subtree_control and cgroup.threads chowned), the cgroup
// variants run too, with the limits the group's controllers allow, and the
// group is left as it was found.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { detectCgroups, PROJECT_ROOT } from '../src/host/index.ts';
import type { RunResults } from '../src/results/index.ts';
import { hasCommand, needsRootAndBuild, tempDir } from './helpers/env.ts';

const USER = 'nsbrootless';
const CLI = join(PROJECT_ROOT, 'bin/nsbench.js');
const sysctl = (k: string) => {
  try {
    return readFileSync(`/proc/sys/${k.replace(/\./g, '/')}`, 'utf8').trim();
  } catch {
    // no such sysctl on this kernel
    return null;
  }
};
/** The project and every folder above it must be open to other users (o+rx) for a non-root user to run it. */
function closedAncestor(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o005) !== 0o005) return d;
    if (d === dirname(d)) return null;
  }
}
const closed = closedAncestor(PROJECT_ROOT);
const skip =
  needsRootAndBuild ||
  (!hasCommand('useradd') || !hasCommand('runuser') ? 'useradd/runuser (passwd, util-linux) not installed' : false) ||
  (sysctl('kernel.unprivileged_userns_clone') === '0' || sysctl('user.max_user_namespaces') === '0'
    ? 'unprivileged user namespaces are disabled on this machine'
    : false) ||
  (closed ? `${closed} is not open to other users (o+rx), so a non-root user cannot run the project from here` : false);

describe('rootless mode', { skip }, () => {
  let created = false;
  let delegated: string | null = null;
  after(() => {
    if (delegated) rmdirSync(delegated);
    if (created) execFileSync('userdel', [USER], { stdio: 'ignore' });
  });
  const ensureUser = (): { uid: number; gid: number } => {
    if (spawnSync('id', [USER]).status !== 0) {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
      created = true;
    }
    const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  };
  /**
   * A folder open to the user holding these files (name → text, owned by the user) and an out/ folder the user owns.
   */
  const userWorkspace = (files: Record<string, string>): { out: string; paths: string[] } => {
    const { uid, gid } = ensureUser();
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const out = join(dir, 'out');
    execFileSync('install', ['-d', '-o', USER, out]);
    const paths = Object.entries(files).map(([name, text]) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      chownSync(path, uid, gid);
      return path;
    });
    return { out, paths };
  };
  const readRun = (out: string): RunResults => {
    const file = readdirSync(out).find((f) => f.endsWith('.json'));
    assert.ok(file, 'a results file');
    return JSON.parse(readFileSync(join(out, file), 'utf8')) as RunResults;
  };

  test('user-namespace variants run as a non-root user; the others are skipped with the reason', () => {
    const {
      out,
      paths: [scenario],
    } = userWorkspace({
      'rootless.ts': `export default { name: 'rootless', description: 'x', workload: { builtin: 'sieve', args: ['100000'] }, variants: [
  { id: 'bare', ns: [] },
  { id: 'user', ns: ['user'] },
  { id: 'user+pid+mnt', ns: ['user', 'pid', 'mnt'] },
  { id: 'user+net', ns: ['user', 'net'] },
  { id: 'user+ipc+uts+cgroup+time', ns: ['user', 'ipc', 'uts', 'cgroup', 'time'] },
  { id: 'pid', ns: ['pid'] },
  { id: 'net', ns: ['net'] },
  { id: 'user/cgroup', ns: ['user'], cgroup: { pids: { max: 64 } } },
] };\n`,
    });
    const r = spawnSync(
      'runuser',
      [
        '-u',
        USER,
        '--',
        process.execPath,
        CLI,
        'run',
        'boot',
        scenario as string,
        '--rounds',
        '2',
        '--warmup',
        '0',
        '--out',
        out,
        '-q',
        '--no-report',
      ],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const run = readRun(out);
    let ran = 0;
    for (const sc of run.scenarios)
      for (const v of sc.variants) {
        const samples = sc.samples.filter((s) => s.variant === v.id);
        assert.equal(samples.length, 2, `${sc.name}/${v.id}`);
        if (v.ns.length === 0 || (v.ns.includes('user') && !v.cgroup)) {
          for (const s of samples)
            assert.equal(s.state, 'completed', `${sc.name}/${v.id}: ${s.state !== 'completed' ? s.reason : ''}`);
          if (v.ns.includes('user')) ran++;
        } else {
          for (const s of samples) {
            assert.equal(s.state, 'skipped', `${sc.name}/${v.id}`);
            assert.match(
              s.state === 'skipped' ? s.reason : '',
              v.cgroup
                ? /creating cgroups needs root/
                : /needs root: creating namespaces without a user namespace needs CAP_SYS_ADMIN/,
            );
          }
        }
      }
    assert.ok(ran >= 7, `the user-namespace variants ran (${ran})`);

    const d = spawnSync('runuser', ['-u', USER, '--', process.execPath, CLI, 'doctor'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const doctor = d.stdout.replace(/\s+/g, ' '); // its details wrap within 100 columns
    assert.match(doctor, /privileges: root +running as uid \d+: only variants with a user namespace can run/);
    assert.match(
      doctor,
      /namespaces: pid +rootless: not alone \(needs CAP_SYS_ADMIN\), but user\+pid launched the no-op/,
    );
    assert.match(doctor, /rootless: cgroups .*skipped/);
  });

  const v2Root = detectCgroups().v2Root;
  test('in a cgroup delegated to the user, the cgroup variants run and the group is left as found', {
    skip: !v2Root
      ? 'no cgroup v2 hierarchy to delegate from'
      : !hasCommand('setpriv')
        ? 'setpriv (util-linux) not installed'
        : false,
  }, () => {
    const { uid, gid } = ensureUser();
    const group = join(v2Root as string, `nsb-delegated-${process.pid}`);
    mkdirSync(group);
    delegated = group;
    for (const f of ['', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'])
      chownSync(join(group, f), uid, gid);
    const offered = readFileSync(join(group, 'cgroup.controllers'), 'utf8').split(/\s+/).filter(Boolean);
    const {
      out,
      paths: [scenario, freeze],
    } = userWorkspace({
      'delegated.ts': `export default { name: 'delegated', description: 'x', workload: { builtin: 'sieve', args: ['100000'] }, variants: [
  { id: 'user', ns: ['user'] },
  { id: 'user/own-cgroup', ns: ['user', 'pid'], cgroup: {} },
  { id: 'user/pids', ns: ['user', 'pid'], cgroup: { pids: { max: 64 } } },
  { id: 'pid/own-cgroup', ns: ['pid'], cgroup: {} },
] };\n`,
      'freeze-delegated.ts': `export default { name: 'freeze-delegated', description: 'x', kind: 'freeze', workload: { builtin: 'hog' }, variants: [
  { id: 'v2/sleep/10', ns: ['user', 'pid'], cgroup: {}, freeze: { processes: 10, mode: 'sleep', freezer: 'v2' } },
] };\n`,
    });
    // a shell enters the delegated group, then becomes the user: nsbench starts inside it, as under systemd-run --user
    // --scope -p Delegate=yes
    const asUserInGroup = (args: string[], timeout: number) =>
      spawnSync(
        'sh',
        [
          '-c',
          `echo $$ > ${group}/cgroup.procs && exec setpriv --reuid=${uid} --regid=${gid} --clear-groups -- "$0" "$@"`,
          process.execPath,
          CLI,
          ...args,
        ],
        { cwd: PROJECT_ROOT, encoding: 'utf8', timeout },
      );
    const r = asUserInGroup(
      [
        'run',
        scenario as string,
        freeze as string,
        '--rounds',
        '3',
        '--warmup',
        '0',
        '--out',
        out,
        '-q',
        '--no-report',
      ],
      120_000,
    );
    assert.equal(r.status, 0, r.stderr);
    const run = readRun(out);
    const samples = (sc: string, v: string) =>
      run.scenarios.find((s) => s.name === sc)?.samples.filter((s) => s.variant === v) ?? [];
    const placement = run.environment.cgroupPlacement as Record<string, unknown>;
    assert.equal(placement.delegatedGroup, group, 'the results name the delegated group used');
    for (const s of samples('delegated', 'user/own-cgroup')) {
      assert.equal(s.state, 'completed', s.state !== 'completed' ? s.reason : '');
      if (s.state === 'completed') {
        assert.equal(s.cgroupMethod, 'clone-into-cgroup', 'placed at birth');
        assert.ok((s.metrics.cgCpuUsageUs ?? 0) > 0, 'accounted in its own group');
      }
    }
    for (const s of samples('delegated', 'user/pids')) {
      if (offered.includes('pids')) assert.equal(s.state, 'completed', s.state !== 'completed' ? s.reason : '');
      else assert.match(s.state === 'skipped' ? s.reason : s.state, /cgroup v2 controller "pids" is not enabled here/);
    }
    for (const s of samples('delegated', 'pid/own-cgroup'))
      assert.match(s.state === 'skipped' ? s.reason : s.state, /needs root/);
    const frozen = samples('freeze-delegated', 'v2/sleep/10');
    assert.equal(frozen.length, 3);
    for (const s of frozen) {
      assert.equal(s.state, 'completed', s.state !== 'completed' ? s.reason : '');
      if (s.state === 'completed')
        assert.ok(
          (s.metrics.freezeNs ?? 0) > 0 && s.metrics.processes === 10,
          `froze the sandbox's processes (${s.metrics.processes})`,
        );
    }
    // left as found: no group inside, no controller enabled, and (nsbench having exited) no process
    assert.deepEqual(
      readdirSync(group, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name),
      [],
    );
    assert.equal(readFileSync(join(group, 'cgroup.subtree_control'), 'utf8').trim(), '');
    assert.equal(readFileSync(join(group, 'cgroup.procs'), 'utf8').trim(), '');

    const d = asUserInGroup(['doctor'], 60_000);
    assert.match(
      d.stdout.replace(/\s+/g, ' '),
      new RegExp(`rootless: cgroups .*${group.replace(/[/.]/g, '\\$&')} is delegated to this user`),
    );
  });
});
