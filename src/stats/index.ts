export { describe, ratioOfMedians, type Descriptive } from './descriptive.ts';
