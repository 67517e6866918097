export { kernelTracingChecks, runChecks } from './checks.ts';
