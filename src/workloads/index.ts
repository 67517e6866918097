export { TOOL_ADAPTERS, parseFio, parseIperf3, parseStressNg, parseSysbench, sysbenchPhases, type ToolAdapter } from './adapters.ts';
