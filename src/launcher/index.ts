export { SandboxLauncher, toNativeSpec, DEFAULT_SANDBOX_ENV, type SandboxSpec, type LaunchResult } from './sandbox-launcher.ts';
export { bootBreakdown, PHASES, type BootBreakdown } from './phases.ts';
export { nativeBinding } from './binding.ts';
export { BUILTIN_WORKLOADS, NATIVE_PATHS, PROJECT_ROOT, builtinWorkload, requireBuilt } from './paths.ts';
