/**
 * Where a reading command's events come from: the portal (live) or the archive (`--archive`).
 * Both give the same events, filters and output; only the source differs.
 */
import type { DocSpaceClient } from '../client/client.js';
import type { LoginEvent } from '../model/event.js';
import type { ArchiveOptions, ArchiveSelection } from './archive.js';
import { type ConnectionOptions, connect } from './context.js';
import { EXIT } from './exit.js';
import type { ParsedHistoryFlags } from './history-flags.js';
import { resolveUserFilter } from './history-flags.js';
import type { CliIo, Reporter } from './io.js';
import { startRead } from './read.js';

/** An event with its JSON as the portal served it (ECS `event.original`). */
export interface EventWithOriginal {
  event: LoginEvent;
  original: string;
}

export interface EventSourceOptions {
  latestOnly?: boolean;
  limit?: number;
  /** An archive the command has already opened (with `--archive`); the source closes it. */
  selection?: ArchiveSelection;
}

export interface EventSource<T = LoginEvent> {
  events: AsyncIterable<T>;
  /** The portal URL for ECS `observer`, when there is one. */
  portal?: string;
  /** Names and emails, when a portal can be asked (live reads only). */
  client?: DocSpaceClient;
  finish(): number;
  close(): Promise<void>;
}

/** Where a command reads, parsed from its flags: the portal, or with `--archive` the archive. */
export type ReadFrom = { connection: ConnectionOptions; archive?: undefined } | { archive: ArchiveOptions; connection?: undefined };

/** With `original: true`, each event comes with its served JSON (asked for only by `--ecs-original`). */
export function openEventSource(
  from: ReadFrom,
  parsed: ParsedHistoryFlags,
  io: CliIo,
  reporter: Reporter,
  opts: EventSourceOptions & { original: true },
): Promise<EventSource<EventWithOriginal>>;
export function openEventSource(
  from: ReadFrom,
  parsed: ParsedHistoryFlags,
  io: CliIo,
  reporter: Reporter,
  opts?: EventSourceOptions,
): Promise<EventSource>;
export async function openEventSource(
  from: ReadFrom,
  parsed: ParsedHistoryFlags,
  io: CliIo,
  reporter: Reporter,
  opts: EventSourceOptions & { original?: boolean } = {},
): Promise<EventSource<LoginEvent> | EventSource<EventWithOriginal>> {
  if (from.archive) {
    // The store (kysely, SQLite, PostgreSQL) loads only when the archive is read.
    const { archiveFilter, openArchiveSelection } = await import('./archive.js');
    const selection = opts.selection ?? (await openArchiveSelection(from.archive, io.env));
    const { store, portalIds, only } = selection;
    try {
      const filter = await archiveFilter(selection, parsed);
      const limit = opts.latestOnly ? 20 : opts.limit;
      const portal = only?.url;
      if (opts.original) {
        // `raw` only on request: the default read below never selects it.
        const { servedJson } = await import('../store/original.js');
        const { toLoginEvent } = await import('../store/rows.js');
        const rows = store.queryEventChunks({ ...filter, portalIds, limit, withRaw: true });
        // Several portals: every event names its own (ECS `observer.hostname`).
        const urls = only ? undefined : new Map((await store.portals()).map((p) => [p.id, p.url]));
        async function* withOriginal() {
          for await (const chunk of rows) {
            for (const row of chunk) {
              const event = toLoginEvent(row);
              if (urls) event.portal = urls.get(Number(row.portal_id));
              yield { event, original: servedJson(row) };
            }
          }
        }
        return { events: withOriginal(), portal, finish: () => EXIT.ok, close: () => store.close() };
      }
      // Small chunks: events die young, so the small young generation `events` streams with
      // (young-generation.ts) collects them cheaply instead of copying thousands of live ones on
      // every scavenge.
      const chunks = store.queryLoginEventChunks({ ...filter, portalIds, limit }, 128);
      async function* events() {
        for await (const chunk of chunks) yield* chunk;
      }
      return { events: events(), portal, finish: () => EXIT.ok, close: () => store.close() };
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  const conn = await connect(from.connection, reporter, io.env);
  try {
    await resolveUserFilter(conn.client, parsed.users, parsed.filter);
    const read = startRead(conn.client, parsed.filter, reporter, { ...opts, raw: opts.original });
    async function* withOriginal(): AsyncGenerator<EventWithOriginal> {
      for await (const r of read.events) yield { event: r.event, original: JSON.stringify(r.raw) };
    }
    async function* events(): AsyncGenerator<LoginEvent> {
      for await (const r of read.events) yield r.event;
    }
    return {
      events: (opts.original ? withOriginal() : events()) as AsyncIterable<LoginEvent>,
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

