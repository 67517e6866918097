export { runChecks, type Check, type CheckStatus } from './checks.ts';
