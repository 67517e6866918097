// Limits really apply, on the hierarchies this machine has (v1 here, v2 where lent one).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CgroupManager, type CgroupSpec } from '../src/cgroup/index.ts';
import { builtinWorkload, detectCgroups } from '../src/host/index.ts';
import { SandboxLauncher } from '../src/launcher/index.ts';
import { leftovers, toSample, workloadMetricsOf } from './helpers/cgroup.ts';
import { needsRootAndBuild } from './helpers/env.ts';

const info = detectCgroups();
const skip = needsRootAndBuild || (info.mode === 'none' ? 'no cgroup hierarchy mounted' : false);

describe(`cgroups (${info.mode}): limits apply`, { skip }, () => {
  let launcher: SandboxLauncher;
  let cg: CgroupManager;
  before(() => {
    launcher = SandboxLauncher.start();
    cg = new CgroupManager(`test-${process.pid}`);
  });
  after(async () => {
    launcher.close();
    assert.deepEqual(await cg.cleanup(), [], 'cleanup removed everything');
    assert.deepEqual(leftovers(cg.runName), [], 'nothing is left behind');
  });

  async function runIn(spec: CgroupSpec, argv: string[], timeoutMs = 20_000) {
    const group = cg.create('t', spec);
    try {
      const r = await launcher.run({
        ns: ['pid'],
        path: builtinWorkload(argv[0] as string),
        argv,
        timeoutMs,
        ...group.placement,
      });
      return { r, stats: group.stats(), group };
    } finally {
      await cg.destroy(group);
    }
  }

  test('a memory hog in a 64 MB group is OOM-killed and the sample records oom_kill', async () => {
    const { r, stats } = await runIn({ memory: { max: '64M' } }, ['hog', 'mem', '512M']);
    assert.equal(r.state, 'signaled');
    assert.equal(r.signal, 9);
    assert.ok((stats.cgOomKills ?? 0) >= 1, `oom_kill counted: ${JSON.stringify(stats)}`);
    assert.ok((stats.cgMemoryPeakBytes ?? 0) <= 64 * 1024 * 1024 + 4096, 'peak stays at the limit');
    const s = toSample(r, stats);
    assert.equal(s.state, 'errored');
    assert.ok(s.state === 'errored' && s.cause === 'oom-killed', JSON.stringify(s));
  });

  test('the same hog under a non-binding limit completes', async () => {
    const { r, stats } = await runIn({ memory: { max: '1G' } }, ['hog', 'mem', '64M']);
    assert.equal(r.state, 'exited');
    assert.equal(stats.cgOomKills ?? 0, 0);
    assert.ok((stats.cgMemoryPeakBytes ?? 0) >= 64 * 1024 * 1024, 'the group was charged for what it touched');
  });

  test('a fork loop stops at pids.max', async () => {
    const { r, stats } = await runIn({ pids: { max: 16 } }, ['hog', 'fork', '200']);
    assert.equal(r.state, 'exited');
    const w = workloadMetricsOf(r.stdout);
    assert.equal(w['workload.forked'], 15, 'the hog plus 15 children make 16 tasks');
    assert.equal(w['workload.forkErrno'], 11, 'fork failed with EAGAIN');
    assert.ok((stats.cgPidsMaxEvents ?? 0) >= 1, 'pids.events counted the refusal');
  });

  test('a cpu quota of 0.2 CPU yields about 20% of one core', async () => {
    const { r, stats } = await runIn({ cpu: { max: 0.2, periodUs: 20_000 } }, ['hog', 'spin', '1000']);
    assert.equal(r.state, 'exited');
    const share = workloadMetricsOf(r.stdout)['workload.cpuShare'] ?? 0;
    assert.ok(share > 0.12 && share < 0.28, `cpu share ${share} within 0.2 ± 0.08`);
    assert.ok((stats.cgCpuNrThrottled ?? 0) > 10, 'the group was throttled');
    assert.ok(
      (stats.cgCpuUsageUs ?? 0) > 100_000 && (stats.cgCpuUsageUs ?? 0) < 300_000,
      `usage ${stats.cgCpuUsageUs} µs in 1 s`,
    );
  });

  test('own cgroup without limits: accounting only, placed at birth', async () => {
    const { r, stats } = await runIn({}, ['noop']);
    assert.equal(r.state, 'exited');
    assert.ok(r.ready);
    assert.notEqual(r.cgroupMethod, 'none');
    if (info.mode === 'v2') assert.equal(r.cgroupMethod, 'clone-into-cgroup', 'v2: CLONE_INTO_CGROUP, no migration');
    else assert.match(r.cgroupMethod, /procs-write/, 'v1: cgroup.procs writes before exec');
    if (r.cgroupMethod.includes('procs-write'))
      assert.ok(r.offsetsNs.cgroupDone > r.offsetsNs.cloneDone, 'the breakdown has the cgroup step');
    assert.ok((stats.cgCpuUsageUs ?? 0) > 0, 'CPU was accounted to the group');
  });

  test('a limit this machine cannot apply is refused with the reason', () => {
    const reason = cg.unsupported(
      info.mode === 'v2' ? { io: { device: '9999:9999', rbps: 1 } } : { memory: { high: '1M' } },
    );
    if (info.mode === 'v2') assert.equal(reason, null, 'io.max is accepted by the plan (the kernel checks the device)');
    else assert.match(reason ?? '', /memory\.high has no cgroup v1 equivalent/);
  });

  test('killAll empties a group of forked processes, and remove() deletes it', async () => {
    const group = cg.create('kill', {});
    const held = await launcher.hold({
      ns: [],
      path: builtinWorkload('hog'),
      argv: ['hog', 'procs', '20', 'sleep'],
      timeoutMs: 10_000,
      ...group.placement,
    });
    assert.equal(held.state, 'running');
    assert.equal(group.pids().length, 20, 'all 20 processes are in the group');
    await group.killAll();
    assert.equal(group.pids().length, 0);
    await launcher.release(held.id, { signal: 0, timeoutMs: 5000 });
    const dirs = [group.v2Dir, ...Object.values(group.v1Dirs)].filter((d): d is string => d !== null);
    await cg.destroy(group);
    assert.ok(
      dirs.every((d) => !existsSync(d)),
      'every directory of the group is gone',
    );
  });
});

describe('cgroup v1 without cgroup.kill', {
  skip: skip || (Object.keys(info.v1Controllers).length === 0 ? 'no v1 hierarchies here' : false),
}, () => {
  test('killAll freezes, SIGKILLs by pid and thaws until the group is empty', async () => {
    const v1only = new CgroupManager(`test-v1-${process.pid}`, {
      ...info,
      mode: 'v1',
      v2Root: null,
      v2Controllers: [],
    });
    const launcher = SandboxLauncher.start();
    try {
      const group = v1only.create('v1kill', { pids: { max: 100 } });
      assert.equal(group.v2Dir, null);
      const held = await launcher.hold({
        ns: [],
        path: builtinWorkload('hog'),
        argv: ['hog', 'procs', '30', 'busy'],
        timeoutMs: 10_000,
        ...group.placement,
      });
      assert.equal(held.state, 'running');
      assert.equal(held.cgroupMethod, 'procs-write');
      assert.equal(group.pids().length, 30);
      await group.killAll();
      assert.equal(group.pids().length, 0);
      await launcher.release(held.id, { signal: 0, timeoutMs: 5000 });
    } finally {
      launcher.close();
      assert.deepEqual(await v1only.cleanup(), []);
    }
    assert.deepEqual(leftovers(v1only.runName), []);
  });
});

describe('cgroup v2 backend on the controller-less unified hierarchy (hybrid machines)', {
  skip: skip || (info.mode !== 'hybrid' ? 'only on a hybrid machine' : !info.v2Root ? 'no unified hierarchy' : false),
}, () => {
  test('v2 file handling: CLONE_INTO_CGROUP, cgroup.events, cgroup.kill, cpu.stat, removal', async () => {
    const v2only = new CgroupManager(`test-v2-${process.pid}`, { ...info, mode: 'v2', v1Controllers: {} });
    const launcher = SandboxLauncher.start();
    try {
      assert.match(
        v2only.unsupported({ pids: { max: 4 } }) ?? '',
        /controller "pids" is not enabled here/,
        'limits need controllers: refused with the reason',
      );
      const group = v2only.create('v2', {});
      assert.ok(group.v2Dir, 'a v2 group');
      assert.ok(group.v2Dir.startsWith(info.v2Root as string));
      assert.deepEqual(Object.keys(group.v1Dirs), []);
      const held = await launcher.hold({
        ns: ['pid'],
        path: builtinWorkload('hog'),
        argv: ['hog', 'procs', '5', 'busy'],
        timeoutMs: 10_000,
        ...group.placement,
      });
      assert.equal(held.state, 'running');
      assert.equal(held.cgroupMethod, 'clone-into-cgroup');
      assert.equal(
        readFileSync(`/proc/${held.pid}/cgroup`, 'utf8')
          .split('\n')
          .find((l) => l.startsWith('0::'))
          ?.slice(3),
        group.v2Dir.slice((info.v2Root as string).length),
      );
      assert.match(readFileSync(join(group.v2Dir, 'cgroup.events'), 'utf8'), /populated 1/);
      await new Promise((r) => setTimeout(r, 50));
      assert.ok((group.stats().cgCpuUsageUs ?? 0) > 0, 'cpu.stat usage is read from the v2 leaf');
      await group.killAll();
      assert.match(readFileSync(join(group.v2Dir, 'cgroup.events'), 'utf8'), /populated 0/, 'cgroup.kill emptied it');
      const done = await launcher.release(held.id, { signal: 0, timeoutMs: 5000 });
      assert.equal(done.state, 'signaled');
      await v2only.destroy(group);
      assert.ok(!existsSync(group.v2Dir));
    } finally {
      launcher.close();
      assert.deepEqual(await v2only.cleanup(), []);
    }
    assert.ok(!existsSync(join(info.v2Root as string, v2only.runName)), 'the run parent is removed');
  });
});
