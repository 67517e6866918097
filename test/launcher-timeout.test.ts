import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { builtinWorkload, nativeBinding } from '../src/host/index.ts';
import { NAMESPACES } from '../src/isolation/index.ts';
import { SandboxLauncher, toNativeSpec } from '../src/launcher/index.ts';
import { BUILT, needsRootAndBuild } from './helpers/env.ts';

describe('launcher: timeouts, failures and the channel', { skip: needsRootAndBuild }, () => {
  let launcher: SandboxLauncher;
  before(() => {
    launcher = SandboxLauncher.start();
  });
  after(() => launcher.close());

  test('a sandbox that outlives its limit is killed and recorded as a timeout', async () => {
    const t0 = Date.now();
    const r = await launcher.run({ ns: ['pid'], path: '/bin/sleep', argv: ['sleep', '30'], timeoutMs: 300 });
    assert.equal(r.state, 'timeout');
    assert.equal(r.signal, 9);
    assert.ok(Date.now() - t0 < 5000, 'returned soon after the limit');
    assert.ok(r.offsetsNs.exit >= 300e6, 'reaped after the deadline');
    assert.ok(!existsSync(`/proc/${r.pid}`), 'the process is gone');
  });

  test('a missing program is a setup failure carrying code, syscall and stage', async () => {
    const r = await launcher.run({ ns: ['user', 'pid'], path: '/nonexistent/nsb-prog', timeoutMs: 5000 });
    assert.equal(r.state, 'setup-failed');
    assert.ok(r.error instanceof Error);
    assert.equal(r.error?.code, 'ENOENT');
    assert.equal(r.error?.syscall, 'execve');
    assert.equal(r.error?.stage, 'exec workload');
    assert.match(r.error?.message ?? '', /npm install/);
  });

  test('output of the workload is captured', async () => {
    const r = await launcher.run({ ns: ['uts'], path: '/bin/hostname', hostname: 'nsb-captured', timeoutMs: 5000 });
    assert.equal(r.state, 'exited');
    assert.equal(r.stdout.trim(), 'nsb-captured');
  });

  test('a non-zero exit is reported with its code', async () => {
    const r = await launcher.run({ ns: [], path: '/bin/false', timeoutMs: 5000 });
    assert.equal(r.state, 'exited');
    assert.equal(r.exitCode, 1);
  });

  test('hold keeps a ready sandbox running until release reaps it', async () => {
    const spec = {
      ns: ['pid', 'user'] as const,
      path: '/bin/sh',
      argv: ['sh', '-c', 'printf r >&3; exec sleep 30'],
      timeoutMs: 5000,
    };
    const held = await launcher.hold({ ...spec, ns: [...spec.ns] });
    assert.equal(held.state, 'running');
    assert.ok(held.ready);
    assert.ok(existsSync(`/proc/${held.pid}`), 'still alive after hold returned');
    const other = await launcher.run({ ns: [], path: builtinWorkload('noop'), timeoutMs: 5000 });
    assert.equal(other.state, 'exited', 'the launcher keeps serving while it holds one');
    const done = await launcher.release(held.id, { timeoutMs: 5000 });
    assert.equal(done.state, 'signaled');
    assert.equal(done.signal, 9);
    assert.ok(done.offsetsNs.ready > 0 && done.offsetsNs.exit > done.offsetsNs.ready, 'the whole timeline comes back');
    assert.ok(!existsSync(`/proc/${held.pid}`), 'reaped');
    const again = await launcher.release(held.id);
    assert.equal(again.state, 'clone-failed');
    assert.equal(again.error?.code, 'ESRCH');
  });

  test('release with signal 0 waits for a sandbox that exits by itself', async () => {
    const held = await launcher.hold({
      ns: ['pid'],
      path: '/bin/sh',
      argv: ['sh', '-c', 'printf r >&3; sleep 0.1; exit 7'],
      timeoutMs: 5000,
    });
    assert.equal(held.state, 'running');
    const done = await launcher.release(held.id, { signal: 0, timeoutMs: 5000 });
    assert.equal(done.state, 'exited');
    assert.equal(done.exitCode, 7);
  });

  test('closing the launcher kills and reaps what it still holds', async () => {
    const l = SandboxLauncher.start();
    const pids: number[] = [];
    for (let i = 0; i < 3; i++)
      pids.push(
        (
          await l.hold({
            ns: ['pid'],
            path: '/bin/sh',
            argv: ['sh', '-c', 'printf r >&3; exec sleep 30'],
            timeoutMs: 5000,
          })
        ).pid,
      );
    assert.ok(pids.every((p) => existsSync(`/proc/${p}`)));
    l.close();
    assert.ok(
      pids.every((p) => !existsSync(`/proc/${p}`)),
      'no sandbox outlives the launcher',
    );
  });

  test('requests are serialized: concurrent calls all complete', async () => {
    const noop = builtinWorkload('noop');
    const rs = await Promise.all(
      Array.from({ length: 8 }, () => launcher.run({ ns: ['pid'], path: noop, timeoutMs: 5000 })),
    );
    assert.deepEqual(
      rs.map((r) => r.state),
      Array(8).fill('exited'),
    );
    assert.equal(new Set(rs.map((r) => r.id)).size, 8);
  });

  test('a closed launcher rejects with an error instead of hanging', async () => {
    const l = SandboxLauncher.start();
    const pid = l.pid;
    assert.ok(pid > 0);
    assert.equal(l.close(), 0, 'the launcher exits 0 when asked to quit');
    assert.ok(!existsSync(`/proc/${pid}`), 'the launcher process was reaped');
    await assert.rejects(l.run({ ns: [], path: '/bin/true' }), /closed/);
  });
});

describe('binding', { skip: BUILT ? false : 'native part not built (run npm install)' }, () => {
  test('the native namespace table matches the TypeScript one, bit for bit', () => {
    const table = nativeBinding().namespaces();
    assert.deepEqual(
      table.map((n) => n.name),
      [...NAMESPACES],
    );
    for (const [i, n] of table.entries()) assert.equal(n.bit, 1 << i);
  });

  test('a malformed spec is a TypeError, not a crash', () => {
    const b = nativeBinding();
    const l = new b.Launcher(`${process.cwd()}/native/build/bin/nsb-launcher`);
    try {
      assert.throws(() => l.run({ ns: 1 << 12, path: '/bin/true' }), /unknown namespace bits/);
      assert.throws(() => l.run({ ns: 0, path: '' }), /path is required/);
      assert.throws(() => l.run({ ns: 0, path: '/bin/true', argv: [1 as unknown as string] }), /array of strings/);
    } finally {
      l.close();
    }
  });

  test('starting a launcher that does not exist throws a system error', () => {
    const b = nativeBinding();
    assert.throws(
      () => new b.Launcher('/nonexistent/nsb-launcher'),
      (e: Error & { code?: string; syscall?: string }) => e.code === 'ENOENT' && e.syscall === 'posix_spawn',
    );
  });

  test('specs convert names to bits and ms to ns', () => {
    const s = toNativeSpec({ ns: ['user', 'net'], path: '/bin/true', timeoutMs: 1.5 });
    assert.equal(s.ns, 0b1001);
    assert.equal(s.timeoutNs, 1_500_000);
    assert.deepEqual(s.argv, ['/bin/true']);
  });

  test('affinity can be read and set through the binding', () => {
    const b = nativeBinding();
    const cpus = b.getAffinity(0);
    assert.ok(cpus.length >= 1);
    b.setAffinity(0, cpus);
    assert.deepEqual(b.getAffinity(0), cpus);
    assert.equal(b.errnoName(2), 'ENOENT');
  });
});
