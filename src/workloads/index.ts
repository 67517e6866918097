export { parseFio, parseIperf3, parseStressNg, parseSysbench, sysbenchPhases, TOOL_ADAPTERS } from './adapters.ts';
export { outputMetrics, type WorkloadRef, workloadCommand, workloadMetrics, workloadSkipReason } from './command.ts';
