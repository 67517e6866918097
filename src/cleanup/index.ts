export { findLeftovers, removeLeftovers, PREFIX, type Leftover, type LeftoverKind } from './leftovers.ts';
export { registry, removeAllAndExit, CleanupRegistry, type Registered } from './registry.ts';
