export { ENGINES, type Engine, type EngineContext, unshareArgv } from './engines.ts';
