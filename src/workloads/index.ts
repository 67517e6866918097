export {
  TOOL_ADAPTERS,
  parseFio,
  parseIperf3,
  parseStressNg,
  parseSysbench,
  sysbenchPhases,
  type ToolAdapter,
} from './adapters.ts';
export { workloadCommand, workloadSkipReason, outputMetrics, workloadMetrics, type WorkloadRef } from './command.ts';
export type { Metrics } from './adapters.ts';
