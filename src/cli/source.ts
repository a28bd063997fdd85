/**
 * Where a reading command's events come from: the portal (live) or the archive (`--archive`).
 * Both give the same events, filters and output; only the source differs.
 */
import type { DocSpaceClient } from '../client/client.js';
import type { LoginEvent } from '../model/event.js';
import type { ArchiveFlags } from './archive.js';
import { type ConnectionFlags, connect } from './context.js';
import { EXIT } from './exit.js';
import type { ParsedHistoryFlags } from './history-flags.js';
import { resolveUserFilter } from './history-flags.js';
import type { CliIo, Reporter } from './io.js';
import { startRead } from './read.js';

export interface EventSource {
  events: AsyncIterable<LoginEvent>;
  /** The portal URL for ECS `observer`, when there is one. */
  portal?: string;
  /** Names and emails, when a portal can be asked (live reads only). */
  client?: DocSpaceClient;
  finish(): number;
  close(): Promise<void>;
}

export async function openEventSource(
  flags: ConnectionFlags & ArchiveFlags & { archive?: boolean },
  parsed: ParsedHistoryFlags,
  io: CliIo,
  reporter: Reporter,
  opts: { latestOnly?: boolean; limit?: number } = {},
): Promise<EventSource> {
  if (flags.archive) {
    // The store (kysely, SQLite, PostgreSQL) loads only when the archive is read.
    const { openArchive, selectedPortals } = await import('./archive.js');
    const store = await openArchive(flags, io.env, true);
    try {
      const portalIds = await selectedPortals(store, flags, io.env);
      if (parsed.users.length) {
        // No people API offline: match what was typed as an id or a login.
        parsed.filter.userIds = parsed.users.map((u) => u.toLowerCase());
        parsed.filter.logins = parsed.users.map((u) => u.toLowerCase());
      }
      const limit = opts.latestOnly ? 20 : opts.limit;
      const chunks = store.queryLoginEventChunks({ ...parsed.filter, portalIds, limit });
      async function* events() {
        for await (const chunk of chunks) yield* chunk;
      }
      return { events: events(), finish: () => EXIT.ok, close: () => store.close() };
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  const conn = await connect(flags, reporter, io.env);
  try {
    await resolveUserFilter(conn.client, parsed.users, parsed.filter);
    const read = startRead(conn.client, parsed.filter, reporter, opts);
    return {
      events: read.events,
      portal: conn.client.portal,
      client: conn.client,
      finish: () => read.finish().exitCode,
      close: () => conn.close(),
    };
  } catch (err) {
    await conn.close();
    throw err;
  }
}
