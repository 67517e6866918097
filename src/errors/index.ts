export { UserError, isUserError, formatError } from './user-error.ts';
