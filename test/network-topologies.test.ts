// Every topology really passes traffic from a client in one place to a server
// in another, and leaves no nsb- link or namespace behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { builtinWorkload, which } from '../src/host/index.ts';
import { SandboxLauncher } from '../src/launcher/index.ts';
import { ip, ipAvailable, linkNames, NetworkManager, netnsList, TOPOLOGIES } from '../src/network/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { networkVariants, validateScenario } from '../src/scenario/index.ts';
import { workloadMetrics } from '../src/workloads/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const skip = needsRootAndBuild || (!ipAvailable() ? 'ip (iproute2) not installed' : false);

function ours(tag: string): { netns: string[]; links: string[] } {
  return {
    netns: netnsList().filter((n) => n.startsWith(`nsb-${tag}`)),
    links: linkNames().filter((n) => n.startsWith(`nsb-${tag}`)),
  };
}

describe('network topologies', { skip }, () => {
  let launcher: SandboxLauncher;
  const nm = new NetworkManager();
  before(() => {
    launcher = SandboxLauncher.start();
  });
  after(() => {
    launcher.close();
    assert.deepEqual(nm.cleanup(), []);
    assert.deepEqual(ours(nm.tag), { netns: [], links: [] }, 'nothing left behind');
  });

  for (const kind of TOPOLOGIES) {
    test(`${kind}: a client reaches the server and a stream arrives whole`, async () => {
      const t = nm.create(kind);
      const net = builtinWorkload('net');
      if (kind !== 'host-loopback' && kind !== 'loopback') {
        const made = ours(nm.tag);
        assert.ok(made.netns.length >= 1, 'named network namespaces exist while it stands');
        assert.ok(t.created.netns.every((n) => made.netns.includes(n)));
      }
      let metrics: Record<string, number>;
      if (t.sameSandbox) {
        const r = await launcher.run({
          ns: ['net'],
          path: net,
          argv: ['net', 'loop', 'stream', '0.2'],
          timeoutMs: 20_000,
        });
        assert.equal(r.exitCode, 0, r.stderr);
        metrics = workloadMetrics(r.stdout);
      } else {
        const port = kind === 'host-loopback' ? String(40000 + (process.pid % 10000)) : '5201';
        const server = await launcher.hold({
          ns: ['pid'],
          ...(t.server.netns ? { netns: t.server.netns } : {}),
          path: net,
          argv: ['net', 'server', port, kind === 'host-loopback' ? '127.0.0.1' : '0.0.0.0'],
          timeoutMs: 10_000,
        });
        assert.equal(server.state, 'running', server.error?.message);
        try {
          const r = await launcher.run({
            ns: ['pid'],
            ...(t.client.netns ? { netns: t.client.netns } : {}),
            path: net,
            argv: ['net', 'client', t.serverAddress, port, 'stream', '0.2'],
            timeoutMs: 20_000,
          });
          assert.equal(r.exitCode, 0, r.stderr);
          metrics = workloadMetrics(r.stdout);
          if (t.client.netns) {
            // and the client really was somewhere else than the server: the host cannot see the server's port
            assert.notEqual(t.client.netns, t.server.netns);
          }
        } finally {
          await launcher.release(server.id);
        }
      }
      assert.ok((metrics['workload.bytes'] ?? 0) > 0);
      assert.equal(metrics['workload.receivedBytes'], metrics['workload.bytes']);
      assert.deepEqual(nm.destroy(t), []);
      assert.deepEqual(
        ours(nm.tag).netns.filter((n) => t.created.netns.includes(n)),
        [],
      );
    });
  }

  test('a veth topology between two namespaces gives the host no route into it (checked without sending anything)', () => {
    const t = nm.create('veth');
    try {
      const subnet = t.serverAddress.replace(/\.\d+$/, '.0/24');
      const hostRoutes = ip('-o', 'route', 'show');
      assert.ok(!hostRoutes.includes(subnet), `the host has no route to ${subnet}`);
      const inServer = ip('-n', (t.server.netns as string).split('/').pop() as string, '-o', 'route', 'show');
      assert.ok(inServer.includes(subnet), 'the server namespace has it');
    } finally {
      nm.destroy(t);
    }
  });
});

describe('network scenario through the runner', { skip }, () => {
  test('stream and rr over two topologies, compared with host loopback, nothing left', async () => {
    const sc = validateScenario(
      {
        name: 'nt',
        description: 'x',
        kind: 'network',
        workload: { builtin: 'net' },
        variants: networkVariants({
          topologies: ['host-loopback', 'veth', 'bridge'],
          tests: [
            { test: 'stream', seconds: 0.2 },
            { test: 'rr', count: 200 },
          ],
          nsSets: [[], ['pid', 'mnt']],
        }),
      },
      'test/nt.ts',
    );
    const before = {
      netns: netnsList().filter((n) => n.startsWith('nsb')),
      links: linkNames().filter((n) => n.startsWith('nsb')),
    };
    const { run } = await runBenchmark({
      scenarios: [sc],
      rounds: 2,
      warmup: 0,
      defaultRounds: 2,
      defaultWarmup: 0,
      defaultTimeoutMs: 20_000,
      outDir: tempDir(),
      seed: 3,
    });
    const r = run.scenarios[0];
    assert.ok(r);
    for (const v of r.summary)
      assert.equal(
        v.completed,
        2,
        `${v.variant}: ${JSON.stringify(r.samples.find((s) => s.variant === v.variant && s.state !== 'completed'))}`,
      );
    const veth = r.summary.find((v) => v.variant === 'stream/veth/bare');
    assert.ok((veth?.metrics['workload.throughputMbitPerSec']?.median ?? 0) > 0);
    const tput = veth?.metrics['workload.throughputMbitPerSec'];
    assert.ok(
      tput?.baselineN === 2 && tput.tooFew && tput.ratioToBaseline === null,
      'compared with the host loopback — and 2 rounds a side are too few for a ratio',
    );
    assert.ok((r.summary.find((v) => v.variant === 'rr/bridge/pid+mnt')?.metrics['workload.p50Ns']?.median ?? 0) > 0);
    assert.deepEqual(
      { netns: netnsList().filter((n) => n.startsWith('nsb')), links: linkNames().filter((n) => n.startsWith('nsb')) },
      before,
      'no nsb- link or netns afterwards',
    );
  });
});

describe('iperf3 across a topology, inside sandboxes', {
  skip: skip || (which('iperf3') ? false : 'iperf3 is not installed (apt-get install iperf3)'),
}, () => {
  test('server held behind listenready in one namespace, client in the other, -J parsed', async () => {
    const sc = validateScenario(
      {
        name: 'ip3',
        description: 'x',
        kind: 'network',
        workload: { builtin: 'net' },
        variants: networkVariants({
          topologies: ['host-loopback', 'veth'],
          tests: [{ test: 'stream', seconds: 1, tool: 'iperf3' }],
        }),
      },
      'test/ip3.ts',
    );
    const { run } = await runBenchmark({
      scenarios: [sc],
      rounds: 1,
      warmup: 0,
      defaultRounds: 1,
      defaultWarmup: 0,
      defaultTimeoutMs: 30_000,
      outDir: tempDir(),
      seed: 4,
    });
    const veth = run.scenarios[0]?.summary.find((v) => v.variant === 'iperf3/veth/bare');
    assert.equal(veth?.completed, 1, JSON.stringify(run.scenarios[0]?.samples));
    assert.ok((veth?.metrics['workload.throughputMbitPerSec']?.median ?? 0) > 0);
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /^\/usr\/bin\/iperf3 -s -p 5201/.test(l));
    assert.deepEqual(left, [], 'the held iperf3 server is gone');
  });
});
