export { runChecks, type Check, type CheckStatus } from './checks.ts';
export { findTools, which, missingTool, TOOLS, type ToolInfo } from './tools.ts';
