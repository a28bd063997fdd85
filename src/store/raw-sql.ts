/** Read-only SQL typed by a user over the archive (`docspace-logins sql`): rows streamed, or collected up to a limit. */
import { UsageError } from '../errors/index.js';
import type { SqlResult, SqlRows } from './backend.js';
import type { StoreContext } from './context.js';

export interface SqlOptions {
  /** Keep at most this many rows (`truncated` says when more were there). */
  maxRows?: number;
}

/** One statement's rows as they are consumed, on a connection of the backend's own. */
export function sqlRows(store: StoreContext, text: string, portalIds?: readonly number[]): Promise<SqlRows> {
  if (!text.trim()) return Promise.reject(new UsageError('The SQL statement is empty'));
  return store.backend.sql(text, portalIds);
}

/** `sqlRows`, collected: at most `maxRows`, with `truncated` when more were there. */
export async function collectSql(store: StoreContext, text: string, opts: SqlOptions = {}): Promise<SqlResult> {
  const result = await sqlRows(store, text);
  const rows: unknown[][] = [];
  let truncated = false;
  for await (const row of result) {
    if (opts.maxRows !== undefined && rows.length >= opts.maxRows) {
      truncated = true;
      break;
    }
    rows.push(row);
  }
  return { columns: [...result.columns], rows, truncated };
}
