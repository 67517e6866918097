export { runChecks, kernelTracingChecks, type Check, type CheckStatus } from './checks.ts';
