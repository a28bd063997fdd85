import { NotDocSpaceError } from './not-docspace-error.js';

/**
 * Thrown when paging stops advancing: several windows in a row hold only events already seen,
 * which a real portal never does (new offsets always reach older events), so it is not DocSpace.
 */
export class NoProgressError extends NotDocSpaceError {
  constructor(
    readonly portal: string,
    readonly pages: number,
    readonly startIndex: number,
  ) {
    super(
      `${portal} served ${pages} pages in a row with no event not already seen (up to startIndex ${startIndex}): is this a DocSpace portal?`,
      { pages, startIndex },
    );
  }
}
