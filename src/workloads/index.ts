export { TOOL_ADAPTERS, parseFio, parseIperf3, parseStressNg, parseSysbench, type ToolAdapter } from './adapters.ts';
