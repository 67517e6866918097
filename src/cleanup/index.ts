export { findLeftovers, type Leftover, removeLeftovers, sortByOwner, staleOwnerFiles } from './leftovers.ts';
