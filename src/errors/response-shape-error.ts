import { NotDocSpaceError } from './not-docspace-error.js';

/** Thrown when a response does not match its schema; the message names the field (and event id). */
export class ResponseShapeError extends NotDocSpaceError {}
