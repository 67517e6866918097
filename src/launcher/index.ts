export { bootBreakdown, PHASES } from './phases.ts';
export { type LaunchResult, SandboxLauncher, type SandboxSpec, toNativeSpec } from './sandbox-launcher.ts';
export { runScale, type ScaleRun, scaleUnsupported } from './scale.ts';
