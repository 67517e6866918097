export { ENGINES, unshareArgv, type Engine, type EngineCommand, type EngineContext } from './engines.ts';
