export {
  NetworkManager,
  TOPOLOGIES,
  TOPOLOGY_DESCRIPTIONS,
  NSB_SUBNET_PREFIX,
  type Topology,
  type TopologyKind,
  type Endpoint,
} from './topology.ts';
export { ip, ipAvailable, netnsList, linkNames } from './ip.ts';
