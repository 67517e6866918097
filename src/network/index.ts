export { ip, ipAvailable, linkNames, netnsList } from './ip.ts';
export { NetworkManager, TOPOLOGIES, type Topology, type TopologyKind } from './topology.ts';
