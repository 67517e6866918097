import { NAMESPACES } from '../src/isolation/index.ts';
import { TOPOLOGIES } from '../src/network/index.ts';
import { defineScenario, networkVariants } from '../src/scenario/index.ts';

// TCP stream throughput and request/response latency across the topologies:
// host loopback (the bare baseline), the loopback of one namespace, a veth
// pair between two, a bridge with veth legs, and namespace to host — each for
// sandboxes with no other namespace and with all the others; and iperf3 over
// three of them.
export default defineScenario({
  name: 'network',
  description: 'TCP stream and request/response over host loopback, netns loopback, veth, bridge, netns↔host',
  kind: 'network',
  workload: { builtin: 'net' },
  variants: [
    ...networkVariants({
      topologies: [...TOPOLOGIES],
      tests: [
        { test: 'stream', seconds: 0.5 },
        { test: 'rr', count: 2000 },
      ],
      nsSets: [[], NAMESPACES.filter((n) => n !== 'net')],
    }),
    // the same stream through the real tool (skipped where iperf3 is not installed)
    ...networkVariants({
      topologies: ['host-loopback', 'veth', 'bridge'],
      tests: [{ test: 'stream', seconds: 1, tool: 'iperf3' }],
    }),
  ],
  baseline: 'stream/host-loopback/bare',
  rounds: 8,
  warmup: 1,
});
