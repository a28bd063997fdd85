import { NotDocSpaceError } from './not-docspace-error.js';

/**
 * Thrown when paging stops advancing: several windows in a row hold only events (or members)
 * already seen, which a real portal never does (new offsets always reach older ones), so it is not
 * DocSpace.
 */
export class NoProgressError extends NotDocSpaceError {
  constructor(
    readonly portal: string,
    readonly pages: number,
    readonly startIndex: number,
    what: 'event' | 'member' = 'event',
  ) {
    super(
      `${portal} served ${pages} pages in a row with no ${what} not already seen (up to startIndex ${startIndex}): is this a DocSpace portal?`,
      { pages, startIndex },
    );
  }
}
