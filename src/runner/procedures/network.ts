import { randomInt } from 'node:crypto';
import { builtinWorkload, missingTool, which } from '../../host/index.ts';
import type { Namespace } from '../../isolation/index.ts';
import type { LaunchResult, SandboxSpec } from '../../launcher/index.ts';
import { ipAvailable, NetworkManager, type Topology } from '../../network/index.ts';
import type { Sample } from '../../results/index.ts';
import type { NetTarget, VariantOf } from '../../scenario/index.ts';
import { parseIperf3, workloadMetrics } from '../../workloads/index.ts';
import { toSample } from '../sample.ts';
import { skipReason } from '../skip.ts';
import { bestEffort, type ContextOf, type ProcedureOf, type SampleBase } from './procedure.ts';

/** Port of the held server inside nsbench's own namespaces. */
const NS_PORT = 5201;
/** Host loopback ports are shared with the machine: a random one in this range, retried. */
const HOST_PORT_RANGE = [30000, 60000] as const;
const HOST_PORT_TRIES = 5;

interface Setup {
  topology: Topology;
  server: LaunchResult | null;
  port: number;
  failure: string | null;
}

function withoutNet(ns: readonly Namespace[]): Namespace[] {
  return ns.filter((n) => n !== 'net');
}

/** The `net` workload's client arguments for a test. */
function clientArgs(t: NetTarget): string[] {
  const amount = t.test === 'stream' ? String(t.seconds ?? 1) : String(t.count ?? 2000);
  return [t.test, amount, ...(t.msgSize !== undefined ? [String(t.msgSize)] : [])];
}

/**
 * Throughput across network topologies: per variant, the topology is built
 * and a `net server` held in the server's namespace for the whole scenario; a
 * sample runs one `net client` in the client's. The loopback topology runs
 * both in one sandbox with a network namespace of its own (`net loop`).
 */
export class NetworkProcedure implements ProcedureOf<'network'> {
  readonly #net = new NetworkManager();
  readonly #setups = new Map<string, Setup>();
  constructor(private readonly ctx: ContextOf<'network'>) {}

  skipReason(v: VariantOf<'network'>): string | null {
    const t = v.net;
    const ns = t.topology === 'loopback' ? [...withoutNet(v.ns), 'net' as const] : withoutNet(v.ns);
    const base = skipReason(ns, this.ctx.euid);
    if (base) return base;
    if (t.tool === 'iperf3' && missingTool('iperf3')) return missingTool('iperf3');
    if (['veth', 'bridge', 'host-veth'].includes(t.topology)) {
      if (this.ctx.euid !== 0)
        return `the ${t.topology} topology needs root (it creates links and named network namespaces)`;
      if (!ipAvailable()) return 'the ip command (iproute2) is not installed: apt-get install iproute2';
    }
    return null;
  }

  #spec(v: VariantOf<'network'>, where: 'server' | 'client', s: Setup, argv: string[]): SandboxSpec {
    const endpoint = s.topology[where];
    const ns = endpoint.ownNetns ? [...withoutNet(v.ns), 'net' as const] : withoutNet(v.ns);
    const path = argv[0] === 'iperf3' ? (which('iperf3') as string) : builtinWorkload(argv[0] as string);
    return {
      ns,
      path,
      argv,
      hostname: this.ctx.scenario.hostname,
      timeoutMs: this.ctx.timeoutMs,
      ...(endpoint.netns ? { netns: endpoint.netns } : {}),
    };
  }

  /** The held server: nsbench's `net server`, or iperf3 -s behind `listenready` (it has no ready signal of its own). */
  #serverArgv(t: NetTarget, port: number, bind: string): string[] {
    if (t.tool !== 'iperf3') return ['net', 'server', String(port), bind];
    return [
      'listenready',
      String(port),
      which('iperf3') as string,
      '-s',
      '-p',
      String(port),
      ...(bind === '0.0.0.0' ? [] : ['-B', bind]),
    ];
  }

  #clientArgv(t: NetTarget, s: Setup): string[] {
    if (t.tool === 'iperf3')
      return ['iperf3', '-c', s.topology.serverAddress, '-p', String(s.port), '-t', String(t.seconds ?? 1), '-J'];
    return s.topology.sameSandbox
      ? ['net', 'loop', ...clientArgs(t)]
      : ['net', 'client', s.topology.serverAddress, String(s.port), ...clientArgs(t)];
  }

  async setup(variants: VariantOf<'network'>[]): Promise<void> {
    const launcher = this.ctx.holder();
    for (const v of variants) {
      const t = v.net;
      const topology = this.#net.create(t.topology);
      const s: Setup = { topology, server: null, port: NS_PORT, failure: null };
      this.#setups.set(v.id, s);
      if (topology.sameSandbox) continue;
      const onHost = topology.server.netns === null && !topology.server.ownNetns;
      for (let attempt = 0; attempt < (onHost ? HOST_PORT_TRIES : 1); attempt++) {
        s.port = onHost ? randomInt(HOST_PORT_RANGE[0], HOST_PORT_RANGE[1]) : NS_PORT;
        const bind = onHost ? '127.0.0.1' : '0.0.0.0';
        const r = await launcher.hold(this.#spec(v, 'server', s, this.#serverArgv(t, s.port, bind)));
        if (r.state === 'running') {
          s.server = r;
          s.failure = null;
          break;
        }
        s.failure = `the server did not start: ${r.error?.message ?? `${r.state} (exit ${r.exitCode})`}`;
      }
    }
  }

  async sample(v: VariantOf<'network'>, base: SampleBase): Promise<Sample> {
    const s = this.#setups.get(v.id);
    if (!s || s.failure) return { ...base, state: 'errored', cause: 'setup', reason: s?.failure ?? 'not set up' };
    const t = v.net;
    const r = await this.ctx.launcher().run(this.#spec(v, 'client', s, this.#clientArgv(t, s)));
    const metrics = t.tool === 'iperf3' ? parseIperf3(r.stdout) : workloadMetrics(r.stdout);
    return toSample(r, { ...base, timeoutMs: this.ctx.timeoutMs }, metrics);
  }

  async teardown(): Promise<void> {
    const launcher = this.ctx.holder();
    for (const s of this.#setups.values()) {
      if (s.server) await bestEffort(launcher.release(s.server.id, { timeoutMs: 5000 }));
    }
    this.#setups.clear();
    const failed = this.#net.cleanup();
    if (failed.length) throw new Error(`could not remove network objects: ${failed.join('; ')}`);
  }
}
