/**
 * Rows of a read that covers several portals each carry their portal: the first column of a
 * table, CSV or spreadsheet, the `portal` field of JSON. A read of one portal needs no such column.
 */
import type { Column } from './writer.js';

/** The portal column, the same for events, users and reports. */
export function portalColumn<R extends { portal?: string }>(): Column<R> {
  return { key: 'portal', header: 'Portal', value: (r) => r.portal ?? '', width: 28, keep: true };
}
