/** Where the archive is and how it is opened: the target (path or URL), its backend, its schema. */
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors/index.js';
import { defaultArchive } from '../config/paths.js';
import { ArchiveStore } from './archive-store.js';
import { type Backend, openError } from './backend.js';
import { checkSchema, migrate, OutdatedSchemaError } from './migrations.js';

export interface OpenStoreOptions {
  /** Open for reading only: SQLite read-only, PostgreSQL sessions in read-only transactions. */
  readOnly?: boolean;
  /** Environment for the default location (`DOCSPACE_LOGINS_DB`, `XDG_DATA_HOME`, `HOME`). */
  env?: NodeJS.ProcessEnv;
  /** SQLite: how long a write waits for another process's write lock (default 10 s). */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (default 4). */
  poolSize?: number;
  /** Read-only: fail on an archive from an older version instead of upgrading it first. */
  noUpgrade?: boolean;
  /**
   * For a sync: open the session of its lock (`ArchiveStore.prepareLock`) together with the first
   * one, so that the two connections are made at once (PostgreSQL forks a process for each).
   */
  prepareLock?: boolean;
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target.trim());
}

/**
 * What `openStore` opens for `target`: the given URL or path, else the default archive file.
 * A `file://` URL is its path; any other scheme (`mysql://`) is refused here, before it could
 * become an SQLite file named after it.
 */
export function resolveArchive(target?: string, env: NodeJS.ProcessEnv = process.env): string {
  const t = target?.trim() || defaultArchive(env);
  if (isPostgresUrl(t)) return t;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(t)?.[1];
  if (scheme?.toLowerCase() === 'file') return fileURLToPath(t);
  if (scheme) {
    throw new UsageError(
      `The archive ${scheme}://… is not supported: give an SQLite file path or a postgres:// URL (--db or DOCSPACE_LOGINS_DB)`,
      { scheme },
    );
  }
  return t;
}

/**
 * node-postgres asks, as it loads, whether it runs in a Cloudflare Worker: by `navigator.userAgent`
 * when there is a `navigator`, else by building a `Response`. Node 20 has no `navigator`, and its
 * first `Response` loads Node's whole fetch implementation, which nothing else here uses: about
 * 40 ms of CPU, a tenth of a sync with nothing new. While `pg` loads, a `navigator` like Node 21's
 * answers the question instead; it is removed afterwards.
 */
async function withoutFetchProbe<T>(load: () => Promise<T>): Promise<T> {
  if ('navigator' in globalThis) return load();
  const major = process.versions.node.split('.')[0];
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${major}` },
    configurable: true,
    writable: true,
  });
  try {
    return await load();
  } finally {
    delete (globalThis as { navigator?: unknown }).navigator;
  }
}

/**
 * Open (and, unless read-only, create or upgrade) the archive at `target`: a file path for
 * SQLite or a `postgres://` URL. Without a target: `$DOCSPACE_LOGINS_DB`, else
 * `$XDG_DATA_HOME/docspace-logins/archive.sqlite`, else `~/.local/share/docspace-logins/archive.sqlite`.
 */
export async function openStore(target?: string, opts: OpenStoreOptions = {}): Promise<ArchiveStore> {
  const where = resolveArchive(target, opts.env);
  // A file:// URL was turned into its path: reopen (after an upgrade) by that path.
  target = where;
  let backend: Backend;
  if (isPostgresUrl(where)) {
    // Each backend is loaded only when used: SQLite users never pay for `pg`, nor PostgreSQL
    // users for the SQLite driver.
    const { postgresBackend } = await withoutFetchProbe(() => import('./backend-pg.js'));
    backend = postgresBackend(where, { readOnly: opts.readOnly, poolSize: opts.poolSize });
  } else {
    const { sqliteBackend } = await import('./backend-sqlite.js');
    backend = sqliteBackend(where, { readOnly: opts.readOnly, busyTimeoutMs: opts.busyTimeoutMs });
  }
  const store = new ArchiveStore(backend);
  try {
    // Connect first: an unreachable server must say so, not look like an empty archive (reading
    // the schema version treats any failure as "no schema yet"). Taking a connection is enough
    // (PostgreSQL's handshake answers for the server, the database and the role), so no query
    // costs a round trip for it; the connection goes back to the pool for the schema read.
    const connected = backend.db.connection().execute(async () => undefined);
    // The lock's session is asked for once the first one is on its way, not before it.
    if (opts.prepareLock) store.prepareLock();
    await connected;
    if (backend.readOnly) await checkSchema(backend);
    else store.migration = await migrate(backend);
  } catch (err) {
    await backend.close().catch(() => {});
    // An archive from an older version is upgraded once (migrations only add), then read as
    // asked: a read command after an upgrade of the tool should just work. When the upgrade
    // itself is not possible (a read-only file, a read-only database role), the error says so.
    if (err instanceof OutdatedSchemaError && !opts.noUpgrade) {
      await (await openStore(target, { ...opts, readOnly: false })).close();
      return openStore(target, { ...opts, noUpgrade: true });
    }
    throw openError(backend, err);
  }
  return store;
}
