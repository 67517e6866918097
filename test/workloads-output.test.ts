// Each built-in workload, run in a sandbox: its JSON line parses and is sane;
// bad arguments exit 2 with a usage line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { builtinWorkload } from '../src/host/index.ts';
import { type LaunchResult, SandboxLauncher } from '../src/launcher/index.ts';
import { workloadMetrics } from '../src/workloads/index.ts';
import { BUILT, needsRootAndBuild } from './helpers/env.ts';

describe('built-in workloads in a sandbox', { skip: needsRootAndBuild }, () => {
  let launcher: SandboxLauncher;
  before(() => {
    launcher = SandboxLauncher.start();
  });
  after(() => launcher.close());

  async function run(
    argv: string[],
    ns: Parameters<SandboxLauncher['run']>[0]['ns'] = ['pid', 'mnt', 'ipc', 'uts', 'user'],
    extra = {},
  ): Promise<{ r: LaunchResult; m: Record<string, number> }> {
    const r = await launcher.run({ ns, path: builtinWorkload(argv[0] as string), argv, timeoutMs: 60_000, ...extra });
    assert.equal(r.state, 'exited', `${argv.join(' ')}: ${r.error?.message ?? r.stderr}`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(r.ready, 'signalled ready');
    return { r, m: workloadMetrics(r.stdout) };
  }

  test('sieve counts 78498 primes up to 10^6', async () => {
    const { m } = await run(['sieve', '1000000']);
    assert.equal(m['workload.primes'], 78498);
    assert.ok((m['workload.primesPerSec'] ?? 0) > 0 && (m['workload.nsPerOp'] ?? 0) > 0);
  });

  test('memory: bandwidth in MB/s and a page-fault count that matches the pages touched', async () => {
    const bw = (await run(['memory', 'bandwidth', '8M', '2'])).m;
    assert.ok(
      (bw['workload.copyMBPerSec'] ?? 0) > 100 && (bw['workload.triadMBPerSec'] ?? 0) > 100,
      JSON.stringify(bw),
    );
    const f = (await run(['memory', 'faults', '4M', '3'])).m;
    assert.equal(f['workload.faults'], ((4 * 1024 * 1024) / 4096) * 3);
    assert.ok((f['workload.faultsPerSec'] ?? 0) > 0);
  });

  test('io on a tmpfs of the sandbox own, and on disk', async () => {
    const own = (await run(['io', '/dev/shm/nsb-io', '20', '16K', 'nofsync'], ['mnt', 'pid'], { tmpfs: '/dev/shm' })).m;
    assert.equal(own['workload.files'], 20);
    assert.ok(
      (own['workload.opsPerSec'] ?? 0) > 0 &&
        (own['workload.writeMBPerSec'] ?? 0) > 0 &&
        (own['workload.readMBPerSec'] ?? 0) > 0,
    );
    const disk = (await run(['io', `/var/tmp/nsb-io-test-${process.pid}`, '5', '4K', 'fsync'], [])).m;
    assert.equal(disk['workload.fsync'], 1);
  });

  test('syscall and fork report their rates', async () => {
    const s = (await run(['syscall', '10000'])).m;
    assert.equal(s['workload.calls'], 10000);
    assert.ok((s['workload.nsPerCall'] ?? 0) > 0);
    const f = (await run(['fork', '50'])).m;
    assert.equal(f['workload.forks'], 50);
    assert.ok((f['workload.forksPerSec'] ?? 0) > 0);
  });

  test('net loop: a stream arrives whole, and request/response reports percentiles', async () => {
    const s = (await run(['net', 'loop', 'stream', '0.2'], ['net', 'pid'])).m;
    assert.ok((s['workload.bytes'] ?? 0) > 0);
    assert.equal(s['workload.receivedBytes'], s['workload.bytes'], 'every byte sent was received');
    assert.ok((s['workload.throughputMbitPerSec'] ?? 0) > 0);
    const rr = (await run(['net', 'loop', 'rr', '500', '64'], ['net', 'pid'])).m;
    assert.equal(rr['workload.count'], 500);
    assert.ok((rr['workload.p50Ns'] ?? 0) > 0 && (rr['workload.p99Ns'] ?? 0) >= (rr['workload.p50Ns'] ?? 0));
  });
});

describe('built-in workloads: bad arguments', { skip: BUILT ? false : 'workloads not built (run npm install)' }, () => {
  const cases: string[][] = [
    ['sieve', '1'],
    ['sieve', 'x', 'y', 'z'],
    ['memory', 'sideways'],
    ['io'],
    ['syscall', '0'],
    ['fork', '-1'],
    ['net', 'client', '127.0.0.1'],
    ['net', 'loop', 'rr', '0'],
    ['hog', 'mem', 'lots'],
  ];
  test("net refuses any destination but loopback and nsbench's own range (nothing is sent)", () => {
    const r = spawnSync(builtinWorkload('net'), ['client', '192.0.2.1', '80', 'rr', '1'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /neither loopback nor in nsbench's 10\.213\.0\.0\/16: refused/);
  });

  for (const argv of cases) {
    test(`${argv.join(' ')} → exit 2 with a usage line`, () => {
      const r = spawnSync(builtinWorkload(argv[0] as string), argv.slice(1), { encoding: 'utf8' });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^usage: /m);
    });
  }
});
