export { findLeftovers, removeLeftovers, PREFIX, type Leftover, type LeftoverKind } from './leftovers.ts';
export { registry, CleanupRegistry, type Registered } from './registry.ts';
