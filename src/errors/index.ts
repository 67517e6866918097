export { formatError, UserError } from './user-error.ts';
