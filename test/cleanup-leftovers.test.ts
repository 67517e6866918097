// nsbench cleanup finds what a run that died left behind, by the nsb- prefix,
// lists it with --dry-run, and removes all of it.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectCgroups, PROJECT_ROOT } from '../src/host/index.ts';
import { ipAvailable } from '../src/network/index.ts';
import { needsRootAndBuild } from './helpers/env.ts';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), 'cleanup', ...args], {
    encoding: 'utf8',
    cwd: PROJECT_ROOT,
    timeout: 60_000,
  });

test('leftovers of a dead run: listed by --dry-run, removed by cleanup, nothing else touched', {
  skip: needsRootAndBuild || (!ipAvailable() ? 'ip (iproute2) not installed' : false),
}, async () => {
  const tag = `nsb-dead${process.pid}`;
  const info = detectCgroups();
  const root = info.v2Root ?? Object.values(info.v1Controllers)[0];
  assert.ok(root);
  const group = join(root, tag, 'nsb-sandbox-1');
  mkdirSync(group, { recursive: true });
  const orphan = spawn('/bin/sleep', ['300'], { stdio: 'ignore', detached: true });
  orphan.unref();
  writeFileSync(join(group, 'cgroup.procs'), String(orphan.pid));
  execFileSync('ip', ['netns', 'add', tag]);
  execFileSync('ip', [
    'link',
    'add',
    `nsb-d${process.pid % 100000}`,
    'type',
    'veth',
    'peer',
    'name',
    `nsb-e${process.pid % 100000}`,
  ]);
  const work = `/var/tmp/${tag}-work`;
  mkdirSync(work);
  const mnt = `/var/tmp/${tag}-mnt`;
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', 'nsb-test', mnt]);
  const unrelated = '/var/tmp/not-nsbench-keep';
  mkdirSync(unrelated, { recursive: true });

  const dry = cli('--dry-run');
  assert.equal(dry.status, 0, dry.stderr);
  for (const kind of ['process', 'mount', 'netns', 'link', 'cgroup', 'file'])
    assert.match(dry.stdout, new RegExp(`^${kind} `, 'm'), `${kind} listed:\n${dry.stdout}`);
  assert.match(dry.stdout, /dry run: nothing removed/);
  assert.ok(existsSync(group) && existsSync(work), 'a dry run removes nothing');

  const real = cli();
  assert.equal(real.status, 0, real.stdout + real.stderr);
  assert.match(real.stdout, /removed \d+ leftovers/);
  assert.ok(!existsSync(join(root, tag)), 'the cgroups are gone');
  assert.ok(!existsSync(work) && !existsSync(mnt), 'work folders and mounts are gone');
  assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(tag));
  assert.ok(!execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).includes(`nsb-d${process.pid % 100000}`));
  const state = existsSync(`/proc/${orphan.pid}/stat`)
    ? (readFileSync(`/proc/${orphan.pid}/stat`, 'utf8').split(') ')[1] ?? '').charAt(0)
    : 'gone';
  assert.ok(state === 'Z' || state === 'gone', `the orphaned sandbox process was killed (state ${state})`);
  assert.ok(existsSync(unrelated), 'what lacks the prefix is never touched');
  execFileSync('rmdir', [unrelated]);
  assert.match(cli('--dry-run').stdout, /nothing of nsbench is left/);
});

test("the isolation probe's host IPC objects (SysV key 0x6e73xxxx, POSIX queue /nsb-*) are found and removed", {
  skip: needsRootAndBuild,
}, async () => {
  const key = 0x6e730000 | (process.pid & 0xffff);
  const dir = `/var/tmp/nsb-ipc${process.pid}`;
  mkdirSync(join(dir, 'out'), { recursive: true });
  const target = spawn(
    join(PROJECT_ROOT, 'workloads/bin/probe'),
    ['target', dir, String(key), `/nsb-ipc${process.pid}`],
    { stdio: 'ignore' },
  );
  const keyHex = `0x${key.toString(16)}`;
  const shmKeys = () =>
    readFileSync('/proc/sysvipc/shm', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => Number(l.trim().split(/\s+/)[0]));
  for (let i = 0; i < 200 && !shmKeys().includes(key); i++) await new Promise((r) => setTimeout(r, 10));
  target.kill('SIGKILL'); // dies without removing them
  await new Promise((r) => target.once('exit', r));
  const dry = cli('--dry-run');
  assert.match(dry.stdout, new RegExp(`SysV shared memory key ${keyHex}`));
  assert.match(dry.stdout, /SysV message queue key/);
  assert.match(dry.stdout, new RegExp(`mq /nsb-ipc${process.pid}`));
  const r = cli();
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!shmKeys().includes(key), 'the segment is gone');
  assert.ok(!existsSync(dir), 'the folder is gone');
  assert.doesNotMatch(cli('--dry-run').stdout, /ipc/);
});
