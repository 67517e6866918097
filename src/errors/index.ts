export { errorMessage, formatError, UserError } from './user-error.ts';
