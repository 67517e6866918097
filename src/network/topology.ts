import { randomBytes } from 'node:crypto';
import { errorMessage } from '../errors/index.ts';
import { claim, registry } from '../host/index.ts';
import { ip } from './ip.ts';

export const TOPOLOGIES = ['host-loopback', 'loopback', 'veth', 'bridge', 'host-veth'] as const;
export type TopologyKind = (typeof TOPOLOGIES)[number];

/** nsbench's own address range: used only on links and namespaces nsbench creates. */
const NSB_SUBNET_PREFIX = '10.213';

/** Where a server or client runs: a named network namespace, the host's, or a new one of its own. */
interface Endpoint {
  /** /run/netns/<name> to join, or null */
  netns: string | null;
  /** true: the sandbox gets a new network namespace (CLONE_NEWNET) */
  ownNetns: boolean;
}

export interface Topology {
  kind: TopologyKind;
  /** server and client in one sandbox (net loop) */
  sameSandbox: boolean;
  server: Endpoint;
  client: Endpoint;
  /** address the client connects to */
  serverAddress: string;
  /** what was created, in creation order */
  created: { netns: string[]; links: string[] };
}

const NETNS_DIR = '/run/netns';

/**
 * Builds network topologies with `ip` (argument arrays) under one run tag,
 * every namespace and link named nsb-<tag>..., and removes them in reverse order.
 */
export class NetworkManager {
  readonly tag: string;
  #n = 0;
  #topologies: Topology[] = [];
  #unregister: (() => void) | null = null;

  constructor(tag = randomBytes(3).toString('hex').slice(0, 5)) {
    this.tag = tag;
    claim(`nsb-${tag}`);
  }

  /** Interface names must fit IFNAMSIZ (15): "nsb-" + 5-hex tag + index (≤ 250) + suffix (≤ 2). */
  #name(k: number, suffix: string): string {
    return `nsb-${this.tag}${k}${suffix}`;
  }

  #netns(k: number, suffix: string, t: Topology): string {
    const name = `nsb-${this.tag}-${k}${suffix}`;
    ip('netns', 'add', name);
    t.created.netns.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    return name;
  }

  /** A veth pair: `inside` in netns (with addr), `outside` in the host namespace (or another netns). */
  #veth(t: Topology, outside: string, inside: string, netns: string, addr: string, outsideNetns?: string): void {
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside, 'netns', netns);
    if (outsideNetns) ip('link', 'set', outside, 'netns', outsideNetns);
    else t.created.links.push(outside);
    ip('-n', netns, 'addr', 'add', addr, 'dev', inside);
    ip('-n', netns, 'link', 'set', inside, 'up');
  }

  create(kind: TopologyKind): Topology {
    const k = ++this.#n;
    if (k > 250) throw new Error('too many topologies in one run (250)');
    const net = `${NSB_SUBNET_PREFIX}.${k}`;
    const host: Endpoint = { netns: null, ownNetns: false };
    const t: Topology = {
      kind,
      sameSandbox: false,
      server: host,
      client: host,
      serverAddress: '127.0.0.1',
      created: { netns: [], links: [] },
    };
    this.#unregister ??= registry.add(`network namespaces and links nsb-${this.tag}*`, () => this.cleanup());
    this.#topologies.push(t);
    try {
      if (kind === 'loopback') {
        t.sameSandbox = true;
        t.server = t.client = { netns: null, ownNetns: true };
      } else if (kind === 'veth') {
        const a = this.#netns(k, 'a', t);
        const b = this.#netns(k, 'b', t);
        this.#veth(t, this.#name(k, 'b'), this.#name(k, 'a'), a, `${net}.1/24`, b);
        ip('-n', b, 'addr', 'add', `${net}.2/24`, 'dev', this.#name(k, 'b'));
        ip('-n', b, 'link', 'set', this.#name(k, 'b'), 'up');
        t.server = { netns: `${NETNS_DIR}/${a}`, ownNetns: false };
        t.client = { netns: `${NETNS_DIR}/${b}`, ownNetns: false };
        t.serverAddress = `${net}.1`;
      } else if (kind === 'bridge') {
        const br = this.#name(k, 'br');
        ip('link', 'add', br, 'type', 'bridge');
        t.created.links.push(br);
        ip('addr', 'add', `${net}.254/24`, 'dev', br);
        ip('link', 'set', br, 'up');
        const legs = ['a', 'b', 'c'].map((s, i) => {
          const ns = this.#netns(k, s, t);
          const hostLeg = this.#name(k, `h${s}`);
          this.#veth(t, hostLeg, this.#name(k, s), ns, `${net}.${i + 1}/24`);
          ip('link', 'set', hostLeg, 'master', br);
          ip('link', 'set', hostLeg, 'up');
          return ns;
        });
        t.server = { netns: `${NETNS_DIR}/${legs[0]}`, ownNetns: false };
        t.client = { netns: `${NETNS_DIR}/${legs[1]}`, ownNetns: false };
        t.serverAddress = `${net}.1`;
      } else if (kind === 'host-veth') {
        const a = this.#netns(k, 'a', t);
        const hostLeg = this.#name(k, 'h');
        this.#veth(t, hostLeg, this.#name(k, 'a'), a, `${net}.1/24`);
        ip('addr', 'add', `${net}.254/24`, 'dev', hostLeg);
        ip('link', 'set', hostLeg, 'up');
        t.server = { netns: `${NETNS_DIR}/${a}`, ownNetns: false };
        t.client = host;
        t.serverAddress = `${net}.1`;
      }
    } catch (e) {
      this.destroy(t);
      throw e;
    }
    return t;
  }

  /** Removes a topology's links and namespaces (peers inside a namespace go with it). */
  destroy(t: Topology): string[] {
    const failed: string[] = [];
    for (const link of [...t.created.links].reverse()) {
      try {
        ip('link', 'del', link);
      } catch (e) {
        if (!/Cannot find device/.test(errorMessage(e))) failed.push(errorMessage(e));
      }
    }
    for (const ns of [...t.created.netns].reverse()) {
      try {
        ip('netns', 'del', ns);
      } catch (e) {
        failed.push(errorMessage(e));
      }
    }
    t.created = { netns: [], links: [] };
    this.#topologies = this.#topologies.filter((x) => x !== t);
    return failed;
  }

  cleanup(): string[] {
    const failed = [...this.#topologies].reverse().flatMap((t) => this.destroy(t));
    this.#unregister?.();
    this.#unregister = null;
    return failed;
  }
}
