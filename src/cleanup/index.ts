export {
  findLeftovers,
  removeLeftovers,
  sortByOwner,
  staleOwnerFiles,
  PREFIX,
  type Leftover,
  type LeftoverKind,
  type SortedLeftovers,
} from './leftovers.ts';
