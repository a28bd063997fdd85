/**
 * Paging `GET people` to the end. A server that ignores `startIndex` (the same full page for every
 * offset, or a `total` that never runs out) would otherwise be paged forever, at hundreds of
 * requests a second: full pages in a row that bring nobody not already seen end the list with a
 * `NoProgressError` (exit 5), as the history reader does for events.
 */
import { NoProgressError } from '../errors/index.js';
import type { Person } from './schemas.js';

/** Full pages in a row with nobody new before the list is declared endless. */
const NO_PROGRESS_PAGES = 3;

export async function* pagePeople(
  page: (startIndex: number) => Promise<{ items: Person[]; total?: number }>,
  size: number,
  portal: string,
): AsyncGenerator<Person> {
  const seen = new Set<string>();
  let stale = 0;
  for (let start = 0; ; start += size) {
    const { items, total } = await page(start);
    const before = seen.size;
    for (const p of items) {
      const id = p.id.toLowerCase();
      if (seen.has(id)) continue;
      seen.add(id);
      yield p;
    }
    if (items.length < size || (total !== undefined && start + size >= total)) return;
    stale = seen.size === before ? stale + 1 : 0;
    if (stale >= NO_PROGRESS_PAGES) throw new NoProgressError(portal, stale, start, 'member');
  }
}
