// Launch in each namespace alone and all together, and check from outside,
// while the sandbox is alive, that the kernel really isolated it.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { nativeBinding } from '../src/host/index.ts';
import { NAMESPACES, type Namespace } from '../src/isolation/index.ts';
import { type LaunchResult, SandboxLauncher, type SandboxSpec } from '../src/launcher/index.ts';
import { childrenOf, hasCommand, needsRootAndBuild, nsInode, run, tempDir, waitFor } from './helpers/env.ts';

const SLEEP = '/bin/sleep';

/** Starts `sleep 30` in a sandbox, hands its host pid to `inspect`, then kills it by pidfd. */
async function withLiveSandbox(
  launcher: SandboxLauncher,
  spec: Omit<SandboxSpec, 'path'>,
  inspect: (pid: number) => void | Promise<void>,
): Promise<LaunchResult> {
  const before = new Set(childrenOf(launcher.pid));
  const pending = launcher.run({ ...spec, path: SLEEP, argv: ['sleep', '30'], timeoutMs: 20_000 });
  const pid = await waitFor(
    () => {
      const fresh = childrenOf(launcher.pid).filter((p) => !before.has(p));
      const p = fresh[0];
      if (p === undefined) return null;
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'sleep' ? p : null; // exec'd: setup is done
      } catch {
        return null;
      }
    },
    10_000,
    'the sandbox to exec',
  );
  const b = nativeBinding();
  try {
    await inspect(pid);
  } finally {
    const fd = b.pidfdOpen(pid);
    b.pidfdSendSignal(fd, os.constants.signals.SIGKILL);
    b.closeFd(fd);
  }
  return pending;
}

function nsPidLine(pid: number): number[] {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith('NSpid:')) ?? '';
  return line.split(/\s+/).slice(1).filter(Boolean).map(Number);
}

/** What each namespace must look like from outside. */
function checkIsolated(pid: number, ns: Namespace): void {
  assert.notEqual(
    nsInode(pid, ns),
    nsInode('self', ns),
    `${ns}: the sandbox's /proc/${pid}/ns/${ns} must differ from ours`,
  );
  switch (ns) {
    case 'pid':
      assert.deepEqual(nsPidLine(pid).slice(-1), [1], 'pid: the workload is pid 1 inside its namespace');
      break;
    case 'uts': {
      const inside = run('nsenter', ['-t', String(pid), '-u', 'hostname']).trim();
      assert.equal(inside, 'nsb-test-host', 'uts: hostname set inside');
      assert.notEqual(os.hostname(), inside, "uts: the host's hostname is unchanged");
      break;
    }
    case 'net': {
      const dev = readFileSync(`/proc/${pid}/net/dev`, 'utf8')
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .map((l) => l.split(':')[0]?.trim());
      assert.deepEqual(dev, ['lo'], 'net: only lo exists inside');
      if (hasCommand('nsenter') && hasCommand('ip')) {
        const link = run('nsenter', ['-t', String(pid), '-n', 'ip', '-o', 'link', 'show', 'lo']);
        assert.match(link, /[<,]UP[,>]/, 'net: lo is up');
      }
      break;
    }
    case 'user':
      assert.equal(
        readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/).join(' '),
        `0 ${process.geteuid?.()} 1`,
        'user: uid 0 inside maps to the caller',
      );
      assert.equal(
        readFileSync(`/proc/${pid}/setgroups`, 'utf8').trim(),
        'deny',
        'user: setgroups denied before gid_map',
      );
      break;
    case 'mnt': {
      assert.ok(
        !/ shared:\d+/.test(readFileSync(`/proc/${pid}/mountinfo`, 'utf8')),
        'mnt: propagation is private inside (no shared: mounts)',
      );
      // a mount made inside must not appear on the host
      const dir = tempDir('nsb-mnt-');
      try {
        run('nsenter', ['-t', String(pid), '-m', 'mount', '-t', 'tmpfs', 'nsb-test', dir]);
        assert.ok(readFileSync(`/proc/${pid}/mountinfo`, 'utf8').includes(` ${dir} `), 'mnt: the mount exists inside');
        assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${dir} `), 'mnt: the host does not see it');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      break;
    }
    default:
      break;
  }
}

describe('launcher: namespaces seen from outside', { skip: needsRootAndBuild }, () => {
  let launcher: SandboxLauncher;
  before(() => {
    launcher = SandboxLauncher.start();
  });
  after(() => launcher.close());

  for (const ns of NAMESPACES) {
    test(`${ns} alone`, async () => {
      const r = await withLiveSandbox(launcher, { ns: [ns], hostname: 'nsb-test-host' }, (pid) => {
        checkIsolated(pid, ns);
        for (const other of NAMESPACES.filter((n) => n !== ns))
          assert.equal(nsInode(pid, other), nsInode('self', other), `${ns} alone must not create a ${other} namespace`);
      });
      assert.equal(r.state, 'signaled', 'killed by us through its pidfd');
      assert.equal(r.clonePath, 'clone3');
    });
  }

  test('all eight together, including a fresh /proc in pid+mnt', async () => {
    await withLiveSandbox(launcher, { ns: [...NAMESPACES], hostname: 'nsb-test-host' }, (pid) => {
      for (const ns of NAMESPACES) checkIsolated(pid, ns);
      const mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n');
      assert.ok(
        mounts.some((l) => / \/proc .* - proc /.test(l)),
        'a proc filesystem is mounted on /proc inside',
      );
    });
  });

  test('root inside maps to an unprivileged host uid when asked', async () => {
    await withLiveSandbox(launcher, { ns: ['user', 'pid'], userMap: { uid: 65534, gid: 65534 } }, (pid) => {
      assert.equal(readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/).join(' '), '0 65534 1');
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      assert.match(status, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m, 'the process runs as host uid 65534');
      assert.match(status, /^Gid:\s+65534\s+65534\s+65534\s+65534$/m, 'and host gid 65534');
      assert.match(status, /^Groups:\s*$/m, 'with no supplementary groups left from root');
    });
  });

  test('the no-op signals ready and reports a consistent breakdown', async () => {
    const noop = (await import('../src/host/index.ts')).builtinWorkload('noop');
    const r = await launcher.run({ ns: [...NAMESPACES], path: noop, timeoutMs: 5000 });
    assert.equal(r.state, 'exited');
    assert.equal(r.exitCode, 0);
    assert.ok(r.ready, 'ready byte arrived');
    const o = r.offsetsNs;
    assert.ok(o.cloneStart >= 0 && o.cloneDone > o.cloneStart, 'clone timestamps ordered');
    assert.ok(o.mapsDone > o.cloneDone, 'maps written after clone returned (user namespace)');
    assert.ok(
      o.setupDone >= o.childStart && o.exec >= o.setupDone && o.ready > o.exec && o.exit >= o.ready,
      'child milestones ordered',
    );
    assert.ok(r.child.userUs + r.child.sysUs >= 0 && r.child.maxRssKb > 0, 'child rusage recorded');
  });

  test('clone() fallback works and says so', async () => {
    const noop = (await import('../src/host/index.ts')).builtinWorkload('noop');
    const r = await launcher.run({ ns: ['user', 'pid', 'mnt'], path: noop, forceClone: true, timeoutMs: 5000 });
    assert.equal(r.state, 'exited');
    assert.equal(r.clonePath, 'clone');
    const t = await launcher.run({ ns: ['time'], path: noop, forceClone: true, timeoutMs: 5000 });
    assert.equal(t.state, 'clone-failed');
    assert.match(t.error?.message ?? '', /clone3/);
  });
});
