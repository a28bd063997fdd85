import { UnavailableError } from './unavailable-error.js';

/**
 * Thrown for a request still waiting or retrying when its client was closed: work nobody will
 * read any more is dropped at once, so a command exits as soon as it has its answer.
 */
export class ClientClosedError extends UnavailableError {}
