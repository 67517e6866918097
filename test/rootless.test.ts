// Rootless mode: as an unprivileged user (created here), every variant with a
// user namespace runs — the boot scenario's and a set of our own, cgroup-free —
// while the rest (no user namespace, a cgroup, veth) are skipped with the
// reason; `doctor` says what works and how to get more.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { RunResults } from '../src/results/index.ts';
import { PROJECT_ROOT } from '../src/launcher/index.ts';
import { hasCommand, needsRootAndBuild, tempDir } from './helpers/env.ts';

const USER = 'nsbrootless';
const sysctl = (k: string) => {
  try {
    return readFileSync(`/proc/sys/${k.replace(/\./g, '/')}`, 'utf8').trim();
  } catch {
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
  (sysctl('kernel.unprivileged_userns_clone') === '0' || sysctl('user.max_user_namespaces') === '0' ? 'unprivileged user namespaces are disabled on this machine' : false) ||
  (closed ? `${closed} is not open to other users (o+rx), so a non-root user cannot run the project from here` : false);

describe('rootless mode', { skip }, () => {
  let created = false;
  after(() => {
    if (created) execFileSync('userdel', [USER], { stdio: 'ignore' });
  });

  test('user-namespace variants run as a non-root user; the others are skipped with the reason', () => {
    if (spawnSync('id', [USER]).status !== 0) {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
      created = true;
    }
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const out = join(dir, 'out');
    execFileSync('install', ['-d', '-o', USER, out]);
    const scenario = join(dir, 'rootless.ts');
    writeFileSync(
      scenario,
      `export default { name: 'rootless', description: 'x', workload: { builtin: 'sieve', args: ['100000'] }, variants: [
  { id: 'bare', ns: [] },
  { id: 'user', ns: ['user'] },
  { id: 'user+pid+mnt', ns: ['user', 'pid', 'mnt'] },
  { id: 'user+net', ns: ['user', 'net'] },
  { id: 'user+ipc+uts+cgroup+time', ns: ['user', 'ipc', 'uts', 'cgroup', 'time'] },
  { id: 'pid', ns: ['pid'] },
  { id: 'net', ns: ['net'] },
  { id: 'user/cgroup', ns: ['user'], cgroup: { pids: { max: 64 } } },
] };\n`,
    );
    chownSync(scenario, uid, uid);
    const r = spawnSync('runuser', ['-u', USER, '--', process.execPath, join(PROJECT_ROOT, 'bin/nsbench.js'), 'run', 'boot', scenario, '--rounds', '2', '--warmup', '0', '--out', out, '-q', '--no-report'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const file = readdirSync(out).find((f) => f.endsWith('.json'));
    assert.ok(file);
    const run = JSON.parse(readFileSync(join(out, file), 'utf8')) as RunResults;
    let ran = 0;
    for (const sc of run.scenarios)
      for (const v of sc.variants) {
        const samples = sc.samples.filter((s) => s.variant === v.id);
        assert.equal(samples.length, 2, `${sc.name}/${v.id}`);
        if (v.ns.length === 0 || (v.ns.includes('user') && !v.cgroup)) {
          for (const s of samples) assert.equal(s.state, 'completed', `${sc.name}/${v.id}: ${s.state !== 'completed' ? s.reason : ''}`);
          if (v.ns.includes('user')) ran++;
        } else {
          for (const s of samples) {
            assert.equal(s.state, 'skipped', `${sc.name}/${v.id}`);
            assert.match(s.state === 'skipped' ? s.reason : '', v.cgroup ? /creating cgroups needs root/ : /needs root: creating namespaces without a user namespace needs CAP_SYS_ADMIN/);
          }
        }
      }
    assert.ok(ran >= 7, `the user-namespace variants ran (${ran})`);

    const d = spawnSync('runuser', ['-u', USER, '--', process.execPath, join(PROJECT_ROOT, 'bin/nsbench.js'), 'doctor'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.match(d.stdout, /privileges: root +running as uid \d+: only variants with a user namespace can run/);
    assert.match(d.stdout, /namespaces: pid +rootless: not alone \(needs CAP_SYS_ADMIN\), but user\+pid launched the no-op/);
    assert.match(d.stdout, /rootless: cgroups .*skipped/);
  });
});
