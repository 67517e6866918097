export { findLeftovers, removeLeftovers, PREFIX, type Leftover, type LeftoverKind } from './leftovers.ts';
