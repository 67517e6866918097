export {
  SandboxLauncher,
  toNativeSpec,
  DEFAULT_SANDBOX_ENV,
  type SandboxSpec,
  type LaunchResult,
} from './sandbox-launcher.ts';
export { bootBreakdown, PHASES, type BootBreakdown } from './phases.ts';
