/**
 * Read-only connections to an SQLite archive: the name to open it by, and the `sql` command's
 * statement on a connection of its own.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../errors/index.js';
import { READ_ONLY_SQL, scopeViews, type SqlRows } from './backend.js';

/**
 * The name to open `path` by. A read-only open of a WAL archive creates the -shm index (and
 * reads -wal) beside it; in a folder we cannot write, with no -wal left (the last writer closed
 * cleanly), nobody can be writing either, so the file is opened as immutable: no side files.
 */
export function readOnlyName(path: string, readOnly: boolean): string {
  if (!readOnly || path === ':memory:' || existsSync(`${path}-wal`)) return path;
  try {
    accessSync(dirname(path), constants.W_OK);
    return path;
  } catch {
    return `file:${encodeURI(path).replace(/[?#]/g, encodeURIComponent)}?immutable=1`;
  }
}

/** A user's read-only statement over the archive at `path` (`shared`: the connection of an in-memory one). */
export async function userSql(path: string, shared: Database.Database, text: string, portalIds?: readonly number[]): Promise<SqlRows> {
  // A connection of its own, opened read-only: even a statement that slipped past the check
  // below could not write through it. One per statement, so a result being streamed does not
  // keep the connection busy for anything else.
  const own = path !== ':memory:';
  const conn = own ? new Database(readOnlyName(path, true), { readonly: true, fileMustExist: true, timeout: 5000 }) : shared;
  const done = async () => {
    if (own) conn.close();
  };
  let stmt: Database.Statement;
  try {
    // The views live in the connection's own temporary schema: nothing is written to the archive.
    if (own && portalIds) for (const view of scopeViews(portalIds, (t) => `main.${t}`)) conn.exec(view);
    if (own) conn.pragma('query_only = ON');
    stmt = conn.prepare(text);
    if (!stmt.readonly) throw new UsageError(READ_ONLY_SQL);
    if (!stmt.reader) throw new UsageError('The sql command runs queries that return rows: use SELECT');
  } catch (err) {
    await done();
    if (err instanceof UsageError) throw err;
    throw sqlError(err);
  }
  const columns = stmt.columns().map((c) => c.name);
  const rows = stmt.raw(true).iterate() as IterableIterator<unknown[]>;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    rows.return?.();
    await done();
  };
  return {
    columns,
    close,
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          let next: IteratorResult<unknown[]>;
          try {
            next = rows.next();
          } catch (err) {
            throw sqlError(err);
          }
          if (next.done) return;
          yield next.value;
        }
      } finally {
        await close();
      }
    },
  };
}

function sqlError(err: unknown): UsageError {
  if ((err as { code?: string }).code === 'SQLITE_READONLY') return new UsageError(READ_ONLY_SQL);
  return new UsageError(`SQL error: ${(err as Error).message}`, { dialect: 'sqlite' }, { cause: err });
}
